"""Device profiles: which blocks a model serves, how they group, and their register counts.

A profile is data: the blocks a model answers (block id -> registers it returns) and the
groups they are read in. The Elite V2 stations all speak the V2 protocol; they differ in
the blocks they serve (the Elite 30 V2 has no per-phase inverter block and no accessories,
the Elite 200 V2 drives every accessory) and in protocol version (the Elite 30 V2 speaks
2000, so block 100 lacks the power-flow fields and is 60 registers long).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from power_sdk.errors import ConfigError, UnknownBlockError, UnknownProfileError
from power_sdk.models.types import BlockGroup

__all__ = [
    "DEVICE_PROFILES",
    "EL30V2_PROFILE",
    "EL100V2_PROFILE",
    "ELITE200_V2_PROFILE",
    "PROFILES",
    "DeviceProfile",
    "get_device_profile",
    "get_profile",
    "list_device_models",
]


def _blocks(value: Mapping[int, int]) -> Mapping[int, int]:
    return MappingProxyType(dict(value))


def _groups(
    value: Mapping[BlockGroup, tuple[int, ...]],
) -> Mapping[BlockGroup, tuple[int, ...]]:
    return MappingProxyType({group: tuple(ids) for group, ids in value.items() if ids})


@attrs.frozen
class DeviceProfile:
    """A device model: protocol, supported blocks (id -> register count) and their groups."""

    id: str
    name: str
    protocol_version: int
    blocks: Mapping[int, int] = attrs.field(converter=_blocks)
    groups: Mapping[BlockGroup, tuple[int, ...]] = attrs.field(converter=_groups)
    type_id: str = ""
    protocol: str = "v2"

    def __attrs_post_init__(self) -> None:
        for group, ids in self.groups.items():
            unknown = [b for b in ids if b not in self.blocks]
            if unknown:
                raise ConfigError(
                    f"profile {self.id}: group {group.value} names blocks {unknown} the profile "
                    "does not serve; add them to its blocks"
                )

    @property
    def model(self) -> str:
        """The model id (the published package's name for :attr:`id`)."""
        return self.id

    @property
    def description(self) -> str:
        """The model's name."""
        return self.name

    def register_count(self, block_id: int) -> int:
        """How many registers this model returns for ``block_id``."""
        try:
            return self.blocks[block_id]
        except KeyError:
            raise UnknownBlockError(
                f"profile {self.id} has no block {block_id}; it serves "
                f"{', '.join(map(str, sorted(self.blocks)))}"
            ) from None

    def group(self, group: BlockGroup) -> tuple[int, ...]:
        """Block ids of ``group`` on this model (empty when the model lacks the group)."""
        return self.groups.get(group, ())


#: registers of each V2 block: enough for every field the catalogue knows
_REGISTERS = {
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

_SMART_PLUG = (14500, 14700)
_EVERY_ACCESSORY = (
    1700, *_SMART_PLUG, 15500, 15600, 15700, 15750, 17000, 17100, 17400,
    18000, 18300, 18400, 18500, 18600,
)  # fmt: skip


def _profile(
    model: str,
    name: str,
    type_id: str,
    protocol_version: int,
    groups: Mapping[BlockGroup, tuple[int, ...]],
    *,
    shorter: Mapping[int, int] | None = None,
) -> DeviceProfile:
    served = {block for ids in groups.values() for block in ids}
    blocks = {block: _REGISTERS[block] for block in sorted(served)}
    blocks.update(shorter or {})
    return DeviceProfile(model, name, protocol_version, blocks, groups, type_id)


EL30V2_PROFILE = _profile(
    "EL30V2",
    "Bluetti Elite 30 V2",
    "32",
    2000,
    {
        BlockGroup.CORE: (100,),
        BlockGroup.GRID: (1300,),
        BlockGroup.BATTERY: (6000,),
        BlockGroup.CELLS: (6100,),
        BlockGroup.INVERTER: (1100, 1400),
        BlockGroup.SETTINGS: (2000, 2200, 7000, 19000, 19100),
        BlockGroup.ENERGY: (3500, 3600),
        BlockGroup.IOT: (11000, 12002, 12161),
        BlockGroup.SCHEDULE: (19300, 19305),
        BlockGroup.SYSTEM: (720, 6300, 29770, 29772),
    },
    shorter={100: 60},  # protocol 2000: no power-flow and PV fields
)

#: the groups the protocol 2001 stations (Elite 100 V2, Elite 200 V2) have in common
_PROTOCOL_2001_GROUPS: Mapping[BlockGroup, tuple[int, ...]] = MappingProxyType(
    {
        BlockGroup.CORE: (100,),
        BlockGroup.GRID: (1300,),
        BlockGroup.BATTERY: (6000,),
        BlockGroup.CELLS: (6100,),
        BlockGroup.INVERTER: (1100, 1400, 1500),
        BlockGroup.SETTINGS: (2000, 2200, 2400, 7000, 19000, 19100),
        BlockGroup.ENERGY: (3500, 3600),
        BlockGroup.IOT: (11000, 12002, 12161),
        BlockGroup.SCHEDULE: (19200, 19300, 19305, 19365, 19425, 19485, 26001),
        BlockGroup.SYSTEM: (720, 6300, 29770, 29772),
    }
)

EL100V2_PROFILE = _profile(
    "EL100V2",
    "Bluetti Elite 100 V2",
    "31",
    2001,
    {**_PROTOCOL_2001_GROUPS, BlockGroup.ACCESSORIES: _SMART_PLUG},
)

# the Elite 100 V2's blocks, plus the settings block 40127 and every accessory
ELITE200_V2_PROFILE = _profile(
    "ELITE200V2",
    "Bluetti Elite 200 V2",
    "8",
    2001,
    {
        **_PROTOCOL_2001_GROUPS,
        BlockGroup.SETTINGS: (*_PROTOCOL_2001_GROUPS[BlockGroup.SETTINGS], 40127),
        BlockGroup.ACCESSORIES: _EVERY_ACCESSORY,
    },
)

#: every built-in profile by id
PROFILES: Mapping[str, DeviceProfile] = MappingProxyType(
    {p.id: p for p in (EL30V2_PROFILE, EL100V2_PROFILE, ELITE200_V2_PROFILE)}
)

#: the published package's table: profile ids and the models' marketing names
DEVICE_PROFILES: Mapping[str, DeviceProfile] = MappingProxyType(
    {
        **PROFILES,
        "Elite 30 V2": EL30V2_PROFILE,
        "Elite 100 V2": EL100V2_PROFILE,
        "Elite 200 V2": ELITE200_V2_PROFILE,
    }
)


def get_profile(profile_id: str) -> DeviceProfile:
    """The built-in profile ``profile_id`` (or model name); :class:`UnknownProfileError`."""
    try:
        return DEVICE_PROFILES[profile_id]
    except (KeyError, TypeError):
        raise UnknownProfileError(
            f"unknown device profile {profile_id!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None


def get_device_profile(model: str) -> DeviceProfile:
    """The published package's name of :func:`get_profile`."""
    return get_profile(model)


def list_device_models() -> list[str]:
    """Every profile id and model name :func:`get_profile` accepts."""
    return list(DEVICE_PROFILES)
