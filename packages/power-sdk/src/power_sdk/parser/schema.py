"""Declarative block schemas: a block is data (fields at byte offsets), not code.

A :class:`BlockSchema` compiles into precomputed ``struct.Struct`` plans, one per data length
and protocol version it meets, so parsing a block is one or two ``unpack_from`` calls plus the
fields' transforms.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from power_sdk.errors import ParseError, SchemaError, ShortBlockError
from power_sdk.parser.datatypes import Array, DataType, parse_datatype
from power_sdk.parser.transforms import compile_transforms

__all__ = ["BlockSchema", "Field", "ParsedBlock"]


def _tuple_of_str(value: Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise SchemaError(f"transforms must be a list such as ['scale:0.1'], got {value!r}")
    return tuple(value)


@attrs.frozen
class Field:
    """One value at a byte ``offset`` of a block.

    ``transforms`` run in order after the datatype decode; ``min_protocol`` hides the field on
    devices whose protocol version is older.
    """

    name: str
    offset: int
    type: DataType
    transforms: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    unit: str | None = None
    min_protocol: int = 0
    description: str = ""

    @property
    def end(self) -> int:
        """Byte offset just after the field."""
        return self.offset + self.type.size


@attrs.frozen
class ParsedBlock:
    """A decoded block: field values by name, their units, and the raw bytes."""

    block_id: int
    name: str
    values: dict[str, Any]
    units: dict[str, str]
    raw: bytes = attrs.field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def to_dict(self) -> dict[str, Any]:
        """The block as plain JSON-ready data."""
        return {"block_id": self.block_id, "name": self.name, "values": dict(self.values)}


def _fields(value: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(value)


# (name, number of raw values, post-processing or None)
_Entry = tuple[str, int, Callable[[Any], Any] | None]


@attrs.frozen
class _Plan:
    groups: tuple[tuple[struct.Struct, tuple[_Entry, ...]], ...]


def _check_field_types(block_id: int, field: Field) -> None:
    where = f"block {block_id}: field {field.name!r}"
    if not isinstance(field.name, str) or not field.name:
        raise SchemaError(f"{where}: the name must be non-empty text")
    for what, value in (("offset", field.offset), ("min_protocol", field.min_protocol)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(f"{where}: {what} must be an integer, got {value!r}")
    if not isinstance(field.type, DataType):
        raise SchemaError(
            f"{where}: type must be a datatype instance such as UInt16(), got {field.type!r}"
        )


def _post(field: Field) -> Callable[[Any], Any] | None:
    kind = field.type
    try:
        transform = compile_transforms(field.transforms)
    except SchemaError as exc:
        raise SchemaError(f"field {field.name!r}: {exc}") from exc
    if transform is not None and not kind.numeric:
        raise SchemaError(f"field {field.name!r}: transforms need a numeric type, not {kind.label}")
    if isinstance(kind, Array):
        finish = kind.finish
        if transform is None:
            return finish
        each = transform
        return lambda raw: finish([each(v) for v in raw])
    if transform is None:
        return None if kind.trivial else kind.finish
    if kind.trivial:
        return transform
    finish, apply = kind.finish, transform
    return lambda raw: finish(apply(raw))


@attrs.frozen
class BlockSchema:
    """The layout of one block: its id (= first register), name, fields and length rules.

    ``min_length`` is in bytes. A ``strict`` block shorter than that is an error; a lenient one
    (older firmware sends less) yields the fields that fit.
    """

    block_id: int
    name: str
    fields: tuple[Field, ...] = attrs.field(converter=_fields)
    min_length: int = 0
    strict: bool = False
    description: str = ""
    _posts: dict[str, Callable[[Any], Any] | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _plans: dict[tuple[int, int], _Plan] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _units: dict[str, str] = attrs.field(init=False, eq=False, repr=False)

    @_units.default
    def _units_default(self) -> dict[str, str]:
        return self.units

    @property
    def length(self) -> int:
        """Bytes needed to hold every field."""
        return max([self.min_length, *(f.end for f in self.fields)])

    @property
    def register_count(self) -> int:
        """Registers to read so that every field is covered."""
        return (self.length + 1) // 2

    @property
    def units(self) -> dict[str, str]:
        """Unit of every field that has one."""
        return {f.name: f.unit for f in self.fields if f.unit}

    def validate(self) -> list[str]:
        """Check the schema; raise :class:`SchemaError` for errors, return warnings.

        Compiles every transform (so unknown names and bad arguments fail here) and reports
        overlapping fields as warnings: published layouts sometimes overlap, and the data says so.
        """
        for what, value in (("block id", self.block_id), ("min_length", self.min_length)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SchemaError(f"block {self.block_id!r}: {what} must be an integer")
        if not 0 <= self.block_id <= 0xFFFF:
            raise SchemaError(f"block id must be a register number 0..65535, got {self.block_id}")
        if self.min_length < 0:
            raise SchemaError(f"block {self.block_id}: min_length must be >= 0")
        seen: set[str] = set()
        for field in self.fields:
            if field.name in seen:
                raise SchemaError(f"block {self.block_id}: field {field.name!r} is defined twice")
            seen.add(field.name)
            _check_field_types(self.block_id, field)
            if field.offset < 0:
                raise SchemaError(
                    f"block {self.block_id}: field {field.name!r} has a negative offset"
                )
            try:
                self._posts[field.name] = _post(field)
            except SchemaError as exc:
                raise SchemaError(f"block {self.block_id}: {exc}") from exc
        warnings = []
        ordered = sorted(self.fields, key=lambda f: f.offset)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                if second.offset >= first.end:
                    break
                warnings.append(
                    f"block {self.block_id}: field {second.name!r} (bytes {second.offset}.."
                    f"{second.end - 1}) overlaps {first.name!r} (bytes {first.offset}.."
                    f"{first.end - 1})"
                )
        return warnings

    def _plan(self, length: int, protocol: int) -> _Plan:
        if len(self._posts) != len(self.fields):
            self.validate()
        chosen = sorted(
            (f for f in self.fields if f.end <= length and f.min_protocol <= protocol),
            key=lambda f: f.offset,
        )
        # Fields pack into as few structs as overlaps allow (usually one).
        layers: list[list[Field]] = []
        for field in chosen:
            for layer in layers:
                if layer[-1].end <= field.offset:
                    layer.append(field)
                    break
            else:
                layers.append([field])
        groups = []
        for layer in layers:
            fmt = [">"]
            position = 0
            entries: list[_Entry] = []
            for field in layer:
                if field.offset > position:
                    fmt.append(f"{field.offset - position}x")
                fmt.append(field.type.fmt)
                position = field.end
                # 0 marks a scalar; arrays (even of one item) keep their item count
                count = field.type.count if isinstance(field.type, Array) else 0
                entries.append((field.name, count, self._posts[field.name]))
            groups.append((struct.Struct("".join(fmt)), tuple(entries)))
        return _Plan(tuple(groups))

    def parse(self, data: bytes, *, protocol: int = 10_000) -> ParsedBlock:
        """Decode ``data`` (the block's bytes) into a :class:`ParsedBlock`."""
        length = len(data)
        if length < self.min_length and (self.strict or length == 0):
            raise ShortBlockError(
                f"block {self.block_id} ({self.name}) needs at least {self.min_length} bytes, "
                f"got {length}; read it with its full register count"
            )
        key = (length, protocol)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(length, protocol)
        values: dict[str, Any] = {}
        name = ""
        try:
            for packer, entries in plan.groups:
                raw = packer.unpack_from(data)
                index = 0
                for name, count, post in entries:
                    if count == 0:
                        value = raw[index]
                        index += 1
                    else:
                        value = raw[index : index + count]
                        index += count
                    values[name] = value if post is None else post(value)
        except (ArithmeticError, ValueError, TypeError) as exc:
            # e.g. a huge scale factor overflowing into a later bitmask: say which field
            raise ParseError(
                f"block {self.block_id} ({self.name}): field {name!r} cannot be decoded: {exc}; "
                "check its transforms"
            ) from exc
        return ParsedBlock(self.block_id, self.name, values, dict(self._units), bytes(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BlockSchema:
        """Build a schema from plain data (JSON/YAML), datatypes in text form (``u16``...).

        A malformed entry is a :class:`SchemaError` naming its key (``fields[2].offset``).
        """
        if not isinstance(data, Mapping):
            raise SchemaError(f"a block schema must be a mapping, got {type(data).__name__}")
        block_id = _integer(_require(data, "block_id", ""), "block_id")
        name = _text(_require(data, "name", ""), "name")
        raw_fields = _require(data, "fields", "")
        if not isinstance(raw_fields, list | tuple):
            raise SchemaError(f"fields must be a list of field mappings, got {raw_fields!r}")
        return cls(
            block_id=block_id,
            name=name,
            fields=(_field_from_dict(f, f"fields[{i}]") for i, f in enumerate(raw_fields)),
            min_length=_integer(data.get("min_length", 0), "min_length"),
            strict=_flag(data.get("strict", False), "strict"),
            description=_text(data.get("description", ""), "description"),
        )


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise SchemaError(f"block schema data lacks {where}{key}")
    return data[key]


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(f"{where} must be an integer, got {value!r}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"{where} must be a string, got {value!r}")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"{where} must be true or false, got {value!r}")
    return value


def _field_from_dict(data: Any, where: str) -> Field:
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where} must be a mapping with name, offset and type, got {data!r}")
    mapping = data.get("mapping")
    if mapping is not None and not isinstance(mapping, Mapping):
        raise SchemaError(f"{where}.mapping must map integers to names, got {mapping!r}")
    transforms = data.get("transforms", ())
    if isinstance(transforms, str):
        transforms = (transforms,)
    if not isinstance(transforms, list | tuple):
        raise SchemaError(f"{where}.transforms must be a list such as ['scale:0.1']")
    unit = data.get("unit")
    try:
        kind = parse_datatype(_text(_require(data, "type", f"{where}."), f"{where}.type"), mapping)
    except SchemaError as exc:
        raise SchemaError(f"{where}.type: {exc}") from exc
    except (TypeError, ValueError) as exc:  # mapping keys that are not integers
        raise SchemaError(f"{where}.mapping must map integers to names: {exc}") from exc
    return Field(
        name=_text(_require(data, "name", f"{where}."), f"{where}.name"),
        offset=_integer(_require(data, "offset", f"{where}."), f"{where}.offset"),
        type=kind,
        transforms=tuple(transforms),
        unit=None if unit is None else _text(unit, f"{where}.unit"),
        min_protocol=_integer(data.get("min_protocol", 0), f"{where}.min_protocol"),
        description=_text(data.get("description", ""), f"{where}.description"),
    )
