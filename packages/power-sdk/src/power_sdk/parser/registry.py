"""An instance-scoped schema registry: every client owns one, nothing is global."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from power_sdk.errors import SchemaError, UnknownBlockError
from power_sdk.parser.schema import BlockSchema

__all__ = ["SchemaRegistry"]

logger = logging.getLogger(__name__)


class SchemaRegistry:
    """Block schemas by block id, validated when registered."""

    def __init__(self, schemas: Iterable[BlockSchema] = ()) -> None:
        self._schemas: dict[int, BlockSchema] = {}
        self.warnings: list[str] = []
        for schema in schemas:
            self.register(schema)

    @classmethod
    def with_builtins(cls) -> SchemaRegistry:
        """A registry holding the built-in Bluetti V2 block schemas."""
        from power_sdk.parser.blocks import BUILTIN_SCHEMAS

        return cls(BUILTIN_SCHEMAS)

    def register(self, schema: BlockSchema, *, replace: bool = False) -> list[str]:
        """Validate and add ``schema``; returns its validation warnings (also logged).

        A second schema for the same block id is an error unless ``replace`` is true.
        """
        if not isinstance(schema, BlockSchema):
            raise SchemaError(f"expected a BlockSchema, got {type(schema).__name__}")
        if schema.block_id in self._schemas and not replace:
            raise SchemaError(
                f"block {schema.block_id} already has a schema; pass replace=True to override it"
            )
        warnings = schema.validate()
        for warning in warnings:
            logger.info("schema warning: %s", warning)
        self.warnings.extend(warnings)
        self._schemas[schema.block_id] = schema
        return warnings

    def get(self, block_id: int) -> BlockSchema:
        """The schema of ``block_id``; :class:`UnknownBlockError` when there is none."""
        try:
            return self._schemas[block_id]
        except KeyError:
            raise UnknownBlockError(
                f"no schema registered for block {block_id}; known blocks: "
                f"{', '.join(map(str, sorted(self._schemas)))}; add one with register_schema()"
            ) from None

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._schemas

    def __iter__(self) -> Iterator[BlockSchema]:
        return iter(sorted(self._schemas.values(), key=lambda s: s.block_id))

    def __len__(self) -> int:
        return len(self._schemas)
