"""Hayson, the Haystack 4 JSON encoding of grids (``application/json`` of SkySpark 3.1+).

Scalars JSON has are themselves (strings, booleans, null, unitless numbers); every other kind
is an object naming its ``_kind``: ``{"_kind": "ref", "val": "p:demo:r:1", "dis": "AHU-1"}``,
``{"_kind": "number", "val": 72.5, "unit": "°F"}``, ``{"_kind": "marker"}``,
``{"_kind": "dateTime", "val": "2024-01-31T13:05:00-05:00", "tz": "New_York"}``, ... A grid is
``{"_kind": "grid", "meta": {"ver": "3.0", ...}, "cols": [{"name": ..., "meta": {...}}],
"rows": [...]}``.

:func:`loads` / :func:`dumps` convert between that text and
:class:`~ace_skyspark_lib.kinds.Grid` with the same Python values as the Zinc codec. No I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from ace_skyspark_lib.exceptions import HaysonEncodeError, HaysonParseError
from ace_skyspark_lib.kinds import (
    NA,
    Coord,
    Grid,
    Marker,
    MarkerType,
    NAType,
    Number,
    Ref,
    Remove,
    RemoveType,
    Symbol,
    Uri,
    XStr,
    is_tag_name,
)
from ace_skyspark_lib.timezones import haystack_tz_name, zone_for

__all__ = ["decode_value", "dumps", "encode_value", "loads"]

_SPECIAL = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}


class _Bad(Exception):
    """Internal: a malformed Hayson object; :func:`loads` raises HaysonParseError."""


def _number(obj: dict[str, Any]) -> Number:
    val = obj.get("val")
    unit = obj.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise _Bad(f"number unit must be a string, got {unit!r}")
    if isinstance(val, Number):
        return Number(val.val, unit) if unit is not None else val
    if isinstance(val, str) and val in _SPECIAL:
        return Number(_SPECIAL[val], unit)
    raise _Bad(f"number val must be a JSON number, INF, -INF or NaN, got {val!r}")


def _text(obj: dict[str, Any], key: str = "val") -> str:
    val = obj.get(key)
    if not isinstance(val, str):
        raise _Bad(f"{obj.get('_kind')} {key} must be a string, got {val!r}")
    return val


def _ref(obj: dict[str, Any]) -> Ref:
    dis = obj.get("dis")
    if dis is not None and not isinstance(dis, str):
        raise _Bad(f"ref dis must be a string, got {dis!r}")
    return Ref(_text(obj), dis)


def _datetime(obj: dict[str, Any]) -> datetime:
    val = _text(obj)
    tz = obj.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise _Bad(f"dateTime tz must be a string, got {tz!r}")
    try:
        value = datetime.fromisoformat(val)
    except ValueError:
        raise _Bad(f"invalid dateTime val {val!r}") from None
    if value.tzinfo is None:
        raise _Bad(f"dateTime val {val!r} has no UTC offset")
    zone = zone_for(tz or "UTC")
    try:
        return value.astimezone(zone)
    except OverflowError:
        raise _Bad(f"dateTime {val!r} is out of range") from None


def _iso(parse: Callable[[str], Any], what: str) -> Callable[[dict[str, Any]], Any]:
    def convert(obj: dict[str, Any]) -> Any:
        val = _text(obj)
        try:
            return parse(val)
        except ValueError:
            raise _Bad(f"invalid {what} val {val!r}") from None

    return convert


def _coord(obj: dict[str, Any]) -> Coord:
    lat, lng = obj.get("lat"), obj.get("lng")
    if not isinstance(lat, Number) or not isinstance(lng, Number):
        raise _Bad(f"coord needs numeric lat and lng, got {lat!r}, {lng!r}")
    return Coord(lat.val, lng.val)


def _dict(obj: dict[str, Any]) -> dict[str, Any]:
    del obj["_kind"]
    return obj


def _grid(obj: dict[str, Any]) -> Grid:
    meta = obj.get("meta", {})
    cols = obj.get("cols", [])
    rows = obj.get("rows", [])
    if not isinstance(meta, dict) or not isinstance(cols, list) or not isinstance(rows, list):
        raise _Bad("grid needs a meta object, a cols list and a rows list")
    meta = dict(meta)
    version = meta.pop("ver", "3.0")
    if not isinstance(version, str):
        raise _Bad(f"grid meta ver must be a string, got {version!r}")
    columns: dict[str, dict[str, Any]] = {}
    for col in cols:
        name = col.get("name") if isinstance(col, dict) else None
        if not isinstance(name, str) or not is_tag_name(name):
            raise _Bad(f"grid column needs a tag name, got {col!r}")
        col_meta = col.get("meta", {})
        if not isinstance(col_meta, dict):
            raise _Bad(f"meta of column {name!r} must be an object")
        columns[name] = col_meta
    for row in rows:
        if not isinstance(row, dict):
            raise _Bad(f"grid rows are objects, got {row!r}")
    if list(columns) == ["empty"] and not rows:
        columns = {}
    return Grid(meta=meta, columns=columns, rows=rows, version=version)


_KINDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "marker": lambda obj: Marker,
    "na": lambda obj: NA,
    "remove": lambda obj: Remove,
    "number": _number,
    "ref": _ref,
    "dateTime": _datetime,
    "date": _iso(date.fromisoformat, "date"),
    "time": _iso(time.fromisoformat, "time"),
    "uri": lambda obj: Uri(_text(obj)),
    "symbol": lambda obj: Symbol(_text(obj)),
    "coord": _coord,
    "xstr": lambda obj: XStr(_text(obj, "type"), _text(obj)),
    "dict": _dict,
    "grid": _grid,
}


def _hook(obj: dict[str, Any]) -> Any:
    kind = obj.get("_kind")
    if kind is None:
        return obj
    convert = _KINDS.get(kind) if isinstance(kind, str) else None
    if convert is None:
        raise _Bad(f"unknown _kind {kind!r}")
    return convert(obj)


def _float_number(text: str) -> Number:
    return Number(float(text))


def _decode(text: str | bytes) -> Any:
    try:
        return json.loads(
            text, object_hook=_hook, parse_float=_float_number, parse_int=_float_number
        )
    except _Bad as exc:
        raise HaysonParseError(str(exc)) from None
    except ValueError as exc:  # json.JSONDecodeError, and our kinds' InvalidInputError
        raise HaysonParseError(f"not Haystack JSON: {exc}") from exc
    except RecursionError as exc:
        raise HaysonParseError("nesting too deep") from exc


def loads(text: str | bytes) -> Grid:
    """Parse a Hayson grid; raises :class:`~ace_skyspark_lib.exceptions.HaysonParseError`."""
    grid = _decode(text)
    if not isinstance(grid, Grid):
        raise HaysonParseError(
            f'expected a grid object ({{"_kind": "grid", ...}}), got {type(grid).__name__}'
        )
    return grid


def decode_value(text: str | bytes) -> Any:
    """Parse one Hayson value (scalar, list, dict or grid)."""
    return _decode(text)


# -- writing ------------------------------------------------------------------------------------


def _num(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _encode_number(value: Number) -> Any:
    val = _num(value.val)
    if value.unit is None and not isinstance(val, str):
        return val
    out: dict[str, Any] = {"_kind": "number", "val": val}
    if value.unit is not None:
        out["unit"] = value.unit
    return out


def _encode_datetime(value: datetime) -> dict[str, Any]:
    try:
        name = haystack_tz_name(value.tzinfo)
    except ValueError as exc:
        raise HaysonEncodeError(str(exc)) from exc
    text = value.isoformat()
    if value.microsecond:
        head, dot, rest = text.partition(".")
        text = head + dot + rest[:6].rstrip("0") + rest[6:]
    if value.utcoffset() == timedelta(0):
        text = text.removesuffix("+00:00") + "Z"
    out = {"_kind": "dateTime", "val": text}
    if name != "GMT":
        out["tz"] = name
    return out


def encode_value(value: Any) -> Any:
    """One Haystack value as a JSON-ready Python value (objects with ``_kind``)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Number):
        return _encode_number(value)
    if isinstance(value, int | float):
        return _encode_number(Number(float(value)))
    if isinstance(value, Ref):
        out = {"_kind": "ref", "val": value.id}
        if value.dis is not None:
            out["dis"] = value.dis
        return out
    if isinstance(value, MarkerType | NAType | RemoveType):
        return {"_kind": value.hayson_kind}
    if isinstance(value, datetime):
        return _encode_datetime(value)
    if isinstance(value, date):
        return {"_kind": "date", "val": value.isoformat()}
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise HaysonEncodeError(f"Haystack times have no time zone; got {value!r}")
        return {"_kind": "time", "val": value.isoformat()}
    if isinstance(value, Uri | Symbol):
        return {"_kind": value.hayson_kind, "val": value.val}
    if isinstance(value, Coord):
        return {"_kind": "coord", "lat": value.lat, "lng": value.lng}
    if isinstance(value, XStr):
        return {"_kind": "xstr", "type": value.type, "val": value.val}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        return _encode_tags(value)
    if isinstance(value, Grid):
        return _encode_grid(value)
    raise HaysonEncodeError(f"cannot write {type(value).__name__} {value!r} as Haystack JSON")


