"""Our Bluetti V2 catalogue against the published layouts, block by block and field by field.

``data/bluetti_v2_layouts.json`` holds the layout facts of every block the published package
declares (see its ``source``). The first tests compare our schemas' declarations with them;
the property tests decode random register images twice, once with our parser and once with a
small reference decoder written here from the facts alone, and require the same value for
every field.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_sdk import BlockSchema, Field, FieldGroup, SchemaRegistry
from power_sdk.parser import Int8, Int16, Int32, String, UInt8, UInt16, UInt32
from power_sdk.plugins.bluetti.v2.schemas import BUILTIN_SCHEMAS, list_blocks

FACTS_FILE = Path(__file__).parent / "data" / "bluetti_v2_layouts.json"
FACTS: list[dict[str, Any]] = json.loads(FACTS_FILE.read_text(encoding="utf-8"))["blocks"]
BY_ID = {block["block_id"]: block for block in FACTS}
OURS = {schema.block_id: schema for schema in BUILTIN_SCHEMAS}

#: block names that differ on purpose: the published README's table calls 1500 so
RENAMED = {1500: "INV_LOAD_MULTI"}

INTEGERS = {
    "UInt8": UInt8,
    "Int8": Int8,
    "UInt16": UInt16,
    "Int16": Int16,
    "UInt32": UInt32,
    "Int32": Int32,
}


def fact_fields(block: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """Every field of a published block with its group (``None`` at the top level)."""
    flat: list[tuple[str | None, dict[str, Any]]] = []
    for item in block["fields"]:
        if item["kind"] == "group":
            flat.extend((item["name"], field) for field in item["fields"])
        else:
            flat.append((None, item))
    return flat


def our_field(schema: BlockSchema, group: str | None, name: str) -> Field:
    for field, owner in schema.flat_fields:
        if (owner, field.name) == (group, name):
            return field
    raise AssertionError(f"block {schema.block_id} has no field {group}.{name}")


def test_every_published_block_is_built_in() -> None:
    assert len(FACTS) == 45
    assert sorted(BY_ID) == list_blocks()
    assert sorted(BY_ID) == sorted(schema.block_id for schema in SchemaRegistry.with_builtins())


@pytest.mark.parametrize("block_id", sorted(BY_ID))
def test_block_declaration_matches_the_published_layout(block_id: int) -> None:
    facts, schema = BY_ID[block_id], OURS[block_id]
    assert schema.name == RENAMED.get(block_id, facts["name"])
    assert (schema.min_length, schema.strict) == (facts["min_length"], facts["strict"])
    assert schema.protocol_version == facts["protocol_version"]
    assert schema.schema_version == facts["schema_version"]
    assert schema.verification_status == facts["verification_status"]
    groups = {item.name: item for item in schema.fields if isinstance(item, FieldGroup)}
    for item in facts["fields"]:
        if item["kind"] == "group":
            assert groups[item["name"]].evidence_status == item["evidence_status"]
            assert groups[item["name"]].required == item["required"]
    expected = fact_fields(facts)
    assert len(schema.flat_fields) == len(expected)  # no field more, none less
    for group, fact in expected:
        field = our_field(schema, group, fact["name"])
        where = f"{block_id} {group or ''}.{fact['name']}"
        assert field.offset == fact["offset"], where
        kind = fact["type"]
        if kind["kind"] == "String":
            assert field.type == String(kind["size"]), where
        else:
            assert field.type == INTEGERS[kind["kind"]](), where
        assert field.type.size == kind["size"], where
        assert list(field.transform) == fact["transform"], where
        assert field.unit == fact["unit"], where
        assert field.required == fact["required"], where
        assert field.min_protocol_version == fact["min_protocol_version"], where


# -- a reference decoder written from the facts alone ------------------------------------------


def _enable_list(raw: int, mode: int, index: int) -> int:
    size = 3 if mode == 3 else 2
    bits = [raw >> (15 - i) & 1 for i in range(16)]
    chunks = [bits[s : s + size] for s in range(0, 16 - size + 1, size)]
    return sum(bit << j for j, bit in enumerate(chunks[index]))


def reference_transform(spec: str, value: Any) -> Any:
    name, *args = spec.split(":")
    if name == "scale":
        return round(value * float(args[0]), 6)
    if name == "minus":
        return value - float(args[0])
    if name == "bitmask":
        return int(value) & int(args[0], 16)
    if name == "shift":
        return int(value) >> int(args[0])
    if name == "clamp":
        return max(float(args[0]), min(float(args[1]), value))
    if name == "abs":
        return abs(value)
    if name == "hex_enable_list":
        return _enable_list(int(value), int(args[0]), int(args[1]))
    raise AssertionError(f"the facts use a transform the reference does not know: {spec}")


def reference_value(fact: dict[str, Any], data: bytes) -> Any:
    """The field's value as the published layout defines it (``None``: not defined)."""
    kind, offset = fact["type"], fact["offset"]
    if kind["kind"] == "String":
        raw = data[offset : offset + kind["size"]].split(b"\x00", 1)[0]
        return raw.decode("ascii") if raw.isascii() else None
    code = {1: "b", 2: "h", 4: "i"}[kind["size"]]
    value = struct.unpack_from(">" + (code if kind["signed"] else code.upper()), data, offset)[0]
    for spec in fact["transform"]:
        value = reference_transform(spec, value)
    return value


