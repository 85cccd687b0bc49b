"""An instance-scoped schema registry: every client owns one, nothing is global."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from power_sdk.errors import SchemaError, UnknownBlockError
from power_sdk.parser.schema import BlockSchema

__all__ = ["SchemaRegistry"]

logger = logging.getLogger(__name__)


class SchemaRegistry:
    """Block schemas by block id, validated when registered.

    A schema registered over a built-in one replaces it (in this registry only); replacing a
    schema registered by the user needs ``replace=True``.
    """

    def __init__(self, schemas: Iterable[BlockSchema] = (), *, builtin: bool = False) -> None:
        self._schemas: dict[int, BlockSchema] = {}
        self._builtin: set[int] = set()
        self.warnings: list[str] = []
        for schema in schemas:
            self._add(schema, quiet=builtin)
        if builtin:
            self._builtin.update(self._schemas)

    @classmethod
    def with_builtins(cls) -> SchemaRegistry:
        """A registry holding the built-in Bluetti V2 block catalogue."""
        from power_sdk.plugins.bluetti.v2.schemas import BUILTIN_SCHEMAS

        return cls(BUILTIN_SCHEMAS, builtin=True)

    def register(self, schema: BlockSchema, *, replace: bool = False) -> list[str]:
        """Validate and add ``schema``; returns its validation warnings (also logged).

        It replaces a built-in schema of the same block id; a second schema of the user's own
        for one block id is an error unless ``replace`` is true (or it equals the first).
        """
        if not isinstance(schema, BlockSchema):
            raise SchemaError(f"expected a BlockSchema, got {type(schema).__name__}")
        existing = self._schemas.get(schema.block_id)
        if existing is not None and existing != schema and not replace:
            if schema.block_id not in self._builtin:
                raise SchemaError(
                    f"block {schema.block_id} already has a schema ({existing.name}); pass "
                    "replace=True to override it"
                )
            logger.info(
                "block %s: %s replaces the built-in %s in this registry",
                schema.block_id,
                schema.name,
                existing.name,
            )
        return self._add(schema)

    def _add(self, schema: BlockSchema, *, quiet: bool = False) -> list[str]:
        warnings = schema.validate()
        for warning in warnings:
            # the catalogue's own warnings are known; a user's schema deserves attention
            logger.log(logging.DEBUG if quiet else logging.INFO, "schema warning: %s", warning)
        self.warnings.extend(warnings)
        self._schemas[schema.block_id] = schema
        self._builtin.discard(schema.block_id)
        return warnings

    def is_builtin(self, block_id: int) -> bool:
        """Whether ``block_id`` still has its built-in schema here."""
        return block_id in self._builtin

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
