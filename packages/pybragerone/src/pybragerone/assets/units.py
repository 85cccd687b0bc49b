"""Brager unit codes and texts mapped to Home Assistant: unit strings and categories."""

from __future__ import annotations

__all__ = ["HA_CATEGORIES", "UNIT_CODES", "ha_category", "ha_unit", "unit_code"]

#: Brager unit code -> unit text (as the web app's language packs spell it)
UNIT_CODES: dict[int, str] = {
    1: "°C",
    2: "%",
    3: "bar",
    4: "kW",
    5: "W",
    6: "kWh",
    7: "h",
    8: "min",
    9: "s",
    10: "m³/h",
}

# Home Assistant's unit strings (UnitOfTemperature.CELSIUS, PERCENTAGE, UnitOfPressure.BAR,
# UnitOfPower.KILO_WATT/WATT, UnitOfEnergy.KILO_WATT_HOUR, UnitOfTime.*,
# UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR), keyed by a normalised spelling.
_HA_UNITS: dict[str, str] = {
    "°c": "°C",
    "c": "°C",
    "℃": "°C",
    "st.c": "°C",
    "celsius": "°C",
    "%": "%",
    "bar": "bar",
    "kw": "kW",
    "w": "W",
    "kwh": "kWh",
    "h": "h",
    "godz": "h",
    "min": "min",
    "s": "s",
    "sek": "s",
    "m³/h": "m³/h",
    "m3/h": "m³/h",
}


#: Home Assistant unit -> the category of quantity it measures. These are Home Assistant's
#: sensor device classes (``temperature``, ``pressure``, ``power``, ``energy``, ``duration``,
#: ``volume_flow_rate``), except ``percentage``: a percentage has no device class there.
HA_CATEGORIES: dict[str, str] = {
    "°C": "temperature",
    "%": "percentage",
    "bar": "pressure",
    "kW": "power",
    "W": "power",
    "kWh": "energy",
    "h": "duration",
    "min": "duration",
    "s": "duration",
    "m³/h": "volume_flow_rate",
}


def unit_code(unit: object) -> int | None:
    """The integral unit code in ``unit`` (``1``, ``1.0``, ``" 1 "``), or ``None``.

    Unit cells come from the network: anything else (fractions, other digits such as ``"²"``,
    lists, absurdly long digit strings) is not a code.
    """
    if isinstance(unit, bool):
        return None
    if isinstance(unit, int):
        return unit
    if isinstance(unit, float):
        return int(unit) if unit.is_integer() else None
    if isinstance(unit, str):
        text = unit.strip()
        if text.isascii() and text.isdigit() and len(text) <= 9:
            return int(text)
    return None


def ha_unit(unit: object) -> str | None:
    """The Home Assistant unit for a Brager unit code or unit text; ``None`` if unknown."""
    code = unit_code(unit)
    if code is not None:
        text = UNIT_CODES.get(code)
        return None if text is None else _HA_UNITS.get(text.lower())
    if not isinstance(unit, str):
        return None
    return _HA_UNITS.get("".join(unit.lower().split()))  # spelling varies: "st. C", "m3 / h"


def ha_category(unit: object) -> str | None:
    """The Home Assistant category of a Brager unit code or unit text; ``None`` if unknown.

    ``"°C"`` -> ``"temperature"``, ``2`` (percent) -> ``"percentage"``, ``"m3/h"`` ->
    ``"volume_flow_rate"``; see :data:`HA_CATEGORIES`.
    """
    canonical = ha_unit(unit)
    return None if canonical is None else HA_CATEGORIES.get(canonical)