def assert_same(ours: Any, reference: Any, where: str) -> None:
    if reference is None:  # non-ASCII text: the published package fails such a field
        assert isinstance(ours, str), where
        assert "\ufffd" in ours, where
    elif isinstance(reference, float) or isinstance(ours, float):
        assert math.isclose(ours, reference, rel_tol=1e-9, abs_tol=1e-6), (where, ours, reference)
    else:
        assert ours == reference, where
        assert type(ours) is type(reference), where


def check_image(block_id: int, data: bytes, protocol: int) -> None:
    schema, facts = OURS[block_id], BY_ID[block_id]
    values = schema.parse(data, protocol=protocol).values
    for group, fact in fact_fields(facts):
        gate = fact["min_protocol_version"]
        holder = values if group is None else values[group]
        where = f"block {block_id} {group or ''}.{fact['name']}"
        if gate is not None and gate > protocol:
            assert fact["name"] not in holder, where
            continue
        assert_same(holder[fact["name"]], reference_value(fact, data), where)


def image(block_id: int) -> st.SearchStrategy[bytes]:
    """A random register image of the whole block, text fields printable half the time."""
    length = OURS[block_id].register_count * 2
    raw = st.binary(min_size=length, max_size=length)
    printable = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=64)

    def with_text(data: bytes, text: str) -> bytes:
        buffer = bytearray(data)
        for _, fact in fact_fields(BY_ID[block_id]):
            if fact["type"]["kind"] == "String":
                size, offset = fact["type"]["size"], fact["offset"]
                buffer[offset : offset + size] = text.encode()[:size].ljust(size, b"\x00")
        return bytes(buffer)

    return st.one_of(raw, st.builds(with_text, raw, printable))


@pytest.mark.parametrize("block_id", sorted(BY_ID))
@settings(max_examples=60)
@given(data=st.data(), protocol=st.sampled_from([2000, 2001, 2005, 2010]))
def test_random_images_parse_as_the_published_layout_says(
    block_id: int, data: st.DataObject, protocol: int
) -> None:
    check_image(block_id, data.draw(image(block_id)), protocol)


@pytest.mark.parametrize(
    ("block_id", "offset", "packed", "field", "expected"),
    [
        (100, 2, struct.pack(">h", -123), "pack_current", -12.3),
        (100, 92, struct.pack(">i", -850), "grid_power", -850),
        (1300, 26, struct.pack(">h", -1500), "phase_0_power", -1500),
        (1300, 30, struct.pack(">h", -65), "phase_0_current", -6.5),
        (6000, 8, struct.pack(">h", -65), "current", -6.5),
        (6000, 12, bytes([76]), "soc", 76),
        (6100, 1, bytes([3]), "pack_id", 3),
        (6100, 22, struct.pack(">H", 532), "voltage", 53.2),
        (6100, 24, struct.pack(">h", -40), "current", -4.0),
    ],
)
def test_the_fields_the_issue_named_read_as_published(
    block_id: int, offset: int, packed: bytes, field: str, expected: float
) -> None:
    data = bytearray(OURS[block_id].register_count * 2)
    data[offset : offset + len(packed)] = packed
    assert OURS[block_id].parse(bytes(data), protocol=2001).values[field] == expected
