"""Zinc, the text format of Project Haystack grids (versions 3 and 4).

:func:`loads` turns Zinc text into a :class:`~ace_skyspark_lib.kinds.Grid` and :func:`dumps`
turns a grid back into text; :func:`loads_value` / :func:`dumps_value` do the same for one
scalar, list or dict. No I/O happens here.

The parser walks the text once by position with precompiled patterns; it is the hot path of
every read. Rows of scalars (the rows of nearly every answer) take a faster road: one regex
match cuts a whole row into its cells, and a cell text seen before in the same grid (a site ref,
a marker, a unit) reuses the value decoded the first time, which is safe because scalars are
immutable. A row that road cannot take (a list, dict or nested grid, a malformed cell) goes
through the general parser, which also reports every error with its line and column.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, tzinfo
from typing import Any

from ace_skyspark_lib.exceptions import ZincEncodeError, ZincParseError
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
    haystack_tz_name,
    is_tag_name,
    zone_for,
)

__all__ = [
    "dumps",
    "dumps_value",
    "loads",
    "loads_value",
    "number_text",
    "scan_value",
    "zinc_datetime",
]

_UNIT_CHARS = r"A-Za-z%_/$\u0080-\U0010ffff"
_STR = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')
_URI = re.compile(r"`([^`\\\n]*(?:\\.[^`\\\n]*)*)`")
_REF = re.compile(r'@([A-Za-z0-9_:\-.~]+)(?: "([^"\\\n]*(?:\\.[^"\\\n]*)*)")?')
_SYMBOL = re.compile(r"\^([A-Za-z0-9_:\-.~]+)")
_NUMBER = re.compile(r"(-?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)([" + _UNIT_CHARS + r"]*)")
_SPECIAL_NUMBER = re.compile(r"(-?INF|NaN)([" + _UNIT_CHARS + r"]*)")
_DATETIME = re.compile(
    r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)(?: ([A-Z][A-Za-z0-9_+\-]*))?"
)
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"(\d\d:\d\d)(:\d\d)?(\.\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TAG = re.compile(r"[a-z_][A-Za-z0-9_]*")
_COORD = re.compile(r"C\((-?[\d.]+(?:[eE][+-]?\d+)?),(-?[\d.]+(?:[eE][+-]?\d+)?)\)")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    '"': '"',
    "\\": "\\",
    "$": "$",
    "`": "`",
    "'": "'",
}
_FROM_ISO = datetime.fromisoformat
_ZONES: dict[str, tzinfo] = {}


class _Fail(Exception):
    """Internal: a parse failure at ``pos``; :func:`loads` turns it into ZincParseError."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def _error(text: str, failure: _Fail) -> ZincParseError:
    pos = min(failure.pos, len(text))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return ZincParseError(failure.message, line=line, column=column)


# -- parsing ------------------------------------------------------------------------------------


def _unescape(raw: str, pos: int, uri: bool = False) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        if uri and code not in _SIMPLE_ESCAPES:
            return "\\" + code
        try:
            return _SIMPLE_ESCAPES[code]
        except KeyError:
            raise _Fail(f"invalid escape \\{code}", pos) from None

    text = _ESCAPE.sub(one, raw)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        try:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise _Fail("unpaired surrogate in \\u escape", pos) from None
    return text


def _zone(name: str, pos: int) -> tzinfo:
    zone = _ZONES.get(name)
    if zone is None:
        try:
            zone = zone_for(name)
        except ValueError as exc:
            raise _Fail(str(exc), pos) from None
        _ZONES[name] = zone
    return zone


def _datetime(m: re.Match[str], pos: int) -> datetime:
    day, hm, sec, frac, offset, name = m.groups()
    if frac is not None and len(frac) != 7:
        frac = (frac + "000000")[:7]
    iso = f"{day}T{hm}{sec or ':00'}{frac or ''}{'+00:00' if offset == 'Z' else offset}"
    try:
        value = _FROM_ISO(iso)
    except ValueError:
        raise _Fail(f"invalid datetime {m.group(0)!r}", pos) from None
    if name is None and offset != "Z":
        return value
    zone = _zone(name or "UTC", pos)
    try:
        return value.astimezone(zone)
    except OverflowError:
        pass
    # At the ends of the datetime range converting through UTC overflows; attaching the zone
    # is exact when the written offset is the zone's own.
    for fold in (0, 1):
        local = value.replace(tzinfo=zone, fold=fold)
        if local.utcoffset() == value.utcoffset():
            return local
    raise _Fail(f"datetime {m.group(0)!r} is out of range", pos)


