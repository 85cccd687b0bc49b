"""A device's register image and the physics that make its values drift.

Each device keeps a 65536-register image: identity and settings are written once
(:mod:`.static_blocks`), readings are recomputed from a small energy model before every read
(:mod:`.live_blocks`), at ``speed`` times real time: SOC falls while the loads exceed solar
input; at the grid-charge threshold the station charges from the grid (pack current negative)
until its target; a full battery feeds the solar surplus into the grid (grid power negative);
energy counters only ever grow. Writes to the settings take effect: AC output off removes the
AC load, grid charging off stops charging from the grid.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from shared_testing.bluetti.image import RegisterImage
from shared_testing.bluetti.live_blocks import Readings, write_live
from shared_testing.bluetti.profiles import PROFILES, WRITABLE, ProfileSpec
from shared_testing.bluetti.static_blocks import write_static

__all__ = ["PROFILES", "WRITABLE", "DeviceModel", "ProfileSpec"]

#: byte offsets of block 2000 (base settings) the model obeys
_GRID_CHARGE_SWITCH, _AC_SWITCH, _DC_SWITCH = 7, 13, 15
#: grid charging starts at or below this SOC and runs up to the target
GRID_CHARGE_START, GRID_CHARGE_TARGET = 10.0, 80.0
_DC_LOAD_W = 12.0


@dataclass
class DeviceModel:
    """Energy state of one device and its register image."""

    serial: str
    spec: ProfileSpec
    speed: float = 60.0
    seed: int | None = None
    soc: float = -1.0  # below 0: the profile's initial SOC
    load_w: float = 0.0
    pv_w: float = 0.0
    ac_in_w: float = 0.0
    #: power from (positive) or to (negative, export) the grid
    grid_w: float = 0.0
    charge_wh: float = 1234.5
    discharge_wh: float = 2345.6
    pv_wh: float = 345.6
    feedback_wh: float = 12.3
    grid_charge_wh: float = 456.7
    cycles: int = 42
    grid_charging: bool = False
    registers: RegisterImage = field(default_factory=RegisterImage)
    _last: float = 0.0
    _started: float = 0.0
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed if self.seed is not None else self.serial)
        self._started = self._last = time.monotonic()
        if self.soc < 0:
            self.soc = self.spec.initial_soc
        self.load_w = self.spec.base_load_w
        write_static(self.registers, self.spec, self.serial)
        self.tick()

    @property
    def image(self) -> bytearray:
        """The raw register bytes (two per register)."""
        return self.registers.data

    def _switch(self, offset: int) -> bool:
        return self.registers.byte(WRITABLE[0], offset) != 0

    # -- physics ------------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> None:
        """Advance the energy model to ``now`` and re-render the readings."""
        now = time.monotonic() if now is None else now
        hours = max(0.0, now - self._last) * self.speed / 3600.0
        self._last = now
        spec = self.spec
        self.load_w = max(0.0, self.load_w + self._rng.uniform(-0.05, 0.05) * spec.base_load_w)
        self.load_w = min(self.load_w, 3 * spec.base_load_w)
        ac_load = self.load_w if self._switch(_AC_SWITCH) else 0.0
        dc_load = _DC_LOAD_W if self._switch(_DC_SWITCH) else 0.0
        phase = (now - self._started) * self.speed / 86400.0 * 2 * math.pi
        self.pv_w = max(0.0, spec.pv_peak_w * 0.3 * (1 + math.sin(phase)))
        if not self._switch(_GRID_CHARGE_SWITCH) or self.soc >= GRID_CHARGE_TARGET:
            self.grid_charging = False
        elif self.soc <= GRID_CHARGE_START:
            self.grid_charging = True
        self.ac_in_w = spec.base_load_w * 2 if self.grid_charging else 0.0
        net_w = ac_load + dc_load - self.pv_w - self.ac_in_w
        self.grid_w = self.ac_in_w
        if self.soc >= 100.0 and net_w < 0:  # full: the solar surplus is fed into the grid
            self.grid_w = self.ac_in_w + net_w
            self.feedback_wh += -net_w * hours
            net_w = 0.0
        self.soc = min(100.0, max(0.0, self.soc - net_w * hours / spec.capacity_wh * 100.0))
        if net_w > 0:
            self.discharge_wh += net_w * hours
        else:
            self.charge_wh += -net_w * hours
        self.pv_wh += self.pv_w * hours
        self.grid_charge_wh += self.ac_in_w * hours
        volts = spec.cells * (3.0 + 0.4 * self.soc / 100.0)
        write_live(
            self.registers,
            spec,
            Readings(
                soc=self.soc,
                volts=volts,
                amps=net_w / volts,
                battery_w=net_w,
                ac_load_w=ac_load,
                dc_load_w=dc_load,
                pv_w=self.pv_w,
                ac_in_w=self.ac_in_w,
                grid_w=self.grid_w,
                temp_c=25 + abs(net_w) / 200,
                charge_wh=self.charge_wh,
                discharge_wh=self.discharge_wh,
                pv_wh=self.pv_wh,
                feedback_wh=self.feedback_wh,
                grid_charge_wh=self.grid_charge_wh,
                cycles=self.cycles,
                cells=spec.cells,
                capacity_wh=spec.capacity_wh,
            ),
        )

    # -- Modbus access ------------------------------------------------------------------------

    def readable(self, start: int, count: int) -> bool:
        """Whether ``count`` registers from ``start`` lie inside one block this model has."""
        for block, size in self.spec.blocks.items():
            if block <= start and start + count <= block + size:
                return True
        return WRITABLE[0] <= start and start + count <= WRITABLE[1]

    def read(self, start: int, count: int) -> bytes:
        """The bytes of ``count`` registers from ``start`` (after advancing the model)."""
        self.tick()
        return self.registers.registers(start, count)

    @staticmethod
    def writable(start: int, count: int) -> bool:
        """Whether the registers lie in the settings range a client may write."""
        return WRITABLE[0] <= start and start + count <= WRITABLE[1]

    def write(self, start: int, data: bytes) -> None:
        """Store register values; the settings take effect on the model."""
        self.registers.store(start, data)
        if self._switch(_AC_SWITCH) and self.load_w == 0.0:
            self.load_w = self.spec.base_load_w
