"""The latest known values of one device, merged from the blocks read so far."""

from __future__ import annotations

import time
from typing import Any

import attrs

from power_sdk.parser.schema import ParsedBlock

__all__ = ["DeviceState"]


@attrs.define
class DeviceState:
    """Last parsed block per id, with the time it arrived (``time.time()`` seconds)."""

    serial: str
    blocks: dict[int, ParsedBlock] = attrs.field(factory=dict)
    updated: dict[int, float] = attrs.field(factory=dict)

    def update(self, block: ParsedBlock) -> None:
        """Record ``block`` as the latest of its id."""
        self.blocks[block.block_id] = block
        self.updated[block.block_id] = time.time()

    def value(self, block_id: int, name: str, default: Any = None) -> Any:
        """One field of the latest block ``block_id`` (``default`` when unknown)."""
        block = self.blocks.get(block_id)
        return default if block is None else block.values.get(name, default)
