"""The Zinc codec: examples from the Haystack spec, errors, and property tests."""

from __future__ import annotations

import json
import math
import string
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ace_skyspark_lib import hayson, zinc
from ace_skyspark_lib.exceptions import InvalidInputError, ZincEncodeError, ZincParseError
from ace_skyspark_lib.kinds import (
    NA,
    Coord,
    Grid,
    Marker,
    Number,
    Ref,
    Remove,
    Symbol,
    Uri,
    XStr,
    haystack_tz_name,
    zone_for,
)

NY = ZoneInfo("America/New_York")

SPEC_GRID = """ver:"3.0" database:"test" dis:"Site Energy Summary"
siteName dis:"Sites", val dis:"Value" unit:"kW"
"Site 1", 356.214kW
"Site 2", 463.028kW
"""


def test_spec_example_grid() -> None:
    grid = zinc.loads(SPEC_GRID)
    assert grid.version == "3.0"
    assert grid.meta == {"database": "test", "dis": "Site Energy Summary"}
    assert grid.columns == {"siteName": {"dis": "Sites"}, "val": {"dis": "Value", "unit": "kW"}}
    assert grid.rows == [
        {"siteName": "Site 1", "val": Number(356.214, "kW")},
        {"siteName": "Site 2", "val": Number(463.028, "kW")},
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("M", Marker),
        ("NA", NA),
        ("R", Remove),
        ("N", None),
        ("T", True),
        ("F", False),
        ("123", Number(123)),
        ("-1.5e3", Number(-1500)),
        ("1_000", Number(1000)),
        ("72.5°F", Number(72.5, "°F")),
        ("10kW", Number(10, "kW")),
        ("35%", Number(35, "%")),
        ("INF", Number(math.inf)),
        ("-INF", Number(-math.inf)),
        ("NaN", Number(math.nan)),
        ('"a\\nb\\t\\"c\\" \\\\ \\$ \\u00e9"', 'a\nb\t"c" \\ $ é'),
        ("`http://x/y?a=1`", Uri("http://x/y?a=1")),
        ("`a\\`b`", Uri("a`b")),
        ("@p:demo:r:1", Ref("p:demo:r:1")),
        ("^elec-meter", Symbol("elec-meter")),
        ("2024-01-31", date(2024, 1, 31)),
        ("13:05:00", time(13, 5)),
        ("13:05:00.25", time(13, 5, 0, 250000)),
        ("2024-01-31T13:05:00-05:00 New_York", datetime(2024, 1, 31, 13, 5, tzinfo=NY)),
        ("2024-01-31T18:05:00Z UTC", datetime(2024, 1, 31, 18, 5, tzinfo=UTC)),
        ("2024-01-31T18:05:00.123456789Z UTC", datetime(2024, 1, 31, 18, 5, 0, 123456, UTC)),
        ("C(37.55,-77.45)", Coord(37.55, -77.45)),
        ('Span("today")', XStr("Span", "today")),
        ('Bin("text/plain")', XStr("Bin", "text/plain")),
        ("[1, 2, N]", [Number(1), Number(2), None]),
        ("[]", []),
        ('{a:1 b c:"x"}', {"a": Number(1), "b": Marker, "c": "x"}),
        ("{a:1, b:[2]}", {"a": Number(1), "b": [Number(2)]}),
    ],
)
def test_scalars(text: str, value: object) -> None:
    assert zinc.loads_value(text) == value


def test_ref_with_display_name() -> None:
    ref = zinc.loads_value('@p:demo:r:1 "Building A"')
    assert ref == Ref("p:demo:r:1")
    assert ref.dis == "Building A"
    assert zinc.dumps_value(ref) == '@p:demo:r:1 "Building A"'


