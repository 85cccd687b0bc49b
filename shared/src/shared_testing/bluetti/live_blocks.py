"""The readings a station refreshes all the time, rendered from its energy state.

Signs follow the published layouts: pack currents are negative while the battery charges,
grid power and the grid phase's power and current are negative while the station feeds the
grid (and positive while it draws from it), the CT meter's power likewise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from shared_testing.bluetti.image import RegisterImage
from shared_testing.bluetti.profiles import ProfileSpec

__all__ = ["Readings", "write_live"]

_GRID_VOLTS = 230.0
_TEMP_OFFSET = 40  # temperatures travel as degrees C + 40


@dataclass(frozen=True)
class Readings:
    """One moment of a station's energy state, in physical units."""

    soc: float
    volts: float
    #: battery current in A, negative while charging
    amps: float
    #: battery power in W, negative while charging
    battery_w: float
    ac_load_w: float
    dc_load_w: float
    pv_w: float
    ac_in_w: float
    #: grid power in W, negative while feeding the grid
    grid_w: float
    temp_c: float
    charge_wh: float
    discharge_wh: float
    pv_wh: float
    feedback_wh: float
    grid_charge_wh: float
    cycles: int
    cells: int
    capacity_wh: float


def _tenths(value: float) -> int:
    return round(value * 10)


def _float_bits(value: float) -> int:
    """An IEEE-754 float32 as the unsigned word the CT meter block carries."""
    bits: int = struct.unpack(">I", struct.pack(">f", value))[0]
    return bits


def _station(image: RegisterImage, spec: ProfileSpec, now: Readings) -> None:
    temp = round(now.temp_c) + _TEMP_OFFSET
    soc = round(now.soc)
    image.put(
        "HhHII",
        100,
        0,
        _tenths(now.volts),
        _tenths(now.amps),
        soc,
        round(abs(now.battery_w)),
        round(now.ac_load_w + now.dc_load_w),
    )
    image.put("HHH", 100, 48, temp, temp + 2, temp - 1)
    if spec.protocol >= 2001:  # older firmware sends no power flows
        image.put(
            "IIIi4xIIIII",
            100,
            80,
            round(now.pv_w),
            round(now.ac_in_w),
            round(now.pv_w),
            round(now.grid_w),
            round(now.charge_wh / 100),
            round(now.ac_load_w),
            round(now.pv_wh / 100),
            round(now.discharge_wh / 100),
            round(now.feedback_wh / 100),
        )
    pv_volts = 38.0 + soc % 7
    image.put("HHHH", 100, 124, _tenths(pv_volts), _tenths(now.pv_w / pv_volts), 0, 0)
    image.put("HHHH", 1100, 102, 25 + _TEMP_OFFSET, temp + 5, temp + 3, 0)
    grid_amps = now.grid_w / _GRID_VOLTS
    image.put(
        "HHHII",
        1300,
        0,
        500,
        _tenths(_GRID_VOLTS),
        0,
        round(now.grid_charge_wh / 100),
        round(now.feedback_wh / 100),
    )
    image.put("hHh", 1300, 26, round(now.grid_w), _tenths(_GRID_VOLTS), _tenths(grid_amps))


def _loads(image: RegisterImage, now: Readings) -> None:
    ac, dc = round(now.ac_load_w), round(now.dc_load_w)
    usb = min(dc, 5)
    image.put("II", 1400, 0, dc, round(now.discharge_wh / 1000))
    image.put("HHHHHH", 1400, 8, usb, _tenths(usb / 5), dc - usb, _tenths((dc - usb) / 12), 0, 0)
    image.put("HH", 1400, 24, 120 if dc else 0, _tenths(dc / 12))
    image.put("II", 1400, 40, ac, round(now.discharge_wh / 100))
    amps = ac / _GRID_VOLTS
    image.put("HHHH", 1400, 60, ac, _tenths(_GRID_VOLTS), _tenths(amps), round(ac * 1.02))
    image.put("HI", 1500, 0, 500, round(now.discharge_wh / 100))
    image.put("HHH", 1500, 20, ac, _tenths(_GRID_VOLTS), _tenths(amps))


def _meter(image: RegisterImage, now: Readings) -> None:
    amps = abs(now.grid_w) / _GRID_VOLTS
    image.put("III", 1700, 26, _float_bits(_GRID_VOLTS), _float_bits(amps), _float_bits(now.grid_w))
    image.put("I", 1700, 114, _float_bits(now.grid_w))
    image.put("II", 1700, 130, _float_bits(50.0), _float_bits(now.grid_charge_wh / 1000))


def _energy(image: RegisterImage, now: Readings) -> None:
    image.put("I", 3500, 2, round(now.discharge_wh / 100) + 11_597)
    image.put("I", 3600, 4, round(now.discharge_wh / 100) + 512)


def _battery(image: RegisterImage, now: Readings) -> None:
    soc, temp = round(now.soc), round(now.temp_c) + _TEMP_OFFSET
    charging, discharging = now.amps < -0.05, now.amps > 0.05
    status = 1 if charging else 2 if discharging else 0
    image.put(
        "HhHB", 6000, 6, _tenths(now.volts), _tenths(now.amps), round(abs(now.battery_w)), soc
    )
    image.put("HxBxB", 6000, 14, temp, status, 1 if charging else 0)
    remaining = now.capacity_wh * now.soc / 100
    to_full = (now.capacity_wh - remaining) / max(-now.battery_w, 1.0) * 60
    to_empty = remaining / max(now.battery_w, 1.0) * 60
    image.put("HH", 6000, 34, min(round(to_full), 65535), min(round(to_empty), 65535))
    image.put("H", 6000, 40, now.cycles)
    image.put("HH", 6000, 50, temp + 2, temp - 1)
    image.put("HhxB", 6100, 22, _tenths(now.volts), _tenths(now.amps), soc)
    image.put("H", 6100, 30, temp)
    image.put("BxB", 6100, 49, status, 1 if charging else 0)


def write_live(image: RegisterImage, spec: ProfileSpec, now: Readings) -> None:
    """Every reading of the blocks ``spec``'s model serves, as of ``now``."""
    _station(image, spec, now)
    _loads(image, now)
    _energy(image, now)
    _battery(image, now)
    if spec.serves(1700):
        _meter(image, now)
