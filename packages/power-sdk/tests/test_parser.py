import logging
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_sdk import (
    BlockSchema,
    Field,
    ParseError,
    PowerSdkError,
    SchemaError,
    SchemaRegistry,
    ShortBlockError,
    UnknownBlockError,
)
from power_sdk.parser import (
    Array,
    Bitmap,
    Enum,
    Int8,
    Int16,
    Int32,
    String,
    UInt8,
    UInt16,
    UInt32,
    compile_transforms,
    parse_datatype,
)
from power_sdk.plugins.bluetti.v2.schemas import BUILTIN_SCHEMAS


def one(field_type: object, data: bytes, *transforms: str) -> object:
    schema = BlockSchema(1, "T", [Field("v", 0, field_type, transform=transforms)])  # type: ignore[arg-type]
    schema.validate()
    return schema.parse(data).values["v"]


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        (UInt8(), b"\xff", 255),
        (Int8(), b"\xff", -1),
        (UInt16(), b"\x01\x02", 0x0102),
        (Int16(), b"\xff\xfe", -2),
        (UInt32(), b"\x00\x01\x00\x00", 65536),
        (Int32(), b"\xff\xff\xff\xf6", -10),
        (String(6), b"EL30\x00\x00", "EL30"),
        (String(4), b" AB ", " AB "),  # kept as sent, as the published package does
        (Bitmap(UInt16()), b"\x80\x05", [0, 2, 15]),
        (Bitmap(UInt8()), b"\x00", []),
        (Enum({1: "charging"}, UInt8()), b"\x01", "charging"),
        (Enum({1: "charging"}, UInt8()), b"\x07", 7),
        (Array(UInt16(), 3), b"\x00\x01\x00\x02\x00\x03", [1, 2, 3]),
        (Array(Int8(), 2), b"\xff\x01", [-1, 1]),
    ],
)
def test_every_datatype_decodes(kind: object, data: bytes, expected: object) -> None:
    assert one(kind, data) == expected


@pytest.mark.parametrize(
    ("transforms", "raw", "expected"),
    [
        (("abs",), -5, 5),
        (("scale:0.1",), 2305, 230.5),
        (("scale:2",), 21, 42),
        (("minus:40",), 65, 25),
        (("bitmask:0x3FFF",), 0xC123, 0x0123),
        (("bitmask:15",), 0xFF, 15),
        (("shift:4",), 0xF0, 0x0F),
        (("clamp:0:100",), 140, 100),
        (("clamp:0:100",), -3, 0),
        (("abs", "scale:0.1"), -123, 12.3),
        (("minus:40", "scale:0.5", "abs"), 20, 10.0),
    ],
)
def test_every_transform(transforms: tuple[str, ...], raw: int, expected: float) -> None:
    fn = compile_transforms(transforms)
    assert fn is not None
    assert fn(raw) == expected


def test_transforms_run_in_order_on_enum_raw_value() -> None:
    assert one(Enum({3: "three"}, UInt8()), b"\x33", "bitmask:0x0F") == "three"


def test_transforms_apply_to_each_array_item() -> None:
    assert one(Array(UInt16(), 2), b"\xc0\x01\x40\x02", "bitmask:0x3FFF") == [1, 2]


def test_no_transforms_compile_to_none() -> None:
    assert compile_transforms(()) is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sqrt", "unknown transform 'sqrt'"),
        ("scale", "takes 1 argument"),
        ("scale:abc", "'abc' is not a number"),
        ("bitmask:-1", "non-negative integer"),
        ("shift:1.5", "non-negative integer"),
        ("clamp:5:1", "above maximum"),
        ("clamp:1", "takes 2 argument"),
        ("abs:1", "takes 0 argument"),
        ("scale:inf", "finite"),
        ("scale:1.5e400", "too large"),
        ("bitmask:0x", "'0x' is not a number"),
    ],
)
def test_bad_transforms_fail_at_registration(spec: str, message: str) -> None:
    schema = BlockSchema(7, "BAD", [Field("v", 0, UInt16(), transform=(spec,))])
    with pytest.raises(SchemaError, match=message):
        SchemaRegistry([schema])


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [("scale:0x10", 3, 48), ("minus:0x10", 20, 4), ("clamp:0x1:0xA", 200, 10)],
)
def test_hex_arguments_of_every_numeric_transform(spec: str, raw: int, expected: int) -> None:
    assert one(UInt16(), raw.to_bytes(2, "big"), spec) == expected


