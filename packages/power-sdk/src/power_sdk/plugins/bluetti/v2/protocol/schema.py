"""``BlockSchema``, ``Field`` and ``FieldGroup``, where the published package keeps them."""

from power_sdk.parser.schema import BlockSchema, Field, FieldGroup, ParsedBlock

__all__ = ["BlockSchema", "Field", "FieldGroup", "ParsedBlock"]