def _value(text: str, pos: int) -> tuple[Any, int]:
    """Parse one value starting at ``pos``; returns it and the position after it."""
    c = text[pos]
    if c == '"':
        m = _STR.match(text, pos)
        if m is None:
            raise _Fail("unterminated string", pos)
        s = m.group(1)
        return (_unescape(s, pos) if "\\" in s else s), m.end()
    if c == "@":
        m = _REF.match(text, pos)
        if m is None:
            raise _Fail("invalid ref", pos)
        ref_id, dis = m.groups()
        if dis is not None and "\\" in dis:
            dis = _unescape(dis, pos)
        return Ref(ref_id, dis), m.end()
    if "0" <= c <= "9" or c == "-":
        if text[pos + 4 : pos + 5] == "-":
            m = _DATETIME.match(text, pos)
            if m is not None:
                return _datetime(m, pos), m.end()
            m = _DATE.match(text, pos)
            if m is not None:
                try:
                    return date.fromisoformat(m.group(0)), m.end()
                except ValueError:
                    raise _Fail(f"invalid date {m.group(0)!r}", pos) from None
        elif text[pos + 2 : pos + 3] == ":":
            m = _TIME.match(text, pos)
            if m is not None:
                hm, sec, frac = m.groups()
                frac = (frac + "000000")[:7] if frac else ""
                try:
                    return time.fromisoformat(f"{hm}{sec or ':00'}{frac}"), m.end()
                except ValueError:
                    raise _Fail(f"invalid time {m.group(0)!r}", pos) from None
        m = _NUMBER.match(text, pos)
        if m is None:
            m = _SPECIAL_NUMBER.match(text, pos)
            if m is None:
                raise _Fail("invalid number", pos)
            return Number(float(m.group(1).lower()), m.group(2) or None), m.end()
        digits, unit = m.groups()
        return Number(float(digits.replace("_", "")), unit or None), m.end()
    if c == "[":
        return _list(text, pos + 1)
    if c == "{":
        return _dict(text, pos + 1, "}")
    if c == "`":
        m = _URI.match(text, pos)
        if m is None:
            raise _Fail("unterminated uri", pos)
        s = m.group(1)
        return Uri(_unescape(s, pos, uri=True) if "\\" in s else s), m.end()
    if c == "^":
        m = _SYMBOL.match(text, pos)
        if m is None:
            raise _Fail("invalid symbol", pos)
        return Symbol(m.group(1)), m.end()
    if c == "<" and text.startswith("<<", pos):
        return _grid(text, pos + 2, nested=True)
    m = _WORD.match(text, pos)
    if m is None:
        raise _Fail(f"unexpected character {c!r}", pos)
    word = m.group(0)
    end = m.end()
    if text[end : end + 1] == "(":
        if word == "C" and text[end + 1 : end + 2] != '"':
            cm = _COORD.match(text, pos)
            if cm is None:
                raise _Fail("invalid coord, expected C(lat,lng)", pos)
            try:
                return Coord(float(cm.group(1)), float(cm.group(2))), cm.end()
            except ValueError as exc:
                raise _Fail(str(exc), pos) from None
        sm = _STR.match(text, end + 1)
        if sm is None or text[sm.end() : sm.end() + 1] != ")":
            raise _Fail(f'invalid {word}(...) value, expected {word}("...")', pos)
        s = sm.group(1)
        try:
            return XStr(word, _unescape(s, pos) if "\\" in s else s), sm.end() + 1
        except ValueError as exc:
            raise _Fail(str(exc), pos) from None
    constant = _CONSTANTS.get(word, _NOT_CONSTANT)
    if constant is not _NOT_CONSTANT:
        return constant, end
    m = _SPECIAL_NUMBER.match(text, pos)
    if m is not None:
        try:
            return Number(float(m.group(1).lower()), m.group(2) or None), m.end()
        except ValueError as exc:
            raise _Fail(str(exc), pos) from None
    raise _Fail(f"unknown value {word!r}", pos)


_NOT_CONSTANT = object()
_CONSTANTS: dict[str, Any] = {
    "M": Marker,
    "NA": NA,
    "R": Remove,
    "N": None,
    "T": True,
    "F": False,
}


