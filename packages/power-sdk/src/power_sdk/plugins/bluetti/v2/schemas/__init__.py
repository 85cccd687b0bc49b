"""The built-in Bluetti V2 block catalogue: every block the published layouts describe.

Each block is data (a field table in one of the modules here); :data:`BUILTIN_SCHEMAS` lists
them by block id. Registries copy from it: nothing here is mutated at run time.
"""

from __future__ import annotations

from power_sdk.parser.registry import SchemaRegistry
from power_sdk.parser.schema import BlockSchema
from power_sdk.plugins.bluetti.v2.schemas import (
    accessories,
    ats,
    battery,
    control,
    energy,
    epad,
    home,
    inverter,
    inverter_settings,
    iot,
    system,
)

__all__ = ["BUILTIN_SCHEMAS", "get", "list_blocks", "new_registry_with_builtins"]

_MODULES = (
    home,
    inverter,
    inverter_settings,
    energy,
    battery,
    iot,
    accessories,
    ats,
    epad,
    control,
    system,
)

#: every built-in block schema, by block id
BUILTIN_SCHEMAS: tuple[BlockSchema, ...] = tuple(
    sorted(
        (getattr(module, name) for module in _MODULES for name in module.__all__),
        key=lambda schema: schema.block_id,
    )
)
_BY_ID = {schema.block_id: schema for schema in BUILTIN_SCHEMAS}


def get(block_id: int) -> BlockSchema | None:
    """The built-in schema of ``block_id`` (``None`` when the catalogue has none)."""
    return _BY_ID.get(block_id)


def list_blocks() -> list[int]:
    """Block ids of the catalogue, ascending."""
    return sorted(_BY_ID)


def new_registry_with_builtins() -> SchemaRegistry:
    """A fresh registry (one per client) holding the whole catalogue."""
    return SchemaRegistry(BUILTIN_SCHEMAS)
