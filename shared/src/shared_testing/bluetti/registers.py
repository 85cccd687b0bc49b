"""A device's register image and the physics that make its values drift.

Each device keeps a 65536-register image. Dynamic values (state of charge, powers, energy
counters) are recomputed from a small energy model before every read, at ``speed`` times real
time: SOC falls while the load exceeds solar input, a full battery feeds the solar surplus into
the grid (negative grid power), energy counters only ever grow.
"""

from __future__ import annotations

import math
import random
import struct
import time
from dataclasses import dataclass, field

__all__ = ["PROFILES", "WRITABLE", "DeviceModel", "ProfileSpec"]


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """What the simulator needs to know about a model."""

    model: str
    protocol: int
    capacity_wh: float
    base_load_w: float
    pv_peak_w: float
    blocks: dict[int, int]
    cells: int = 16


_ALL = {100: 66, 1100: 54, 1300: 16, 1400: 36, 1500: 15, 6000: 32, 6100: 26}

PROFILES: dict[str, ProfileSpec] = {
    "EL30V2": ProfileSpec(
        "EL30V2",
        2000,
        288.0,
        120.0,
        200.0,
        {100: 60, 1100: 54, 1300: 16, 1400: 36, 6000: 32, 6100: 26},
    ),
    "EL100V2": ProfileSpec("EL100V2", 2001, 1024.0, 300.0, 500.0, dict(_ALL)),
    "ELITE200V2": ProfileSpec("ELITE200V2", 2001, 2073.6, 450.0, 800.0, dict(_ALL)),
}

#: registers a client may write (settings block), first and one past last
WRITABLE = (2000, 2300)


