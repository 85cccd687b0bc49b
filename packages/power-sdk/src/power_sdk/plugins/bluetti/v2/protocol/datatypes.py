"""Field datatypes (``UInt16()``, ``Int16()``, ``String(12)``...), by their published path."""

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

__all__ = [
    "Array",
    "Bitmap",
    "DataType",
    "Enum",
    "Int8",
    "Int16",
    "Int32",
    "String",
    "UInt8",
    "UInt16",
    "UInt32",
    "parse_datatype",
]
