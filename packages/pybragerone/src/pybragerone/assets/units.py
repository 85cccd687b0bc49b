"""Brager unit codes and texts mapped to Home Assistant unit strings."""

from __future__ import annotations

__all__ = ["UNIT_CODES", "ha_unit"]

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


def ha_unit(unit: int | str | None) -> str | None:
    """The Home Assistant unit for a Brager unit code or unit text; ``None`` if unknown."""
    if unit is None or isinstance(unit, bool):
        return None
    if isinstance(unit, int):
        text = UNIT_CODES.get(unit)
        return None if text is None else _HA_UNITS.get(text.lower())
    key = "".join(unit.lower().split())  # spelling varies in spaces: "st. C", "m3 / h"
    if key.isdigit():
        return ha_unit(int(key))
    return _HA_UNITS.get(key)
