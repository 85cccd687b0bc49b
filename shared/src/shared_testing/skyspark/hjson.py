"""Haystack 3 JSON, for clients that ask for ``application/json`` instead of Zinc.

Scalars are type-prefixed strings (``"m:"``, ``"n:72.5 °F"``, ``"r:id dis"``,
``"t:2024-01-31T13:05:00-05:00 New_York"``, ...); lists are arrays, dicts objects, and a grid is
``{"meta": {"ver": "3.0", ...}, "cols": [{"name": ...}], "rows": [...]}``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from ace_skyspark_lib import zinc
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
)

__all__ = ["dumps", "loads"]


def _number(value: Number) -> str:
    text = zinc.number_text(value.val)  # NaN, INF and -INF as Zinc writes them
    return f"n:{text} {value.unit}" if value.unit else f"n:{text}"


def encode(value: Any) -> Any:
    """One Haystack value as a JSON-ready Python value."""
    if value is None or isinstance(value, bool):
        return value
    if value is Marker:
        return "m:"
    if value is NA:
        return "z:"
    if value is Remove:
        return "-:"
    if isinstance(value, str):
        return f"s:{value}" if len(value) > 1 and value[1] == ":" else value
    if isinstance(value, int | float):
        return _number(Number(float(value)))
    if isinstance(value, Number):
        return _number(value)
    if isinstance(value, Ref):
        return f"r:{value.id} {value.dis}" if value.dis else f"r:{value.id}"
    if isinstance(value, Uri):
        return f"u:{value.val}"
    if isinstance(value, Symbol):
        return f"y:{value.val}"
    if isinstance(value, datetime):
        return "t:" + zinc.zinc_datetime(value)
    if isinstance(value, date):
        return f"d:{value.isoformat()}"
    if isinstance(value, time):
        return f"h:{value.isoformat()}"
    if isinstance(value, Coord):
        return f"c:{value.lat!r},{value.lng!r}"
    if isinstance(value, XStr):
        return f"x:{value.type}:{value.val}"
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, Grid):
        return _grid(value)
    raise TypeError(f"cannot encode {type(value).__name__} as Haystack JSON")


def _grid(grid: Grid) -> dict[str, Any]:
    return {
        "meta": {"ver": grid.version, **{k: encode(v) for k, v in grid.meta.items()}},
        "cols": [
            {"name": n, **{k: encode(v) for k, v in m.items()}} for n, m in grid.columns.items()
        ]
        or [{"name": "empty"}],
        "rows": [{k: encode(v) for k, v in row.items() if v is not None} for row in grid.rows],
    }


def dumps(grid: Grid) -> str:
    """A grid as Haystack 3 JSON text."""
    return json.dumps(_grid(grid), ensure_ascii=False)


def decode(value: Any) -> Any:
    """One JSON value back to its Haystack value."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "meta" in value and "cols" in value and "rows" in value:
            return _from_grid(value)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Number(float(value))
    if not isinstance(value, str) or len(value) < 2 or value[1] != ":":
        return value
    tag, body = value[0], value[2:]
    if tag == "m":
        return Marker
    if tag == "z":
        return NA
    if tag == "-":
        return Remove
    if tag == "s":
        return body
    if tag == "n":
        number, _, unit = body.partition(" ")
        parsed = zinc.loads_value(number)
        return Number(parsed.val, unit or None)
    if tag == "r":
        ref_id, _, dis = body.partition(" ")
        return Ref(ref_id, dis or None)
    if tag == "u":
        return Uri(body)
    if tag == "y":
        return Symbol(body)
    if tag in "tdh":
        return zinc.loads_value(body)
    if tag == "c":
        lat, _, lng = body.partition(",")
        return Coord(float(lat), float(lng))
    if tag == "x":
        kind, _, text = body.partition(":")
        return XStr(kind, text)
    return value


def _from_grid(data: dict[str, Any]) -> Grid:
    meta = {k: decode(v) for k, v in data["meta"].items() if k != "ver"}
    columns = {
        col["name"]: {k: decode(v) for k, v in col.items() if k != "name"} for col in data["cols"]
    }
    if list(columns) == ["empty"]:
        columns = {}
    rows = [{k: decode(v) for k, v in row.items()} for row in data["rows"]]
    return Grid(meta=meta, columns=columns, rows=rows, version=str(data["meta"].get("ver", "3.0")))


def loads(text: str) -> Grid:
    """Haystack 3 JSON text to a grid; raises ValueError when it is not one."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("top level must be a grid object")
        return _from_grid(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a Haystack JSON grid: {exc}") from exc