# A row of plain cells: scalars only (no list, dict or nested grid outside a string), one
# regex match per line. ``_PLAIN`` is a run of characters that are not separators, quotes or
# brackets; a cell is such runs around quoted strings and uris (the loop unrolled, so the engine
# never backtracks into a cell). The cells it cuts out are only candidates: each is converted and
# checked in full, and any row the fast path cannot take is parsed by the general parser.
_PLAIN = r"[^,\"`\n\[\]{}<>]*+"
_QUOTED = r'(?:"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"|`[^`\\\n]*+(?:\\.[^`\\\n]*+)*+`)'
_CELL = "(" + _PLAIN + "(?:" + _QUOTED + _PLAIN + ")*+)"
_ROW_PATTERNS: dict[int, re.Pattern[str]] = {}
_FAST_ROW_MAX_WIDTH = 256
_MEMO_MAX = 65_536
_MISSING = object()


def _row_pattern(width: int) -> re.Pattern[str] | None:
    if not 0 < width <= _FAST_ROW_MAX_WIDTH:
        return None
    pattern = _ROW_PATTERNS.get(width)
    if pattern is None:
        pattern = re.compile(",".join([_CELL] * width) + r"(?:\n|\Z)")
        _ROW_PATTERNS[width] = pattern
    return pattern


def _cell(raw: str) -> Any:
    """The value of one cell the row pattern cut out; :class:`_Fail` if it is not exactly one."""
    if raw[0] == '"' and raw[-1] == '"' and raw.count('"') == 2 and "\\" not in raw:
        return raw[1:-1]
    text = raw.strip(" \t") if raw[0] in " \t" or raw[-1] in " \t" else raw
    if not text:
        return None
    value, end = _value(text, 0)
    if end != len(text):
        raise _Fail("more than one value in a cell", end)
    return value


def _fast_rows(
    text: str,
    pos: int,
    pattern: re.Pattern[str],
    names: list[str],
    rows: list[dict[str, Any]],
    memo: dict[str, Any],
) -> int:
    """Append the rows from ``pos`` that ``pattern`` takes; returns where it stopped.

    Cells are immutable scalars here, so a cell text in ``memo`` (a site ref, a marker, a unit
    seen before in the grid) reuses the value decoded the first time. The memo stops growing at
    ``_MEMO_MAX`` entries: a long history answer (a new timestamp and value in every row) would
    otherwise keep a copy of nearly its whole text alive for nothing (+60% peak memory on a
    100,000-row hisRead); the cells that do repeat show up long before the limit.
    """
    match = pattern.match
    append = rows.append
    memo_get = memo.get
    missing = _MISSING
    cell = _cell
    n = len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            return pos
        row: dict[str, Any] = {}
        try:
            for name, raw in zip(names, m.groups(), strict=True):
                if raw:
                    value = memo_get(raw, missing)
                    if value is missing:
                        value = cell(raw)
                        if len(memo) < _MEMO_MAX:
                            memo[raw] = value
                    if value is not None:
                        row[name] = value
        except (_Fail, IndexError, RecursionError):
            return pos  # the general parser reports the error where it is
        append(row)
        pos = m.end()
    return pos


def _skip_spaces(text: str, pos: int, newlines: bool = False) -> int:
    n = len(text)
    while pos < n and (text[pos] == " " or text[pos] == "\t" or (newlines and text[pos] in "\r\n")):
        pos += 1
    return pos