def test_transform_overflow_at_parse_time_is_a_parse_error() -> None:
    schema = BlockSchema(
        7, "BIG", [Field("v", 0, UInt16(), transform=("scale:1.0e300",) * 2 + ("shift:1",))]
    )
    SchemaRegistry([schema])
    with pytest.raises(ParseError, match="field 'v' cannot be decoded"):
        schema.parse(b"\xff\xff")


def test_transform_on_string_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="numeric type"):
        SchemaRegistry([BlockSchema(7, "S", [Field("s", 0, String(4), transform=("abs",))])])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: String(0), "String length"),
        (lambda: Array(UInt16(), 0), "Array length"),
        (lambda: Array(String(2), 2), "integer type"),
        (lambda: Bitmap(String(2)), "integer type"),
        (lambda: parse_datatype("float"), "unknown datatype"),
        (lambda: parse_datatype("array:x16:2"), "not an integer type"),
    ],
)
def test_bad_datatypes(build: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("u16", UInt16()),
        ("i32", Int32()),
        ("string:8", String(8)),
        ("bitmap", Bitmap(UInt16())),
        ("array:u16:4", Array(UInt16(), 4)),
    ],
)
def test_parse_datatype(spec: str, expected: object) -> None:
    assert parse_datatype(spec) == expected


def test_schema_validation_errors() -> None:
    dup = BlockSchema(9, "D", [Field("a", 0, UInt8()), Field("a", 1, UInt8())])
    with pytest.raises(SchemaError, match="defined twice"):
        SchemaRegistry([dup])
    with pytest.raises(SchemaError, match="negative offset"):
        SchemaRegistry([BlockSchema(9, "N", [Field("a", -1, UInt8())])])
    with pytest.raises(SchemaError, match="register number"):
        SchemaRegistry([BlockSchema(70000, "X", [])])


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (lambda: BlockSchema(9, "X", [Field("a", "4", UInt16())]), "offset must be an integer"),
        (lambda: BlockSchema(9, "X", [Field("a", 0, "u16")]), "type must be a datatype instance"),
        (lambda: BlockSchema(9, "X", [Field("a", 0, UInt16)]), "type must be a datatype"),
        (lambda: BlockSchema(9, "X", [Field(5, 0, UInt16())]), "name must be non-empty text"),
        (
            lambda: BlockSchema(9, "X", [Field("a", 0, UInt16(), min_protocol_version="x")]),
            "min_protocol_version must be an integer",
        ),
        (lambda: BlockSchema("9", "X", []), "block id must be an integer"),
        (lambda: BlockSchema(9, "X", [], min_length=2.5), "min_length must be an integer"),
        (lambda: BlockSchema(9, "X", [Field("a", 0, UInt16(), transform=7)]), "transform must"),
        (lambda: BlockSchema(9, "X", [Field("a", 0, UInt16(), required="no")]), "required must"),
    ],
)
def test_mistyped_schemas_fail_at_registration(schema: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        SchemaRegistry([schema()])


def test_no_transforms_may_be_none() -> None:
    assert Field("a", 0, UInt16(), transform=None).transform == ()  # type: ignore[arg-type]


def test_overlap_is_a_warning_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="power_sdk")
    registry = SchemaRegistry.with_builtins()
    assert registry.warnings == [
        "block 15750: field 'dc_voltage_set' (bytes 0..0) overlaps 'enable_flags' (bytes 0..1)"
    ]
    assert "overlaps" not in caplog.text  # the catalogue's own warnings are known: debug only
    mine = BlockSchema(4000, "MINE", [Field("word", 0, UInt16()), Field("low", 1, UInt8())])
    assert registry.register(mine) == [
        "block 4000: field 'low' (bytes 1..1) overlaps 'word' (bytes 0..1)"
    ]
    assert "overlaps 'word'" in caplog.text
    # flags read from the very same register are a layout choice, not an overlap
    flags = BlockSchema(
        4001,
        "FLAGS",
        [
            Field("a", 0, UInt16(), transform=["hex_enable_list:0:0"]),
            Field("b", 0, UInt16(), transform=["hex_enable_list:0:1"]),
        ],
    )
    assert registry.register(flags) == []


def test_registry_is_instance_scoped_and_rejects_duplicates() -> None:
    first, second = SchemaRegistry.with_builtins(), SchemaRegistry.with_builtins()
    custom = BlockSchema(4000, "MINE", [Field("state", 0, UInt16())])
    first.register(custom)
    assert 4000 in first
    assert 4000 not in second
    first.register(custom)  # the same schema again changes nothing
    other = BlockSchema(4000, "OTHER", [Field("state", 0, UInt8())])
    with pytest.raises(SchemaError, match=r"already has a schema \(MINE\)"):
        first.register(other)
    first.register(other, replace=True)
    assert first.get(4000).name == "OTHER"