def test_datetime_keeps_zone_and_instant() -> None:
    value = zinc.loads_value("2024-07-04T12:00:00-04:00 New_York")
    assert value.tzinfo == NY
    assert value.utcoffset() == timedelta(hours=-4)
    assert zinc.dumps_value(value) == "2024-07-04T12:00:00-04:00 New_York"
    assert zinc.dumps_value(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00Z UTC"


def test_datetimes_at_the_ends_of_the_range() -> None:
    plus5 = zone_for("GMT-5")  # Etc/GMT-5 is UTC+5
    first = datetime(1, 1, 1, tzinfo=plus5)
    assert zinc.loads_value(zinc.dumps_value(first)) == first
    with pytest.raises(ZincParseError, match="is out of range at line 1, column 1"):
        zinc.loads_value("0001-01-01T00:00:00+05:00 UTC")
    with pytest.raises(ZincParseError, match="is out of range at line 3, column 3"):
        zinc.loads('ver:"3.0"\na\n  9999-12-31T23:00:00-05:00 UTC\n')


def test_local_mean_time_offsets_are_refused() -> None:
    with pytest.raises(ZincEncodeError, match="offset is not whole minutes"):
        zinc.dumps_value(datetime(1880, 1, 1, tzinfo=NY))


def test_zones_without_a_haystack_name_are_refused() -> None:
    with pytest.raises(ZincEncodeError, match="time zone 'US/Eastern' has no Haystack name"):
        zinc.dumps_value(datetime(2024, 1, 1, tzinfo=ZoneInfo("US/Eastern")))
    india = timezone(timedelta(hours=5, minutes=30))
    with pytest.raises(ZincEncodeError, match=r"has no Haystack name; use a zoneinfo\.ZoneInfo"):
        zinc.dumps_value(datetime(2024, 1, 1, tzinfo=india))


def test_tz_names_map_both_ways() -> None:
    assert zone_for("New_York") == NY
    assert zone_for("UTC").utcoffset(None) == timedelta(0)
    assert zone_for("GMT+5") == ZoneInfo("Etc/GMT+5")
    assert haystack_tz_name(NY) == "New_York"
    assert haystack_tz_name(ZoneInfo("Etc/GMT-3")) == "GMT-3"
    assert haystack_tz_name(UTC) == "UTC"
    with pytest.raises(ValueError, match="unknown Haystack time zone 'Atlantis'"):
        zone_for("Atlantis")


def test_nested_grid_and_haystack4_collections() -> None:
    text = 'ver:"3.0"\na,b\n<<ver:"3.0"\nx\n1\n2\n>>,[{k:^s}]\n'
    grid = zinc.loads(text)
    inner = grid.rows[0]["a"]
    assert isinstance(inner, Grid)
    assert inner.rows == [{"x": Number(1)}, {"x": Number(2)}]
    assert grid.rows[0]["b"] == [{"k": Symbol("s")}]
    assert zinc.loads(zinc.dumps(grid)) == grid


def test_empty_cells_are_null_and_empty_grid() -> None:
    grid = zinc.loads('ver:"3.0"\na,b,c\n1,,\n,,"x"\n')
    assert grid.rows == [{"a": Number(1)}, {"c": "x"}]
    empty = zinc.loads('ver:"3.0"\nempty\n')
    assert empty.columns == {}
    assert zinc.dumps(Grid()) == 'ver:"3.0"\nempty\n'


def test_error_grid_is_recognised() -> None:
    grid = zinc.loads('ver:"3.0" err dis:"boom" errTrace:"trace"\nempty\n')
    assert grid.is_error
    assert grid.meta["dis"] == "boom"


def test_blank_line_ends_a_grid_of_several_columns() -> None:
    grid = zinc.loads('ver:"3.0"\na,b\n1,2\n,\n\n\n')
    assert grid.rows == [{"a": Number(1), "b": Number(2)}, {}]
    with pytest.raises(ZincParseError, match="unexpected text after the grid at line 5, column 1"):
        zinc.loads('ver:"3.0"\na,b\n1,2\n\n3,4\n')
    # One column: a blank line is how a null row is written.
    assert zinc.loads('ver:"3.0"\na\n1\n\n2\n').rows == [{"a": Number(1)}, {}, {"a": Number(2)}]


def test_crlf_line_endings() -> None:
    assert zinc.loads('ver:"3.0"\r\na\r\n1\r\n').rows == [{"a": Number(1)}]


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "a grid must start with", 1, 1),
        ('ver:"3.0"\na\n"open', "unterminated string", 3, 1),
        ('ver:"3.0"\na\n1,2', "more cells than the 1 columns", 3, 3),
        ('ver:"3.0"\na\n2024-13-01', "invalid date", 3, 1),
        ('ver:"3.0"\nA\n', "expected a column name", 2, 1),
        ('ver:"3.0"\na\n12:61', "invalid time", 3, 1),
        ('ver:"3.0"\na\n2024-01-01T00:00:00Z Atlantis', "unknown Haystack time zone", 3, 1),
        ('ver:"3.0"\na\n"\\q"', "invalid escape", 3, 1),
        ('ver:"3.0"\na\nFOO', "unknown value 'FOO'", 3, 1),
        ('ver:"3.0"\na\n[1,2', "expected ',' or ']' in list", 3, 5),
        ('ver:"3.0"\na,a\n', "duplicate column", 2, 3),
        ('ver:"3.0"\na\nC(99,0)', "coordinate out of range", 3, 1),
    ],
)
def test_malformed_zinc_names_line_and_column(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(ZincParseError, match=message) as info:
        zinc.loads(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(info.value)


def test_bytes_input_and_bad_utf8() -> None:
    assert zinc.loads(b'ver:"3.0"\na\n"\xc3\xa9"\n').rows == [{"a": "é"}]
    with pytest.raises(ZincParseError, match="not UTF-8"):
        zinc.loads(b'ver:"3.0"\na\n"\xff"\n')


def test_numbers_refuse_what_is_not_a_number() -> None:
    with pytest.raises(ZincEncodeError, match=r"an int beyond 1\.8e308 cannot be written"):
        zinc.dumps_value(10**400)
    with pytest.raises(InvalidInputError, match="number too large for a float"):
        Number(10**400)
    for bad in ("12", None, True):
        with pytest.raises(InvalidInputError, match="a Number's value is a number, got"):
            Number(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Uri(5), "a Uri's value is a str, got int"),
        (lambda: Symbol(None), "a Symbol's name is a str, got NoneType"),
        (lambda: Coord("a", 1), "a Coord holds decimal degrees, got 'a'"),
        (lambda: XStr("Span", 3), "an XStr's value is a str, got int"),
        (lambda: Ref("a", 5), "a Ref's display name is a str, got int"),
    ],
)
def test_value_types_check_their_fields(build: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()


def test_cells_outside_the_columns_are_refused_not_dropped() -> None:
    grid = Grid(columns={"a": {}}, rows=[{"a": 1, "b": None}, {"a": None, "c": 2}])
    with pytest.raises(ZincEncodeError, match=r"row has cells \['c'\] that are not columns"):
        zinc.dumps(grid)
    grid.rows.pop()
    assert zinc.loads(zinc.dumps(grid)).rows == [{"a": Number(1)}]


def test_encode_errors_are_typed() -> None:
    with pytest.raises(ZincEncodeError, match="cannot write object"):
        zinc.dumps_value(object())
    with pytest.raises(ZincEncodeError, match="naive datetime"):
        zinc.dumps_value(datetime(2024, 1, 1))
    with pytest.raises(ZincEncodeError, match="invalid column name 'Bad'"):
        zinc.dumps(Grid(columns={"Bad": {}}))
    with pytest.raises(ZincEncodeError, match="invalid tag name"):
        zinc.dumps_value({"Bad key": 1})


# -- property tests -----------------------------------------------------------------------------

TAG = st.from_regex(r"[a-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
UNITS = st.sampled_from([None, "kW", "°F", "%", "ft²", "m³/h", "kWh", "$", "ft_wc"])
ZONES = st.sampled_from(["New_York", "UTC", "Chicago", "Berlin", "Tokyo", "GMT+5", "Kolkata"])
REF_ID = st.from_regex(r"[A-Za-z0-9_:\-.~]{1,20}", fullmatch=True)
TEXT = st.text(max_size=30)


def _datetimes() -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda naive, zone: naive.replace(tzinfo=UTC).astimezone(zone_for(zone)),
        st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 1, 1)),
        ZONES,
    )


