"""Device profiles: which blocks a model has, how they group, and how many registers each is."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from power_sdk.errors import UnknownBlockError, UnknownGroupError, UnknownProfileError

__all__ = ["PROFILES", "BlockGroup", "DeviceProfile", "get_profile"]


class BlockGroup(enum.Enum):
    """Named sets of blocks a device answers, read together with ``read_group``."""

    CORE = "core"
    GRID = "grid"
    BATTERY = "battery"
    INVERTER = "inverter"
    CELLS = "cells"

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


def _blocks(value: Mapping[int, int]) -> dict[int, int]:
    return dict(value)


def _groups(value: Mapping[BlockGroup, tuple[int, ...]]) -> dict[BlockGroup, tuple[int, ...]]:
    return dict(value)


@attrs.frozen
class DeviceProfile:
    """A device model: protocol version, supported blocks (id -> register count) and groups."""

    id: str
    name: str
    protocol_version: int
    blocks: Mapping[int, int] = attrs.field(converter=_blocks)
    groups: Mapping[BlockGroup, tuple[int, ...]] = attrs.field(converter=_groups)

    def register_count(self, block_id: int) -> int:
        """How many registers this model returns for ``block_id``."""
        try:
            return self.blocks[block_id]
        except KeyError:
            raise UnknownBlockError(
                f"profile {self.id} has no block {block_id}; it supports "
                f"{', '.join(map(str, sorted(self.blocks)))}"
            ) from None

    def group(self, group: BlockGroup) -> tuple[int, ...]:
        """Block ids of ``group`` on this model (empty when the model lacks the group)."""
        return self.groups.get(group, ())


_GROUPS_FULL = {
    BlockGroup.CORE: (100,),
    BlockGroup.GRID: (1300,),
    BlockGroup.BATTERY: (6000,),
    BlockGroup.INVERTER: (1100, 1400, 1500),
    BlockGroup.CELLS: (6100,),
}

#: every built-in profile by id
PROFILES: dict[str, DeviceProfile] = {
    p.id: p
    for p in (
        DeviceProfile(
            "EL30V2",
            "Bluetti Elite 30 V2",
            2000,
            {100: 60, 1100: 54, 1300: 16, 1400: 36, 6000: 32, 6100: 26},
            {
                BlockGroup.CORE: (100,),
                BlockGroup.GRID: (1300,),
                BlockGroup.BATTERY: (6000,),
                BlockGroup.INVERTER: (1100, 1400),
                BlockGroup.CELLS: (6100,),
            },
        ),
        DeviceProfile(
            "EL100V2",
            "Bluetti Elite 100 V2",
            2001,
            {100: 66, 1100: 54, 1300: 16, 1400: 36, 1500: 15, 6000: 32, 6100: 26},
            _GROUPS_FULL,
        ),
        DeviceProfile(
            "ELITE200V2",
            "Bluetti Elite 200 V2",
            2001,
            {100: 66, 1100: 54, 1300: 16, 1400: 36, 1500: 15, 6000: 32, 6100: 26},
            _GROUPS_FULL,
        ),
    )
}


def get_profile(profile_id: str) -> DeviceProfile:
    """The built-in profile ``profile_id``; :class:`UnknownProfileError` otherwise."""
    try:
        return PROFILES[profile_id]
    except KeyError:
        raise UnknownProfileError(
            f"unknown device profile {profile_id!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None