def _encode_tags(tags: dict[str, Any], skip_null: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in tags.items():
        if not isinstance(name, str) or not is_tag_name(name):
            raise HaysonEncodeError(f"invalid tag name {name!r}: start with a lowercase letter")
        if value is not None or not skip_null:
            out[name] = encode_value(value)
    return out


def _encode_grid(grid: Grid) -> dict[str, Any]:
    cols: list[dict[str, Any]] = []
    for name, meta in grid.columns.items():
        if not is_tag_name(name):
            raise HaysonEncodeError(f"invalid column name {name!r}")
        col: dict[str, Any] = {"name": name}
        if meta:
            col["meta"] = _encode_tags(meta)
        cols.append(col)
    if not cols:
        if grid.rows:
            raise HaysonEncodeError("a grid with rows needs at least one column")
        cols = [{"name": "empty"}]
    for row in grid.rows:
        extra = [k for k, v in row.items() if k not in grid.columns and v is not None]
        if extra:
            raise HaysonEncodeError(f"row has cells {extra} that are not columns of the grid")
    return {
        "_kind": "grid",
        "meta": {"ver": grid.version, **_encode_tags(grid.meta)},
        "cols": cols,
        "rows": [_encode_tags(row, skip_null=True) for row in grid.rows],  # null: no cell
    }


def dumps(grid: Grid) -> str:
    """Write ``grid`` as Hayson text."""
    if not isinstance(grid, Grid):
        raise HaysonEncodeError(f"dumps() takes a Grid, got {type(grid).__name__}")
    return json.dumps(_encode_grid(grid), ensure_ascii=False, allow_nan=False)