SCALARS = st.one_of(
    st.just(Marker),
    st.just(NA),
    st.just(Remove),
    st.booleans(),
    TEXT,
    st.builds(Number, st.floats(allow_nan=True, allow_infinity=True), UNITS),
    st.builds(Ref, REF_ID, st.none() | TEXT),
    st.builds(Uri, TEXT),
    st.builds(Symbol, st.from_regex(r"[a-z][A-Za-z0-9_:\-.~]{0,10}", fullmatch=True)),
    st.dates(),
    st.times(),
    _datetimes(),
    st.builds(
        Coord,
        st.floats(min_value=-90, max_value=90),
        st.floats(min_value=-180, max_value=180),
    ),
    st.builds(XStr, st.from_regex(r"[A-Z][a-z]{0,6}", fullmatch=True), TEXT),
)
VALUES = st.recursive(
    SCALARS | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TAG, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def grids(draw: st.DrawFn, depth: int = 0) -> Grid:
    names = draw(st.lists(TAG, min_size=1, max_size=5, unique=True))
    cell = VALUES if depth else VALUES | grids(depth=1)  # type: ignore[call-arg]
    rows = draw(
        st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(names, cell)), max_size=5)
    )
    columns = {name: draw(st.dictionaries(TAG, SCALARS, max_size=2)) for name in names}
    meta = draw(st.dictionaries(TAG.filter(lambda t: t != "ver"), SCALARS, max_size=3))
    return Grid(meta=meta, columns=columns, rows=rows)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_any_value_round_trips(value: object) -> None:
    assert zinc.loads_value(zinc.dumps_value(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=ZONES.map(zone_for), allow_imaginary=False))
