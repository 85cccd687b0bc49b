"""Block groups: named sets of blocks a device answers, read together with ``read_group``."""

from __future__ import annotations

import enum

from power_sdk.errors import UnknownGroupError

__all__ = ["MONITORING_GROUPS", "BlockGroup"]


class BlockGroup(enum.Enum):
    """Named sets of blocks; which blocks each holds depends on the device profile.

    ``CORE``, ``GRID``, ``BATTERY``, ``CELLS`` and ``INVERTER`` are the published package's
    groups; the others are additions covering the rest of the V2 block catalogue.
    """

    CORE = "core"
    GRID = "grid"
    BATTERY = "battery"
    CELLS = "cells"
    INVERTER = "inverter"
    SETTINGS = "settings"
    ENERGY = "energy"
    IOT = "iot"
    SCHEDULE = "schedule"
    SYSTEM = "system"
    ACCESSORIES = "accessories"

    @classmethod
    def parse(cls, value: BlockGroup | str) -> BlockGroup:
        """The group named ``value`` (``"core"`` or ``"CORE"``); UnknownGroupError otherwise."""
        if isinstance(value, BlockGroup):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            known = ", ".join(g.value for g in cls)
            raise UnknownGroupError(f"unknown block group {value!r}; known: {known}") from None


#: the groups the published package polls; the runtime reads these unless told otherwise
MONITORING_GROUPS = (
    BlockGroup.CORE,
    BlockGroup.GRID,
    BlockGroup.BATTERY,
    BlockGroup.CELLS,
    BlockGroup.INVERTER,
)