def test_a_schema_over_a_builtin_replaces_it_in_that_registry_only() -> None:
    first, second = SchemaRegistry.with_builtins(), SchemaRegistry.with_builtins()
    assert first.is_builtin(1300)
    mine = BlockSchema(1300, "MY_GRID", [Field("frequency", 0, UInt16())], min_length=2)
    first.register(mine)
    assert first.get(1300) is mine
    assert not first.is_builtin(1300)
    assert second.get(1300).name == "INV_GRID_INFO"
    with pytest.raises(SchemaError, match="already has a schema"):
        first.register(BlockSchema(1300, "AGAIN", [Field("f", 0, UInt8())]))


def test_unknown_block_is_typed() -> None:
    with pytest.raises(UnknownBlockError, match="no schema registered for block 4242"):
        SchemaRegistry.with_builtins().get(4242)


def test_strict_block_too_short() -> None:
    schema = SchemaRegistry.with_builtins().get(1300)
    with pytest.raises(ShortBlockError, match="needs at least 32 bytes, got 10"):
        schema.parse(bytes(10))


def test_lenient_block_yields_the_fields_that_fit() -> None:
    schema = SchemaRegistry.with_builtins().get(100)
    block = schema.parse(bytes(40))
    assert "device_model" in block.values
    assert "pack_temp_avg" not in block.values
    with pytest.raises(ShortBlockError):
        schema.parse(b"")


def test_protocol_version_hides_newer_fields() -> None:
    schema = SchemaRegistry.with_builtins().get(100)
    data = bytearray(132)
    struct.pack_into(">i", data, 92, -450)
    assert "grid_power" not in schema.parse(bytes(data), protocol=2000).values
    assert schema.parse(bytes(data), protocol=2001).values["grid_power"] == -450


def test_block_100_layout() -> None:
    data = bytearray(132)
    struct.pack_into(">HHHII", data, 0, 532, 35, 87, 185, 426)
    data[20:32] = b"ELITE200V2\x00\x00"
    struct.pack_into(">HHH", data, 48, 65, 67, 64)
    struct.pack_into(">I", data, 112, 23456)
    block = SchemaRegistry.with_builtins().get(100).parse(bytes(data), protocol=2001)
    assert block.values["pack_voltage"] == 53.2
    assert block.values["soc"] == 87
    assert block.values["device_model"] == "ELITE200V2"
    assert block.values["pack_temp_avg"] == 25
    assert block.values["total_energy_discharge"] == 2345.6
    assert block.units["pack_voltage"] == "V"
    assert block["soc"] == 87


def test_adding_a_block_is_data_only() -> None:
    schema = BlockSchema.from_dict(
        {
            "block_id": 3500,
            "name": "TOTAL_ENERGY_INFO",
            "min_length": 4,
            "fields": [
                {"name": "total", "offset": 0, "type": "u32", "transforms": ["scale:0.1"]},
                {"name": "mode", "offset": 4, "type": "enum:u8", "mapping": {1: "eco"}},
            ],
        }
    )
    registry = SchemaRegistry.with_builtins()
    registry.register(schema)
    assert registry.get(3500).parse(b"\x00\x00\x00\x0b\x01").values == {"total": 1.1, "mode": "eco"}


