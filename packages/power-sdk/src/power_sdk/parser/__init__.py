"""Parser layer: declarative block schemas, datatypes, transforms and the schema registry."""

from power_sdk.parser.datatypes import (
    Array,
    Bitmap,
    DataType,
    Enum,
    Int8,
    Int16,
    Int32,
    String,
    UInt8,
    UInt16,
    UInt32,
    parse_datatype,
)
from power_sdk.parser.registry import SchemaRegistry
from power_sdk.parser.schema import BlockSchema, Field, FieldGroup, ParsedBlock
from power_sdk.parser.table import fields_from_table
from power_sdk.parser.transforms import compile_transforms

__all__ = [
    "Array",
    "Bitmap",
    "BlockSchema",
    "DataType",
    "Enum",
    "Field",
    "FieldGroup",
    "Int8",
    "Int16",
    "Int32",
    "ParsedBlock",
    "SchemaRegistry",
    "String",
    "UInt8",
    "UInt16",
    "UInt32",
    "compile_transforms",
    "fields_from_table",
    "parse_datatype",
]