def test_any_aware_datetime_round_trips_or_is_refused(value: datetime) -> None:
    try:
        text = zinc.dumps_value(value)
    except ZincEncodeError as exc:
        assert "not whole minutes" in str(exc)  # noqa: PT017
        return
    parsed = zinc.loads_value(text)
    assert parsed == value
    assert parsed.tzinfo == value.tzinfo
    assert parsed.utcoffset() == value.utcoffset()


@settings(max_examples=60, deadline=None)
@given(grids())
def test_any_grid_round_trips(grid: Grid) -> None:
    assert zinc.loads(zinc.dumps(grid)) == grid


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_only_raise_zinc_parse_error(data: bytes) -> None:
    try:
        zinc.loads(b'ver:"3.0"\na,b\n' + data)
        zinc.loads(data)
    except ZincParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable + "@^`\"'[]{}<>°é", max_size=120))
def test_random_text_only_raises_zinc_parse_error(text: str) -> None:
    for candidate in (text, 'ver:"3.0"\na,b\n' + text, 'ver:"3.0" ' + text):
        where = (1, 1)
        try:
            zinc.loads(candidate)
        except ZincParseError as exc:
            where = (exc.line, exc.column)
        assert min(where) >= 1


# -- the row fast path agrees with the general parser ------------------------------------------


def _outcome(text: str) -> tuple[Any, ...]:
    try:
        grid = zinc.loads(text)
    except ZincParseError as exc:
        return ("error", str(exc), exc.line, exc.column)
    # Refs compare by id alone; the repr shows display names too.
    return ("grid", grid, repr(grid.rows), repr(grid.columns), repr(grid.meta))


def _fast_and_general(text: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    fast = _outcome(text)
    saved = zinc._FAST_ROW_MAX_WIDTH
    zinc._FAST_ROW_MAX_WIDTH = 0  # every row through the general parser
    try:
        general = _outcome(text)
    finally:
        zinc._FAST_ROW_MAX_WIDTH = saved
    return fast, general


TRICKY_CELLS = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "N",
        "M",
        " M ",
        "M M",
        '"a,b"',
        '""',
        '"a" "b"',
        '"\\q"',
        '"\\u00e9\\n"',
        '"x\\"y"',
        '"unterminated',
        "C(1.5,-2)",
        "C(1,",
        "@p:1",
        '@p:1 "AHU, 1"',
        '@p:1 "AHU"x',
        "@",
        "5kW",
        "5 kW",
        "-INF",
        "NaN%",
        "2024-01-31T13:05:00-05:00 New_York",
        "2024-01-31T13:05:00Z",
        "2024-01-31T13:05:00Z Nowhere",
        "2024-02-30",
        "25:00",
        "`a,b`",
        "`a\\`b`",
        "^sym",
        'Bin("text/plain")',
        'Bin("a"',
        "[1,2]",
        "{a b:2}",
        '<<ver:"3.0"\nx\n1\n>>',
        ">>",
        "T",
        "F",
        "true",
        "\r",
    ]
)
ZINC_CELLS = TRICKY_CELLS | SCALARS.map(zinc.dumps_value)