def field_data(**changes: object) -> dict[str, object]:
    field: dict[str, object] = {"name": "v", "offset": 0, "type": "u16"}
    field.update(changes)
    return {"block_id": 9, "name": "X", "fields": [field]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "X", "fields": []}, "lacks block_id"),
        ([], "must be a mapping, got list"),
        ({"block_id": 9, "name": "X", "fields": "abc"}, "fields must be a list"),
        ({"block_id": 9.5, "name": "X", "fields": []}, "block_id must be an integer, got 9.5"),
        ({"block_id": 9, "name": "X", "fields": [], "strict": "yes"}, "strict must be true"),
        ({"block_id": 9, "name": "X", "fields": [3]}, r"fields\[0\] must be a mapping"),
        (field_data(offset="zz"), r"fields\[0\].offset must be an integer, got 'zz'"),
        (field_data(offset=1.9), r"fields\[0\].offset must be an integer, got 1.9"),
        (field_data(type="u17"), r"fields\[0\].type: unknown datatype 'u17'"),
        (field_data(type="enum", mapping=[1, 2]), r"fields\[0\].mapping must map integers"),
        (field_data(type="enum", mapping={"x": "on"}), r"fields\[0\].mapping must map integers"),
        (field_data(transforms=7), r"fields\[0\].transform must be a list"),
        (field_data(transform=[1]), r"fields\[0\].transform must be a list"),
        (field_data(transform=[], transforms=[]), r"fields\[0\] gives both transform and"),
        (field_data(required="yes"), r"fields\[0\].required must be true or false"),
        (field_data(unit=3), r"fields\[0\].unit must be a string"),
    ],
)
def test_from_dict_errors_name_the_key(data: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        BlockSchema.from_dict(data)  # type: ignore[arg-type]


def test_from_dict_takes_a_single_transform_as_text() -> None:
    schema = BlockSchema.from_dict(field_data(transforms="scale:0.1"))
    assert schema.fields[0].transform == ("scale:0.1",)  # type: ignore[union-attr]
    SchemaRegistry([schema])
    assert schema.parse(b"\x00\x0b").values == {"v": 1.1}


@settings(max_examples=150)
@given(data=st.binary(max_size=300), protocol=st.sampled_from([2000, 2001]))
def test_random_block_data_raises_only_package_errors(data: bytes, protocol: int) -> None:
    for schema in BUILTIN_SCHEMAS:
        try:
            block = schema.parse(data, protocol=protocol)
        except ParseError:
            continue
        assert set(block.values) <= {f.name for f in schema.fields}


@given(value=st.integers(0, 0xFFFF))
def test_uint16_scale_matches_struct(value: int) -> None:
    data = struct.pack(">H", value)
    assert one(UInt16(), data, "scale:0.1") == round(value * 0.1, 1)


@given(
    value=st.one_of(st.integers(-(2**31), 2**32 - 1), st.floats(-1e9, 1e9)),
    numerator=st.integers(-999, 999).filter(bool),
    digits=st.integers(1, 12),
)
def test_scale_equals_multiplying_and_rounding(value: float, numerator: int, digits: int) -> None:
    # integers take a faster path (numerator / 10**digits); it must agree with round() exactly
    argument = f"{numerator}e-{digits}"
    factor = float(argument)
    places = max(0, digits - len(str(abs(numerator))) + len(str(abs(numerator)).rstrip("0")))
    transform = compile_transforms((f"scale:{argument}",), width=32)
    assert transform is not None
    expected = round(value * factor, places) if places else value * factor
    assert transform(value) == expected


@given(values=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=8))
def test_int32_array_round_trip(values: list[int]) -> None:
    data = struct.pack(f">{len(values)}i", *values)
    assert one(Array(Int32(), len(values)), data) == values


def test_package_errors_share_one_base() -> None:
    assert issubclass(SchemaError, PowerSdkError)
    assert issubclass(ShortBlockError, ParseError)


@settings(max_examples=200)
@given(spec=st.text(max_size=20))
def test_random_transform_specs_raise_only_schema_errors(spec: str) -> None:
    try:
        fn = compile_transforms([spec])
    except SchemaError as exc:
        message = str(exc)
    else:
        assert fn is not None
        return
    assert "transform" in message


TRANSFORM_ARGUMENT = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(-(2**40), 2**40).map(hex),
    st.floats().map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(alphabet="0123456789xXeE.-+ab", max_size=8),
)


@settings(max_examples=300)
@given(
    specs=st.lists(
        st.builds(
            lambda name, args: ":".join([name, *args]),
            st.sampled_from(["abs", "scale", "minus", "bitmask", "shift", "clamp"]),
            st.lists(TRANSFORM_ARGUMENT, max_size=3),
        ),
        min_size=1,
        max_size=3,
    ),
    data=st.binary(min_size=4, max_size=4),
)
def test_transform_grammar_fails_at_registration_or_parses(specs: list[str], data: bytes) -> None:
    schema = BlockSchema(7, "T", [Field("v", 0, Int32(), transform=tuple(specs))])
    try:
        SchemaRegistry([schema])
    except SchemaError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "transform" in message
        return
    try:
        value: object = schema.parse(data).values["v"]
    except ParseError as exc:  # only arithmetic overflow of absurd factors gets here
        value = exc
    if isinstance(value, ParseError):
        assert "cannot be decoded" in str(value)
    else:
        assert isinstance(value, int | float)


@settings(max_examples=100)
@given(
    spec=st.text(alphabet="abcdefgimnorstu0123456789:", max_size=14),
    data=st.binary(min_size=64, max_size=64),
)
def test_random_datatype_specs_raise_only_schema_errors(spec: str, data: bytes) -> None:
    try:
        kind = parse_datatype(spec)
    except SchemaError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "datatype" in message or "must be" in message
        return
    schema = BlockSchema(1, "R", [Field("v", 0, kind)])
    schema.validate()
    if kind.size <= len(data):
        assert "v" in schema.parse(data).values
