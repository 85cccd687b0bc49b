"""Declarative block schemas: a block is data (fields at byte offsets), not code.

A :class:`BlockSchema` compiles into precomputed ``struct.Struct`` plans, one per data length
and protocol version it meets, so parsing a block is one or two ``unpack_from`` calls plus the
fields' transforms.

The names and keywords are the published package's: ``Field(name=, offset=, type=, unit=,
required=, transform=[...], min_protocol_version=, description=)``, ``FieldGroup`` for values
that belong together (parsed into a nested mapping) and ``BlockSchema(block_id=, name=,
fields=, min_length=, strict=, ...)``.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from power_sdk.errors import ParseError, SchemaError, ShortBlockError
from power_sdk.parser.datatypes import Array, DataType, parse_datatype
from power_sdk.parser.transforms import compile_transforms, transform_spec

__all__ = ["BlockSchema", "Field", "FieldGroup", "ParsedBlock"]

logger = logging.getLogger(__name__)

#: the protocol version the published package assumes when a schema names none
V2_PROTOCOL_VERSION = 2000


def _specs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise SchemaError(f"transform must be a list such as ['scale:0.1'], got {value!r}")
    return tuple(transform_spec(item) for item in value)


@attrs.frozen
class Field:
    """One value at a byte ``offset`` of a block.

    ``transform`` runs in order after the datatype decode; ``min_protocol_version`` hides the
    field on devices whose protocol version is older. A ``required`` field that is not in the
    data fails a strict block (:class:`ShortBlockError`); otherwise missing fields are left
    out of the values and listed in :attr:`ParsedBlock.missing`.
    """

    name: str
    offset: int
    type: DataType
    unit: str | None = None
    required: bool = True
    transform: tuple[str, ...] = attrs.field(default=(), converter=_specs)
    min_protocol_version: int | None = None
    description: str = ""

    @property
    def end(self) -> int:
        """Byte offset just after the field."""
        return self.offset + self.type.size

    def size(self) -> int:
        """Bytes the field occupies."""
        return self.type.size


def _field_tuple(value: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(value)


@attrs.frozen
class FieldGroup:
    """Fields that belong together: parsed into ``values[name] = {field: value, ...}``.

    Each field keeps its absolute byte offset in the block. ``evidence_status`` says how sure
    the published layout is about the group (``verified_reference``, ``partial``...).
    """

    name: str
    fields: tuple[Field, ...] = attrs.field(converter=_field_tuple)
    required: bool = False
    description: str = ""
    evidence_status: str | None = None


@attrs.define
class ParsedBlock:
    """A decoded block: field values by name, their units, and the raw bytes.

    Values of a :class:`FieldGroup` are a nested mapping; their units are keyed
    ``"group.field"``. ``missing`` names the fields the data was too short for.
    """

    block_id: int
    name: str
    values: dict[str, Any]
    units: dict[str, str]
    raw: bytes = attrs.field(repr=False)
    missing: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def to_dict(self) -> dict[str, Any]:
        """The block as plain JSON-ready data."""
        return {"block_id": self.block_id, "name": self.name, "values": dict(self.values)}


SchemaItem = Field | FieldGroup


def _items(value: Iterable[SchemaItem]) -> tuple[SchemaItem, ...]:
    return tuple(value)


# (name, number of raw values (0: a scalar), post-processing or None, group or None)
_Entry = tuple[str, int, Callable[[Any], Any] | None, str | None]
_Post = Callable[[Any], Any]


@attrs.frozen
class _Unpack:
    """One ``struct`` over non-overlapping fields.

    When every field is a top-level scalar (the usual case), ``names`` lets the parser zip
    them with the unpacked values in one go and ``posts`` finish the few with transforms;
    otherwise ``entries`` are walked one by one.
    """

    packer: struct.Struct
    names: tuple[str, ...] | None
    posts: tuple[tuple[str, _Post], ...]
    entries: tuple[_Entry, ...]


@attrs.frozen
class _Plan:
    unpacks: tuple[_Unpack, ...]
    nested: tuple[str, ...]
    missing: tuple[str, ...]


def _check_field_types(block_id: int, field: Field) -> None:
    where = f"block {block_id}: field {field.name!r}"
    if not isinstance(field.name, str) or not field.name:
        raise SchemaError(f"{where}: the name must be non-empty text")
    if isinstance(field.offset, bool) or not isinstance(field.offset, int):
        raise SchemaError(f"{where}: offset must be an integer, got {field.offset!r}")
    gate = field.min_protocol_version
    if gate is not None and (isinstance(gate, bool) or not isinstance(gate, int)):
        raise SchemaError(f"{where}: min_protocol_version must be an integer, got {gate!r}")
    if not isinstance(field.required, bool):
        raise SchemaError(f"{where}: required must be true or false, got {field.required!r}")
    if not isinstance(field.type, DataType):
        raise SchemaError(
            f"{where}: type must be a datatype instance such as UInt16(), got {field.type!r}"
        )
    if field.offset < 0:
        raise SchemaError(f"{where} has a negative offset")


def _post(field: Field) -> Callable[[Any], Any] | None:
    kind = field.type
    try:
        transform = compile_transforms(field.transform, width=kind.size * 8)
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


def _flatten(items: Iterable[SchemaItem]) -> list[tuple[Field, str | None]]:
    flat: list[tuple[Field, str | None]] = []
    for item in items:
        if isinstance(item, FieldGroup):
            flat.extend((field, item.name) for field in item.fields)
        else:
            flat.append((item, None))
    return flat


@attrs.frozen
class BlockSchema:
    """The layout of one block: its id (= first register), name, fields and length rules.

    ``min_length`` is in bytes. A ``strict`` block (the default, as in the published package)
    shorter than that, or lacking a required field, is an error; a lenient one (older firmware
    sends less) yields the fields that fit. ``protocol_version``, ``schema_version`` and
    ``verification_status`` (``verified_reference``, ``partial``...) describe where the layout
    comes from.
    """

    block_id: int
    name: str
    fields: tuple[SchemaItem, ...] = attrs.field(converter=_items)
    min_length: int = 0
    strict: bool = True
    description: str = ""
    protocol_version: int = V2_PROTOCOL_VERSION
    schema_version: str = "1.0.0"
    verification_status: str | None = None
    _posts: dict[tuple[str | None, str], Callable[[Any], Any] | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _plans: dict[tuple[int, int], _Plan] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _units: dict[str, str] = attrs.field(init=False, eq=False, repr=False)
    _warnings: list[str] = attrs.field(init=False, factory=list, eq=False, repr=False)

    @_units.default
    def _units_default(self) -> dict[str, str]:
        return self.units

    @property
    def flat_fields(self) -> list[tuple[Field, str | None]]:
        """Every field with the name of its group (``None`` at the top level)."""
        return _flatten(self.fields)

    @property
    def length(self) -> int:
        """Bytes needed to hold every field."""
        return max([self.min_length, *(f.end for f, _ in self.flat_fields)])

    @property
    def max_field_end(self) -> int:
        """Byte offset just after the field that ends last."""
        return max([0, *(f.end for f, _ in self.flat_fields)])

    @property
    def register_count(self) -> int:
        """Registers to read so that every field is covered."""
        return (self.length + 1) // 2

    @property
    def units(self) -> dict[str, str]:
        """Unit of every field that has one (``"group.field"`` inside a group)."""
        return {
            (f.name if group is None else f"{group}.{f.name}"): f.unit
            for f, group in self.flat_fields
            if f.unit
        }

    def get_field(self, name: str) -> Field | FieldGroup | None:
        """The field or group called ``name`` (also looks one level into groups)."""
        for item in self.fields:
            if item.name == name:
                return item
        for field, group in self.flat_fields:
            if group is not None and field.name == name:
                return field
        return None

    def validate(self) -> list[str]:
        """Check the schema; raise :class:`SchemaError` for errors, return warnings.

        Compiles every transform (so unknown names and bad arguments fail here) and reports
        fields that partly overlap as warnings: published layouts sometimes overlap, and the
        data says so. Fields reading the very same bytes (flags packed into one register)
        are not reported. The result is kept: a schema shared by many registries is checked
        once.
        """
        if self._posts and len(self._posts) == len(self.flat_fields):
            return list(self._warnings)
        for what, value in (("block id", self.block_id), ("min_length", self.min_length)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SchemaError(f"block {self.block_id!r}: {what} must be an integer")
        if not 0 <= self.block_id <= 0xFFFF:
            raise SchemaError(f"block id must be a register number 0..65535, got {self.block_id}")
        if self.min_length < 0:
            raise SchemaError(f"block {self.block_id}: min_length must be >= 0")
        if not isinstance(self.strict, bool):
            raise SchemaError(f"block {self.block_id}: strict must be true or false")
        seen: set[str] = set()
        for item in self.fields:
            if not isinstance(item, Field | FieldGroup):
                raise SchemaError(
                    f"block {self.block_id}: fields must be Field or FieldGroup, got {item!r}"
                )
            if item.name in seen:
                raise SchemaError(f"block {self.block_id}: field {item.name!r} is defined twice")
            seen.add(item.name)
            if isinstance(item, FieldGroup):
                names = [f.name for f in item.fields]
                twice = {n for n in names if names.count(n) > 1}
                if twice:
                    raise SchemaError(
                        f"block {self.block_id}: group {item.name!r} defines "
                        f"{', '.join(sorted(map(str, twice)))} twice"
                    )
        for field, group in self.flat_fields:
            if not isinstance(field, Field):
                raise SchemaError(f"block {self.block_id}: group {group!r} holds {field!r}")
            _check_field_types(self.block_id, field)
            try:
                self._posts[(group, field.name)] = _post(field)
            except SchemaError as exc:
                raise SchemaError(f"block {self.block_id}: {exc}") from exc
        self._warnings[:] = self._overlaps()
        return list(self._warnings)

    def _overlaps(self) -> list[str]:
        warnings = []
        ordered = sorted(self.flat_fields, key=lambda item: item[0].offset)
        for index, (first, _) in enumerate(ordered):
            for second, _ in ordered[index + 1 :]:
                if second.offset >= first.end:
                    break
                if (second.offset, second.end) == (first.offset, first.end):
                    continue
                warnings.append(
                    f"block {self.block_id}: field {second.name!r} (bytes {second.offset}.."
                    f"{second.end - 1}) overlaps {first.name!r} (bytes {first.offset}.."
                    f"{first.end - 1})"
                )
        return warnings

    def _plan(self, length: int, protocol: int) -> _Plan:
        if len(self._posts) != len(self.flat_fields):
            self.validate()
        wanted = [
            (f, g)
            for f, g in self.flat_fields
            if f.min_protocol_version is None or f.min_protocol_version <= protocol
        ]
        short = [(f, g) for f, g in wanted if f.end > length]
        if self.strict and any(f.required for f, _ in short):
            names = ", ".join(f.name for f, _ in short if f.required)
            raise ShortBlockError(
                f"block {self.block_id} ({self.name}): {length} bytes lack the required "
                f"field(s) {names}; read it with its full register count"
            )
        chosen = sorted(((f, g) for f, g in wanted if f.end <= length), key=lambda i: i[0].offset)
        # Fields pack into as few structs as overlaps allow (usually one).
        layers: list[list[tuple[Field, str | None]]] = []
        for item in chosen:
            for layer in layers:
                if layer[-1][0].end <= item[0].offset:
                    layer.append(item)
                    break
            else:
                layers.append([item])
        groups = []
        for layer in layers:
            fmt = [">"]
            position = 0
            entries: list[_Entry] = []
            for field, group in layer:
                if field.offset > position:
                    fmt.append(f"{field.offset - position}x")
                fmt.append(field.type.fmt)
                position = field.end
                # 0 marks a scalar; arrays (even of one item) keep their item count
                count = field.type.count if isinstance(field.type, Array) else 0
                entries.append((field.name, count, self._posts[(group, field.name)], group))
            simple = all(count == 0 and group is None for _, count, _, group in entries)
            groups.append(
                _Unpack(
                    struct.Struct("".join(fmt)),
                    tuple(name for name, *_ in entries) if simple else None,
                    tuple((name, post) for name, _, post, _ in entries if post is not None),
                    tuple(entries),
                )
            )
        nested = tuple(dict.fromkeys(g for _, g in chosen if g is not None))
        missing = tuple(f.name if g is None else f"{g}.{f.name}" for f, g in short)
        return _Plan(tuple(groups), nested, missing)

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
            if plan.missing:
                logger.debug(
                    "block %s (%s): %d bytes hold no %s",
                    self.block_id,
                    self.name,
                    length,
                    ", ".join(plan.missing),
                )
        values: dict[str, Any] = {}
        for nested in plan.nested:
            values[nested] = {}
        name = ""
        try:
            for unpack in plan.unpacks:
                raw = unpack.packer.unpack_from(data)
                if unpack.names is not None:
                    values.update(zip(unpack.names, raw, strict=True))
                    for name, finish in unpack.posts:
                        values[name] = finish(values[name])
                    continue
                index = 0
                for name, count, post, group in unpack.entries:
                    if count == 0:
                        value = raw[index]
                        index += 1
                    else:
                        value = raw[index : index + count]
                        index += count
                    if post is not None:
                        value = post(value)
                    if group is None:
                        values[name] = value
                    else:
                        values[group][name] = value
        except (ArithmeticError, ValueError, TypeError) as exc:
            # e.g. a huge scale factor overflowing into a later bitmask: say which field
            raise ParseError(
                f"block {self.block_id} ({self.name}): field {name!r} cannot be decoded: {exc}; "
                "check its transforms"
            ) from exc
        return ParsedBlock(
            self.block_id, self.name, values, dict(self._units), bytes(data), plan.missing
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BlockSchema:
        """Build a schema from plain data (JSON/YAML), datatypes in text form (``u16``...).

        Keys follow the constructors (``transform`` may also be spelled ``transforms``,
        ``min_protocol_version`` also ``min_protocol``); a group is ``{"group": name,
        "fields": [...]}``. A malformed entry is a :class:`SchemaError` naming its key
        (``fields[2].offset``).
        """
        if not isinstance(data, Mapping):
            raise SchemaError(f"a block schema must be a mapping, got {type(data).__name__}")
        block_id = _integer(_require(data, "block_id", ""), "block_id")
        name = _text(_require(data, "name", ""), "name")
        raw_fields = _require(data, "fields", "")
        if not isinstance(raw_fields, list | tuple):
            raise SchemaError(f"fields must be a list of field mappings, got {raw_fields!r}")
        status = data.get("verification_status")
        return cls(
            block_id=block_id,
            name=name,
            fields=(_item_from_dict(f, f"fields[{i}]") for i, f in enumerate(raw_fields)),
            min_length=_integer(data.get("min_length", 0), "min_length"),
            strict=_flag(data.get("strict", True), "strict"),
            description=_text(data.get("description", ""), "description"),
            protocol_version=_integer(
                data.get("protocol_version", V2_PROTOCOL_VERSION), "protocol_version"
            ),
            schema_version=_text(data.get("schema_version", "1.0.0"), "schema_version"),
            verification_status=None if status is None else _text(status, "verification_status"),
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


def _either(data: Mapping[str, Any], key: str, alias: str, where: str, default: Any) -> Any:
    if key in data and alias in data:
        raise SchemaError(f"{where} gives both {key} and {alias}; keep one")
    return data.get(key, data.get(alias, default))


def _item_from_dict(data: Any, where: str) -> SchemaItem:
    if isinstance(data, Mapping) and "group" in data:
        raw = _require(data, "fields", f"{where}.")
        if not isinstance(raw, list | tuple):
            raise SchemaError(f"{where}.fields must be a list of field mappings")
        status = data.get("evidence_status")
        return FieldGroup(
            name=_text(data["group"], f"{where}.group"),
            fields=(_field_from_dict(f, f"{where}.fields[{i}]") for i, f in enumerate(raw)),
            required=_flag(data.get("required", False), f"{where}.required"),
            description=_text(data.get("description", ""), f"{where}.description"),
            evidence_status=None if status is None else _text(status, f"{where}.evidence_status"),
        )
    return _field_from_dict(data, where)


def _field_from_dict(data: Any, where: str) -> Field:
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where} must be a mapping with name, offset and type, got {data!r}")
    mapping = data.get("mapping")
    if mapping is not None and not isinstance(mapping, Mapping):
        raise SchemaError(f"{where}.mapping must map integers to names, got {mapping!r}")
    transforms = _either(data, "transform", "transforms", where, ())
    if isinstance(transforms, str):
        transforms = (transforms,)
    if not isinstance(transforms, list | tuple) or not all(isinstance(t, str) for t in transforms):
        raise SchemaError(f"{where}.transform must be a list such as ['scale:0.1']")
    unit = data.get("unit")
    gate = _either(data, "min_protocol_version", "min_protocol", where, None)
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
        unit=None if unit is None else _text(unit, f"{where}.unit"),
        required=_flag(data.get("required", True), f"{where}.required"),
        transform=tuple(transforms),
        min_protocol_version=None if gate is None else _integer(gate, f"{where}.min_protocol"),
        description=_text(data.get("description", ""), f"{where}.description"),
    )