@dataclass
class DeviceModel:
    """Energy state of one device and its register image."""

    serial: str
    spec: ProfileSpec
    speed: float = 60.0
    seed: int | None = None
    image: bytearray = field(default_factory=lambda: bytearray(2 * 65536))
    soc: float = 87.0
    load_w: float = 0.0
    pv_w: float = 0.0
    ac_in_w: float = 0.0
    #: power from (positive) or to (negative, export) the grid
    grid_w: float = 0.0
    charge_wh: float = 1234.5
    discharge_wh: float = 2345.6
    pv_wh: float = 345.6
    feedback_wh: float = 12.3
    cycles: int = 42
    _last: float = 0.0
    _started: float = 0.0
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed if self.seed is not None else hash(self.serial))
        self._started = self._last = time.monotonic()
        self.load_w = self.spec.base_load_w
        self._write_static()
        self.tick()

    # -- physics ------------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> None:
        """Advance the energy model to ``now`` and re-render the dynamic registers."""
        now = time.monotonic() if now is None else now
        hours = max(0.0, now - self._last) * self.speed / 3600.0
        self._last = now
        spec = self.spec
        self.load_w = max(0.0, self.load_w + self._rng.uniform(-0.05, 0.05) * spec.base_load_w)
        self.load_w = min(self.load_w, 3 * spec.base_load_w)
        phase = (now - self._started) * self.speed / 86400.0 * 2 * math.pi
        self.pv_w = max(0.0, spec.pv_peak_w * 0.3 * (1 + math.sin(phase)))
        self.ac_in_w = spec.base_load_w * 2 if self.soc <= 10.0 else 0.0
        net_w = self.load_w - self.pv_w - self.ac_in_w
        self.grid_w = self.ac_in_w
        if self.soc >= 100.0 and net_w < 0:  # full: the solar surplus is fed into the grid
            self.grid_w = net_w
            self.feedback_wh += -net_w * hours
            net_w = 0.0
        self.soc = min(100.0, max(0.0, self.soc - net_w * hours / spec.capacity_wh * 100.0))
        if net_w > 0:
            self.discharge_wh += net_w * hours
        else:
            self.charge_wh += -net_w * hours
        self.pv_wh += self.pv_w * hours
        self._write_dynamic(net_w)

    # -- register image -----------------------------------------------------------------------

    def _put(self, fmt: str, block: int, offset: int, *values: object) -> None:
        struct.pack_into(">" + fmt, self.image, 2 * block + offset, *values)

    def _text(self, block: int, offset: int, length: int, text: str) -> None:
        data = text.encode("ascii")[:length].ljust(length, b"\x00")
        self.image[2 * block + offset : 2 * block + offset + length] = data

    def _write_static(self) -> None:
        model, serial = self.spec.model, self.serial
        self._put("H", 100, 16, 0b1)
        self._text(100, 20, 12, model)
        self._text(100, 32, 8, serial[-8:])
        self._put("H", 100, 120, 98)
        self._put("B", 1100, 1, 1)
        self._text(1100, 2, 12, model)
        self._text(1100, 14, 8, serial[-8:])
        self._put("H", 6000, 0, 1)
        self._put("B", 6000, 3, 1)
        self._put("H", 6000, 4, 0b1)
        self._put("H", 6000, 20, 584)
        self._put("H", 6000, 22, 200)
        self._put("H", 6000, 24, 300)
        self._put("H", 6000, 38, self.spec.cells)
        self._put("H", 6100, 0, 1)
        self._put("H", 6100, 10, self.spec.cells)
        self._put("B", 1400, 59, 1)
        self._put("B", 1500, 17, 1)
        self._put("H", 2000, 0, 1)  # AC output on

    def _write_dynamic(self, net_w: float) -> None:
        soc = round(self.soc)
        volts = 48.0 + self.soc * 0.06
        amps = abs(net_w) / volts
        load, pv, ac_in = round(self.load_w), round(self.pv_w), round(self.ac_in_w)
        temp = 25 + round(abs(net_w) / 200) + 40
        power = round(abs(net_w))
        self._put("HHHII", 100, 0, round(volts * 10), round(amps * 10), soc, power, load)
        self._put("HHH", 100, 48, temp, temp + 2, temp - 1)
        self._put(
            "IIIi4xIIIII",
            100,
            80,
            0,
            ac_in,
            pv,
            round(self.grid_w),
            round(self.charge_wh / 100),
            load,
            round(self.pv_wh / 100),
            round(self.discharge_wh / 100),
            round(self.feedback_wh / 100),
        )
        self._put("HHHH", 100, 124, 380 + soc % 7, round(pv / 38 * 10), 0, 0)
        self._put("HHH", 1100, 102, 65, temp + 5, temp + 3)
        self._put("HHHII", 1300, 0, 500, 2300, 0, round(self.charge_wh / 100), 0)
        self._put("hHh", 1300, 26, -ac_in, 2300, -round(ac_in / 23))
        self._put("IIHHHHHH", 1400, 0, 5, 12, 5, 10, 0, 0, 0, 0)
        self._put("II", 1400, 40, load, round(self.discharge_wh / 100))
        self._put("HHHH", 1400, 60, load, 2300, round(load / 23), load + 10)
        self._put("HI", 1500, 0, 500, round(self.discharge_wh / 100))
        self._put("BBHHH", 1500, 18, 0, 1, load, 2300, round(load / 23))
        self._put("HHH", 6000, 6, round(volts * 10), round(amps * 10), min(power, 65535))
        self._put("B", 6000, 11, soc)  # overlaps power's low byte, as the published layout does
        self._put("BHBxB", 6000, 13, 100, temp, 2 if net_w > 0 else 1, 1 if net_w < 0 else 0)
        to_full = round((100 - self.soc) / 100 * self.spec.capacity_wh / max(-net_w, 1) * 60)
        to_empty = round(self.soc / 100 * self.spec.capacity_wh / max(net_w, 1) * 60)
        self._put(
            "HHHHH",
            6000,
            32,
            0b11,
            min(to_full, 65535),
            min(to_empty, 65535),
            self.spec.cells,
            self.cycles,
        )
        self._put("HH", 6000, 50, temp + 2, temp - 1)
        cell_mv = round(volts * 1000 / self.spec.cells)
        self._put("HhHH", 6100, 2, round(volts * 10), round(-net_w / volts * 10), soc, 100)
        cells = [cell_mv + self._rng.randint(-5, 5) for _ in range(16)]
        self._put("16H", 6100, 12, *cells)
        self._put("8B", 6100, 44, *([temp] * 8))

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
        return bytes(self.image[2 * start : 2 * (start + count)])

    @staticmethod
    def writable(start: int, count: int) -> bool:
        """Whether the registers lie in the settings range a client may write."""
        return WRITABLE[0] <= start and start + count <= WRITABLE[1]

    def write(self, start: int, data: bytes) -> None:
        """Store register values; the settings take effect on the model."""
        self.image[2 * start : 2 * start + len(data)] = data
        ac_on = struct.unpack_from(">H", self.image, 2 * WRITABLE[0])[0]
        if not ac_on:
            self.load_w = 0.0
        elif self.load_w == 0.0:
            self.load_w = self.spec.base_load_w