@st.composite
def zinc_bodies(draw: st.DrawFn) -> str:
    names = draw(st.lists(TAG, min_size=1, max_size=4, unique=True))
    rows = draw(st.lists(st.lists(ZINC_CELLS, min_size=0, max_size=len(names) + 1), max_size=6))
    body = "\n".join(",".join(cells) for cells in rows)
    return 'ver:"3.0"\n' + ",".join(names) + "\n" + body + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=400, deadline=None)
@given(zinc_bodies())
def test_fast_rows_parse_as_the_general_parser_does(text: str) -> None:
    fast, general = _fast_and_general(text)
    assert fast == general


def test_fast_rows_hand_over_to_the_general_parser_and_back() -> None:
    text = 'ver:"3.0"\na,b\n1,"x"\n[1,2],{c}\n2,"y"\n3,<<ver:"3.0"\nz\n4\n>>\n5,M\n'
    grid = zinc.loads(text)
    assert [row.get("a") for row in grid.rows] == [
        Number(1.0),
        [Number(1.0), Number(2.0)],
        Number(2.0),
        Number(3.0),
        Number(5.0),
    ]
    assert grid.rows[3]["b"].rows == [{"z": Number(4.0)}]
    assert _fast_and_general(text)[0] == _fast_and_general(text)[1]


def test_an_error_after_many_fast_rows_names_its_line_and_column() -> None:
    good = "".join(f'@p:{i} "Point {i}",{i}kW,M\n' for i in range(3000))
    text = 'ver:"3.0"\nid,val,point\n' + good + '@p:x "Bad",7kW,M M\n'
    with pytest.raises(ZincParseError) as caught:
        zinc.loads(text)
    assert (caught.value.line, caught.value.column) == (3003, 18)  # the second M
    assert _fast_and_general(text)[0] == _fast_and_general(text)[1]


def test_equal_cells_share_only_immutable_values() -> None:
    grid = zinc.loads('ver:"3.0"\na,b\n[1],@s "Site"\n[1],@s "Site"\n')
    first, second = grid.rows
    first["a"].append(Number(2.0))
    assert second["a"] == [Number(1.0)]
    grid = zinc.loads('ver:"3.0"\na,b\n1,@s "Site"\n2,@s "Site"\n')
    first, second = grid.rows
    assert first["b"] is second["b"]  # a Ref is immutable, decoding it once is enough


@pytest.mark.parametrize(
    "body", ["_\n\t", "_\n\t\n", "a,b\n\t,1\n", "a\n1\t\n", "a,b\n\t[1] ,\t2\t\n"]
)
def test_tabs_around_cells_are_blanks_on_both_roads(body: str) -> None:
    fast, general = _fast_and_general('ver:"3.0"\n' + body)
    assert fast == general
    assert fast[0] == "grid"


def test_the_memo_spans_the_rows_the_general_parser_takes() -> None:
    grid = zinc.loads('ver:"3.0"\na,b\n1,@s "Site"\n[2],@s "Site"\n3,@s "Site"\n')
    first, _, third = grid.rows
    assert first["b"] is third["b"]


def test_a_full_memo_still_parses_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zinc, "_MEMO_MAX", 2)
    text = 'ver:"3.0"\na,b\n' + "".join(f"{i},@s\n" for i in range(10))
    grid = zinc.loads(text)
    assert [row["a"] for row in grid.rows] == [Number(float(i)) for i in range(10)]
    assert grid.rows[0]["b"] is grid.rows[9]["b"]  # in the memo before it filled up
    fast, general = _fast_and_general(text)
    assert fast == general


# -- the same values through Hayson (Haystack 4 JSON) ------------------------------------------


@settings(max_examples=60, deadline=None)
@given(grids())
def test_any_grid_round_trips_through_hayson_as_through_zinc(grid: Grid) -> None:
    decoded = hayson.loads(hayson.dumps(grid))
    assert decoded == grid
    assert decoded == zinc.loads(zinc.dumps(grid))


@settings(max_examples=200, deadline=None)
@given(SCALARS)
def test_any_scalar_round_trips_through_hayson(value: Any) -> None:
    assert hayson.decode_value(json.dumps(hayson.encode_value(value))) == value
