"""Hayson (Haystack 4 JSON): the documented encoding, round trips, and malformed input."""

from __future__ import annotations

import contextlib
import json
import math
from datetime import date, datetime, time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ace_skyspark_lib import hayson
from ace_skyspark_lib.exceptions import HaysonEncodeError, HaysonParseError
from ace_skyspark_lib.kinds import NA, Coord, Grid, Marker, Number, Ref, Remove, Symbol, Uri, XStr
from ace_skyspark_lib.timezones import zone_for


def test_every_kind_in_the_documented_form() -> None:
    row = {
        "m": Marker,
        "na": NA,
        "rm": Remove,
        "n": Number(123, "m"),
        "plain": Number(123.45),
        "inf": Number(math.inf),
        "r": Ref("abc", "Site A"),
        "t": datetime(2021, 3, 22, 13, 57, 0, 381000, tzinfo=zone_for("New_York")),
        "utc": datetime(2021, 3, 22, 17, 57, tzinfo=zone_for("UTC")),
        "d": date(2021, 3, 22),
        "h": time(17, 19, 23),
        "u": Uri("http://x"),
        "y": Symbol("elec-meter"),
        "c": Coord(37.55, -77.45),
        "x": XStr("Span", "today"),
        "l": [Number(1), "a"],
        "dict": {"a": Marker},
    }
    data = json.loads(hayson.dumps(Grid.from_rows([row], meta={"dis": "all"})))
    assert data["_kind"] == "grid"
    assert data["meta"] == {"ver": "3.0", "dis": "all"}
    (out,) = data["rows"]
    assert out["m"] == {"_kind": "marker"}
    assert out["na"] == {"_kind": "na"}
    assert out["rm"] == {"_kind": "remove"}
    assert out["n"] == {"_kind": "number", "val": 123, "unit": "m"}
    assert out["plain"] == 123.45
    assert out["inf"] == {"_kind": "number", "val": "INF"}
    assert out["r"] == {"_kind": "ref", "val": "abc", "dis": "Site A"}
    assert out["t"] == {
        "_kind": "dateTime",
        "val": "2021-03-22T13:57:00.381-04:00",
        "tz": "New_York",
    }
    assert out["utc"] == {"_kind": "dateTime", "val": "2021-03-22T17:57:00Z", "tz": "UTC"}
    assert out["d"] == {"_kind": "date", "val": "2021-03-22"}
    assert out["h"] == {"_kind": "time", "val": "17:19:23"}
    assert out["c"] == {"_kind": "coord", "lat": 37.55, "lng": -77.45}
    assert out["x"] == {"_kind": "xstr", "type": "Span", "val": "today"}
    assert out["l"] == [1, "a"]
    assert out["dict"] == {"a": {"_kind": "marker"}}
    assert hayson.loads(hayson.dumps(Grid.from_rows([row]))) == Grid.from_rows([row])


def test_columns_meta_and_empty_grid() -> None:
    grid = Grid(columns={"ts": {}, "v0": {"id": Ref("p:1")}}, rows=[])
    data = json.loads(hayson.dumps(grid))
    assert data["cols"] == [
        {"name": "ts"},
        {"name": "v0", "meta": {"id": {"_kind": "ref", "val": "p:1"}}},
    ]
    assert json.loads(hayson.dumps(Grid()))["cols"] == [{"name": "empty"}]
    assert hayson.loads(hayson.dumps(Grid())) == Grid()


def test_decodes_what_a_haystack_4_server_sends() -> None:
    text = json.dumps(
        {
            "_kind": "grid",
            "meta": {"ver": "3.0"},
            "cols": [{"name": "id"}, {"name": "mod"}, {"name": "area"}, {"name": "tags"}],
            "rows": [
                {
                    "id": {"_kind": "ref", "val": "p:demo:r:1", "dis": "HQ"},
                    "mod": {"_kind": "dateTime", "val": "2024-01-31T18:05:00.123456789Z"},
                    "area": {"_kind": "number", "val": 5000, "unit": "ft²"},
                    "tags": {"_kind": "dict", "site": {"_kind": "marker"}, "n": 2},
                }
            ],
        }
    )
    (row,) = hayson.loads(text).rows
    assert row["id"]["val"] == "p:demo:r:1"
    assert row["id"].dis == "HQ"
    assert row["mod"] == datetime(2024, 1, 31, 18, 5, 0, 123456, tzinfo=zone_for("UTC"))
    assert row["area"] == Number(5000, "ft²")
    assert row["tags"] == {"site": Marker, "n": Number(2)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not Haystack JSON"),
        ("[1]", "expected a grid object"),
        ('{"meta": {"ver": "3.0"}, "cols": [], "rows": []}', "expected a grid object"),
        ('{"_kind": "grid", "meta": [], "cols": [], "rows": []}', "needs a meta object"),
        ('{"_kind": "grid", "meta": {}, "cols": [{"name": "A"}], "rows": []}', "tag name"),
        ('{"_kind": "grid", "meta": {}, "cols": [], "rows": [1]}', "rows are objects"),
        ('{"_kind": "bogus"}', "unknown _kind 'bogus'"),
        ('{"_kind": "ref", "val": 3}', "ref val must be a string"),
        ('{"_kind": "ref", "val": "a b"}', "invalid ref id"),
        ('{"_kind": "number", "val": "many"}', "number val must be"),
        ('{"_kind": "dateTime", "val": "2024-13-01T00:00:00Z"}', "invalid dateTime"),
        ('{"_kind": "dateTime", "val": "2024-01-01T00:00:00"}', "has no UTC offset"),
        ('{"_kind": "dateTime", "val": "2024-01-01T00:00:00Z", "tz": "Atlantis"}', "Atlantis"),
        ('{"_kind": "date", "val": "2024-02-30"}', "invalid date"),
        ('{"_kind": "coord", "lat": "x", "lng": 1}', "numeric lat and lng"),
    ],
)
def test_malformed_input_raises_hayson_parse_error(text: str, message: str) -> None:
    with pytest.raises(HaysonParseError, match=message):
        hayson.loads(text)
    if '"grid"' not in text and text not in ("[1]",) and "meta" not in text:
        with pytest.raises(HaysonParseError, match=message):
            hayson.decode_value(text)


def test_encode_errors_are_typed() -> None:
    with pytest.raises(HaysonEncodeError, match="naive"):
        hayson.dumps(Grid.from_rows([{"t": datetime(2024, 1, 1)}]))
    with pytest.raises(HaysonEncodeError, match="cannot write object"):
        hayson.dumps(Grid.from_rows([{"o": object()}]))
    with pytest.raises(HaysonEncodeError, match="not columns"):
        hayson.dumps(Grid(columns={"a": {}}, rows=[{"b": 1}]))


_KEYS = st.sampled_from(
    ["_kind", "val", "unit", "tz", "lat", "lng", "meta", "cols", "rows", "name"]
)
_KIND_NAMES = st.sampled_from(["grid", "ref", "number", "dateTime", "marker", "coord", "dict"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner | _KIND_NAMES, max_size=5)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_json_only_raises_hayson_parse_error(data: Any) -> None:
    try:
        text = json.dumps(data)
    except ValueError:
        return
    for parse in (hayson.loads, hayson.decode_value):
        with contextlib.suppress(HaysonParseError):
            parse(text)
