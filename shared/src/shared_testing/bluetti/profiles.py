"""The simulated models: the blocks each serves (with their lengths) and its physical sizes.

Written independently of power-sdk's profiles; the end-to-end tests prove both agree. The
Elite 30 V2 speaks protocol 2000 (block 100 is 60 registers, without the power-flow fields)
and serves no per-phase inverter block and no accessory; the Elite 100 V2 drives a smart
plug; the Elite 200 V2 drives every accessory the V2 catalogue knows.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "WRITABLE", "ProfileSpec"]

#: registers of each V2 block, as the stations answer them
BLOCK_REGISTERS = {
    100: 66, 720: 4, 1100: 55, 1300: 16, 1400: 34, 1500: 15, 1700: 69,
    2000: 18, 2200: 14, 2400: 5, 3500: 48, 3600: 28,
    6000: 32, 6100: 80, 6300: 13, 7000: 6,
    11000: 19, 12002: 49, 12161: 2,
    14500: 13, 14700: 28, 15500: 15, 15600: 18, 15700: 34, 15750: 1,
    17000: 13, 17100: 13, 17400: 91,
    18000: 19, 18300: 76, 18400: 1, 18500: 1, 18600: 1,
    19000: 6, 19100: 8, 19200: 19, 19300: 25, 19305: 20, 19365: 4, 19425: 4, 19485: 4,
    26001: 7, 29770: 2, 29772: 5, 40127: 12,
}  # fmt: skip

#: registers a client may write (the settings blocks), first and one past last
WRITABLE = (2000, 2300)

_STATION = (
    100, 720, 1100, 1300, 1400, 2000, 2200, 3500, 3600, 6000, 6100, 6300, 7000,
    11000, 12002, 12161, 19000, 19100, 19300, 19305, 29770, 29772,
)  # fmt: skip
_HOME = (1500, 2400, 19200, 19365, 19425, 19485, 26001)
_SMART_PLUG = (14500, 14700)
_ACCESSORIES = (
    1700, 15500, 15600, 15700, 15750, 17000, 17100, 17400,
    18000, 18300, 18400, 18500, 18600, 40127,
)  # fmt: skip


@dataclass(frozen=True)
class ProfileSpec:
    """What the simulator needs to know about a model."""

    model: str
    protocol: int
    capacity_wh: float
    base_load_w: float
    pv_peak_w: float
    blocks: dict[int, int]
    cells: int = 16
    #: state of charge when the simulator starts (a low one starts a grid charge)
    initial_soc: float = 87.0

    def serves(self, block: int) -> bool:
        """Whether the model answers ``block``."""
        return block in self.blocks


def _blocks(*groups: tuple[int, ...], shorter: dict[int, int] | None = None) -> dict[int, int]:
    blocks = {block: BLOCK_REGISTERS[block] for group in groups for block in group}
    blocks.update(shorter or {})
    return dict(sorted(blocks.items()))


PROFILES: dict[str, ProfileSpec] = {
    "EL30V2": ProfileSpec(
        "EL30V2", 2000, 288.0, 120.0, 200.0, _blocks(_STATION, shorter={100: 60}), cells=8
    ),
    "EL100V2": ProfileSpec(
        "EL100V2", 2001, 1024.0, 300.0, 500.0, _blocks(_STATION, _HOME, _SMART_PLUG)
    ),
    "ELITE200V2": ProfileSpec(
        "ELITE200V2",
        2001,
        2073.6,
        450.0,
        800.0,
        _blocks(_STATION, _HOME, _SMART_PLUG, _ACCESSORIES),
        initial_soc=8.0,
    ),
}
