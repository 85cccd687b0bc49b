"""How the catalogue modules declare a block: a text table plus the block's length rules."""

from __future__ import annotations

from power_sdk.parser.schema import BlockSchema
from power_sdk.parser.table import fields_from_table

__all__ = ["PARTIAL", "VERIFIED", "layout"]

#: every field checked against the vendor app's parser
VERIFIED = "verified_reference"
#: some fields still provisional
PARTIAL = "partial"


def layout(
    block_id: int,
    name: str,
    *,
    min_length: int,
    strict: bool,
    status: str,
    description: str,
    table: str,
) -> BlockSchema:
    """The schema of one block from its field table (see :mod:`power_sdk.parser.table`)."""
    return BlockSchema(
        block_id=block_id,
        name=name,
        fields=fields_from_table(table, where=f"block {block_id}"),
        min_length=min_length,
        strict=strict,
        description=description,
        verification_status=status,
    )