def _list(text: str, pos: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    pos = _skip_spaces(text, pos, True)
    while True:
        if pos >= len(text):
            raise _Fail("unterminated list, expected ']'", pos)
        if text[pos] == "]":
            return items, pos + 1
        item, pos = _value(text, pos)
        items.append(item)
        pos = _skip_spaces(text, pos, True)
        if text[pos : pos + 1] == ",":
            pos = _skip_spaces(text, pos + 1, True)
        elif text[pos : pos + 1] != "]":
            raise _Fail("expected ',' or ']' in list", pos)


def _dict(text: str, pos: int, close: str) -> tuple[dict[str, Any], int]:
    items: dict[str, Any] = {}
    pos = _skip_spaces(text, pos, True)
    while True:
        if pos >= len(text):
            raise _Fail(f"unterminated dict, expected {close!r}", pos)
        if text[pos] == close:
            return items, pos + 1
        m = _TAG.match(text, pos)
        if m is None:
            raise _Fail("expected a tag name (lowercase letter or '_' first)", pos)
        name, pos = m.group(0), m.end()
        if text[pos : pos + 1] == ":":
            if pos + 1 >= len(text):
                raise _Fail(f"missing value of tag {name!r}", pos + 1)
            items[name], pos = _value(text, pos + 1)
        else:
            items[name] = Marker
        pos = _skip_spaces(text, pos, True)
        if text[pos : pos + 1] == ",":
            pos = _skip_spaces(text, pos + 1, True)


def _tags(text: str, pos: int) -> tuple[dict[str, Any], int]:
    """Space separated ``name`` / ``name:value`` pairs up to ``,`` or end of line."""
    tags: dict[str, Any] = {}
    n = len(text)
    while True:
        pos = _skip_spaces(text, pos)
        if pos >= n or text[pos] in ",\n" or text.startswith(">>", pos):
            return tags, pos
        m = _TAG.match(text, pos)
        if m is None:
            raise _Fail("expected a tag name (lowercase letter or '_' first)", pos)
        name, pos = m.group(0), m.end()
        if text[pos : pos + 1] == ":":
            if pos + 1 >= n:
                raise _Fail(f"missing value of tag {name!r}", pos + 1)
            tags[name], pos = _value(text, pos + 1)
        else:
            tags[name] = Marker


def _grid(text: str, pos: int, nested: bool) -> tuple[Grid, int]:
    n = len(text)
    if nested:
        pos = _skip_spaces(text, pos, True)
    if not text.startswith("ver:", pos):
        raise _Fail('a grid must start with ver:"3.0"', pos)
    version, pos = _value(text, pos + 4) if pos + 4 < n else (None, pos + 4)
    if not isinstance(version, str):
        raise _Fail('grid version must be a string such as "3.0"', pos)
    meta, pos = _tags(text, pos)
    if text[pos : pos + 1] != "\n":
        raise _Fail("expected end of line after grid meta", pos)
    pos += 1
    columns: dict[str, dict[str, Any]] = {}
    while True:
        pos = _skip_spaces(text, pos)
        m = _TAG.match(text, pos)
        if m is None:
            raise _Fail("expected a column name (lowercase letter or '_' first)", pos)
        name = m.group(0)
        if name in columns:
            raise _Fail(f"duplicate column {name!r}", pos)
        columns[name], pos = _tags(text, m.end())
        if text[pos : pos + 1] == ",":
            pos += 1
            continue
        if pos < n and text[pos] != "\n":
            raise _Fail("expected ',' or end of line after column", pos)
        pos += 1
        break
    names = list(columns)
    width = len(names)
    rows: list[dict[str, Any]] = []
    append = rows.append
    value = _value
    # Nested grids are rare and end at ">>", which the row pattern does not look for.
    fast = None if nested else _row_pattern(width)
    memo: dict[str, Any] = {}
    while pos < n:
        if fast is not None:
            pos = _fast_rows(text, pos, fast, names, rows, memo)
            if pos >= n:
                break
        if nested and text.startswith(">>", pos):
            break
        if width > 1 and text[pos] == "\n":
            # A null row of several columns is written ",,": a blank line ends the grid (some
            # servers end their answer with an extra newline), it is never a row.
            break
        row: dict[str, Any] = {}
        index = 0
        while True:
            c = text[pos] if pos < n else "\n"
            if c == " " or c == "\t":  # blanks around a cell, as _skip_spaces and _cell take them
                pos = _skip_spaces(text, pos)
                c = text[pos] if pos < n else "\n"
            if c == "," or c == "\n" or (c == ">" and nested and text.startswith(">>", pos)):
                cell = None
            else:
                start = pos
                cell, pos = value(text, pos)
                if pos < n and (text[pos] == " " or text[pos] == "\t"):
                    pos = _skip_spaces(text, pos)
                c = text[pos] if pos < n else "\n"
            if cell is not None:
                if index >= width:
                    raise _Fail(f"row has more cells than the {width} columns", start)
                row[names[index]] = cell
            index += 1
            if c == ",":
                pos += 1
                continue
            if c == "\n":
                pos += 1
                break
            if c == ">" and nested and text.startswith(">>", pos):
                break
            raise _Fail(f"expected ',' or end of line, got {c!r}", pos)
        if index > width and width:
            raise _Fail(f"row has more cells than the {width} columns", pos)
        append(row)
    if nested:
        if not text.startswith(">>", pos):
            raise _Fail("unterminated nested grid, expected '>>'", pos)
        pos += 2
    if names == ["empty"] and not rows:
        columns = {}
    return Grid(meta=meta, columns=columns, rows=rows, version=version), pos


def loads(text: str | bytes) -> Grid:
    """Parse a Zinc grid.

    Raises :class:`~ace_skyspark_lib.exceptions.ZincParseError` (with line and column) for
    anything that is not valid Zinc.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ZincParseError(f"not UTF-8 ({exc.reason})", line=1, column=1) from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    try:
        grid, pos = _grid(text, 0, nested=False)
    except _Fail as failure:
        raise _error(text, failure) from None
    except (IndexError, RecursionError) as exc:
        raise ZincParseError(
            "unexpected end of input", line=text.count("\n") + 1, column=1
        ) from exc
    rest = text[pos:].lstrip()
    if rest:
        raise _error(text, _Fail("unexpected text after the grid", len(text) - len(rest)))
    return grid


def loads_value(text: str) -> Any:
    """Parse one Zinc value (scalar, list, dict or nested grid) that fills all of ``text``."""
    text = text.strip()
    try:
        if not text:
            raise _Fail("empty value", 0)
        value, pos = _value(text, 0)
        if pos != len(text):
            raise _Fail("unexpected text after the value", pos)
    except _Fail as failure:
        raise _error(text, failure) from None
    except (IndexError, RecursionError) as exc:
        raise ZincParseError("unexpected end of input", line=1, column=len(text) + 1) from exc
    return value


# -- writing ------------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f\u2028\u2029]')
_URI_NEEDS_ESCAPE = re.compile(r"[\\`\x00-\x1f\x7f\u2028\u2029]")
_WRITE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "`": "\\`"}
_TZ_NAMES: dict[tzinfo, str] = {}


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _WRITE_ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def _str(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return '"' + value + '"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "INF" if value > 0 else "-INF"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _int(value: int) -> str:
    try:
        return _float(float(value))
    except OverflowError:
        raise ZincEncodeError("an int beyond 1.8e308 cannot be written as a Zinc number") from None


def _number(value: Number) -> str:
    unit = value.unit
    return _float(value.val) + unit if unit else _float(value.val)


def number_text(value: float, unit: str | None = None) -> str:
    """Zinc text of a number and its unit (``72.5°F``, ``NaN``, ``-INF``); no checks of the unit."""
    return _float(value) + unit if unit else _float(value)


def _tz_name(tz: tzinfo | None) -> str:
    name = _TZ_NAMES.get(tz) if tz is not None else None
    if name is None:
        try:
            name = haystack_tz_name(tz)
        except ValueError as exc:
            raise ZincEncodeError(str(exc)) from exc
        _TZ_NAMES[tz] = name  # type: ignore[index]
    return name


def _datetime_text(value: datetime) -> str:
    name = _tz_name(value.tzinfo)
    offset = value.utcoffset()
    if offset is not None and offset.seconds % 60:
        # Local mean time before a zone's standard time (e.g. New York before 1883).
        raise ZincEncodeError(
            f"cannot write {value.isoformat()}: its UTC offset is not whole minutes, which "
            "Zinc cannot hold; convert it to UTC first"
        )
    text = value.isoformat()
    if name == "UTC" and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return f"{text} {name}"


def _time_text(value: time) -> str:
    if value.tzinfo is not None:
        raise ZincEncodeError(f"Haystack times have no time zone; got {value!r}")
    return value.isoformat()


def _ref(value: Ref) -> str:
    if value.dis is None:
        return "@" + value.id
    return "@" + value.id + " " + _str(value.dis)


def _uri(value: Uri) -> str:
    text = value.val
    if _URI_NEEDS_ESCAPE.search(text) is not None:
        text = _URI_NEEDS_ESCAPE.sub(_escape_char, text)
    return "`" + text + "`"


def _list_text(value: list[Any]) -> str:
    return "[" + ",".join([dumps_value(v) for v in value]) + "]"


def _dict_text(value: dict[str, Any]) -> str:
    return "{" + " ".join(_tag_text(k, v) for k, v in value.items()) + "}"


def _tag_text(name: str, value: Any) -> str:
    if not isinstance(name, str) or not is_tag_name(name):
        raise ZincEncodeError(f"invalid tag name {name!r}: start with a lowercase letter or '_'")
    if value is Marker:
        return name
    return name + ":" + dumps_value(value)


def _symbol(value: Symbol) -> str:
    if _SYMBOL.fullmatch("^" + value.val) is None:
        raise ZincEncodeError(f"invalid symbol {value.val!r}")
    return "^" + value.val


def _coord(value: Coord) -> str:
    return f"C({value.lat!r},{value.lng!r})"


def _xstr(value: XStr) -> str:
    return value.type + "(" + _str(value.val) + ")"


_ENCODERS: dict[type, Any] = {
    str: _str,
    Number: _number,
    Ref: _ref,
    bool: lambda v: "T" if v else "F",
    MarkerType: lambda v: "M",
    NAType: lambda v: "NA",
    RemoveType: lambda v: "R",
    type(None): lambda v: "N",
    datetime: _datetime_text,
    date: date.isoformat,
    time: _time_text,
    int: _int,
    float: _float,
    Uri: _uri,
    Symbol: _symbol,
    Coord: _coord,
    XStr: _xstr,
    list: _list_text,
    tuple: _list_text,
    dict: _dict_text,
    Grid: lambda v: "<<" + dumps(v) + ">>",
}


def dumps_value(value: Any) -> str:
    """Write one value as Zinc (``Number(5, "kW")`` -> ``5kW``, ``None`` -> ``N``)."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        for kind, candidate in _ENCODERS.items():
            if kind is not bool and isinstance(value, kind):
                encoder = candidate
                break
        else:
            raise ZincEncodeError(f"cannot write {type(value).__name__} {value!r} as Zinc")
    text: str = encoder(value)
    return text


def dumps(grid: Grid) -> str:
    """Write ``grid`` as Zinc text (ending with a newline)."""
    if not isinstance(grid, Grid):
        raise ZincEncodeError(f"dumps() takes a Grid, got {type(grid).__name__}")
    head = 'ver:"' + grid.version.replace('"', "") + '"'
    if grid.meta:
        head += " " + " ".join(_tag_text(k, v) for k, v in grid.meta.items())
    names = list(grid.columns)
    if not names:
        if grid.rows:
            raise ZincEncodeError("a grid with rows needs at least one column")
        return head + "\nempty\n"
    cols = ",".join(
        (name if not meta else name + " " + " ".join(_tag_text(k, v) for k, v in meta.items()))
        if is_tag_name(name)
        else _bad_column(name)
        for name, meta in grid.columns.items()
    )
    lines = [head, cols]
    encoders = _ENCODERS
    for row in grid.rows:
        cells = []
        for name in names:
            v = row.get(name)
            if v is None:
                cells.append("")
                continue
            encoder = encoders.get(type(v))
            cells.append(encoder(v) if encoder is not None else dumps_value(v))
        if len(row) != len(names) - cells.count(""):
            _check_row_keys(row, grid.columns)
        lines.append(",".join(cells))
    lines.append("")
    return "\n".join(lines)


def _check_row_keys(row: dict[str, Any], columns: dict[str, Any]) -> None:
    # Writing the row without cells the grid has no column for would drop them silently.
    extra = [key for key, value in row.items() if key not in columns and value is not None]
    if extra:
        raise ZincEncodeError(f"row has cells {extra} that are not columns of the grid")


def _bad_column(name: str) -> str:
    raise ZincEncodeError(f"invalid column name {name!r}: start with a lowercase letter or '_'")


def zinc_datetime(value: datetime) -> str:
    """Zinc text of an aware datetime (``2024-01-31T13:05:00-05:00 New_York``)."""
    return _datetime_text(value)


def scan_value(text: str, pos: int) -> tuple[Any, int]:
    """Parse the value starting at ``pos`` of ``text``; returns it and the position after it.

    For parsers of languages that embed Zinc scalars (Haystack filters, Axon).
    """
    try:
        if pos >= len(text):
            raise _Fail("expected a value", pos)
        return _value(text, pos)
    except _Fail as failure:
        raise _error(text, failure) from None
    except (IndexError, RecursionError) as exc:
        raise ZincParseError("unexpected end of input", line=1, column=len(text) + 1) from exc
