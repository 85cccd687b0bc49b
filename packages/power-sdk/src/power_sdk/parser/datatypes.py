"""Datatypes a block field can have.

Each datatype describes itself as a :mod:`struct` format (big-endian, like the block data) and
how the unpacked raw value(s) become the field's value, so a whole block schema compiles into a
few precomputed ``struct.Struct`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from power_sdk.errors import SchemaError

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


class DataType:
    """Base of every datatype.

    ``fmt`` is the struct format (no byte-order prefix), ``size`` the bytes it occupies,
    ``count`` how many raw values struct unpacks for it, ``numeric`` whether transforms apply,
    ``trivial`` whether :meth:`finish` is the identity (the parser then skips it).
    """

    fmt = ""
    size = 0
    count = 1
    numeric = True
    trivial = True

    def finish(self, raw: Any) -> Any:
        """Turn the raw unpacked value (after transforms) into the field's value."""
        return raw

    @property
    def label(self) -> str:
        """Short name used in messages."""
        return type(self).__name__

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fmt))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{self.label}({args})"


class UInt8(DataType):
    """Unsigned 8-bit integer."""

    fmt, size = "B", 1


class Int8(DataType):
    """Signed 8-bit integer."""

    fmt, size = "b", 1


class UInt16(DataType):
    """Unsigned 16-bit big-endian integer."""

    fmt, size = "H", 2


class Int16(DataType):
    """Signed 16-bit big-endian integer."""

    fmt, size = "h", 2


class UInt32(DataType):
    """Unsigned 32-bit big-endian integer."""

    fmt, size = "I", 4


class Int32(DataType):
    """Signed 32-bit big-endian integer."""

    fmt, size = "i", 4


_INTEGERS: dict[str, type[DataType]] = {
    "u8": UInt8,
    "i8": Int8,
    "u16": UInt16,
    "i16": Int16,
    "u32": UInt32,
    "i32": Int32,
}


def _require_integer(kind: DataType, what: str) -> None:
    if type(kind) not in _INTEGERS.values():
        raise SchemaError(f"{what} must be an integer type, got {kind.label}")


class String(DataType):
    """ASCII text of a fixed byte length, up to its first NUL.

    Bytes outside ASCII become U+FFFD (the published package fails the field instead).
    """

    numeric = False
    trivial = False

    def __init__(self, length: int) -> None:
        if length < 1:
            raise SchemaError(f"String length must be >= 1, got {length}")
        self.length = length
        self.fmt = f"{length}s"
        self.size = length

    def finish(self, raw: Any) -> Any:
        """Decode the bytes up to the first NUL as ASCII."""
        return bytes(raw).split(b"\x00", 1)[0].decode("ascii", "replace")


class Bitmap(DataType):
    """An unsigned integer read as flags: the value is the sorted list of set bit numbers.

    Transforms act on the raw integer before it is turned into the list.
    """

    trivial = False

    def __init__(self, base: DataType | None = None) -> None:
        base = base or UInt16()
        _require_integer(base, "Bitmap base")
        self.base = base
        self.fmt, self.size = base.fmt, base.size

    def finish(self, raw: Any) -> Any:
        """List the numbers of the set bits."""
        value = int(raw)
        return [bit for bit in range(self.size * 8) if value >> bit & 1]


class Enum(DataType):
    """An integer with named values; an unknown value stays an integer.

    Transforms act on the raw integer before the name is looked up.
    """

    trivial = False

    def __init__(self, mapping: Mapping[int, str], base: DataType | None = None) -> None:
        base = base or UInt8()
        _require_integer(base, "Enum base")
        self.mapping = {int(k): str(v) for k, v in mapping.items()}
        self.base = base
        self.fmt, self.size = base.fmt, base.size

    def finish(self, raw: Any) -> Any:
        """The name of the value, or the value itself when it has none."""
        return self.mapping.get(raw, raw)


class Array(DataType):
    """``length`` consecutive items of one integer type; transforms apply to each item."""

    trivial = False

    def __init__(self, item: DataType, length: int) -> None:
        _require_integer(item, "Array item")
        if length < 1:
            raise SchemaError(f"Array length must be >= 1, got {length}")
        self.item, self.length = item, length
        self.fmt = f"{length}{item.fmt}"
        self.size = item.size * length
        self.count = length

    def finish(self, raw: Any) -> Any:
        """The items as a list."""
        return list(raw)


_SPEC = re.compile(r"^(?P<kind>[a-z0-9]+)(?::(?P<arg>[a-z0-9]+))?(?::(?P<arg2>\d+))?$")


def parse_datatype(spec: str, mapping: Mapping[int, str] | None = None) -> DataType:
    """Build a datatype from its text form, for schemas kept as data.

    Forms: ``u8 i8 u16 i16 u32 i32``, ``string:N``, ``bitmap[:u8|u16|u32]``,
    ``enum[:u8|u16]`` (with ``mapping``), ``array:u16:N``.
    """
    match = _SPEC.match(spec.strip().lower())
    if match is None:
        raise SchemaError(f"unknown datatype {spec!r}")
    kind, arg, arg2 = match["kind"], match["arg"], match["arg2"]

    def integer(name: str | None, default: str) -> DataType:
        key = name or default
        if key not in _INTEGERS:
            raise SchemaError(f"datatype {spec!r}: {key!r} is not an integer type")
        return _INTEGERS[key]()

    if kind in _INTEGERS and arg is None:
        return _INTEGERS[kind]()
    if kind == "string" and arg is not None and arg.isdigit() and arg2 is None:
        return String(int(arg))
    if kind == "bitmap" and arg2 is None:
        return Bitmap(integer(arg, "u16"))
    if kind == "enum" and arg2 is None:
        return Enum(mapping or {}, integer(arg, "u8"))
    if kind == "array" and arg2 is not None:
        return Array(integer(arg, "u16"), int(arg2))
    raise SchemaError(f"unknown datatype {spec!r}")
