"""The part of Axon the simulator's ``eval`` and ``evalAll`` ops understand.

A small expression language, evaluated over one project: Zinc literals (``"text"``, ``42``,
``@id``, ``true``/``false``/``null``), lists ``[a, b]``, dicts ``{id: r["id"], his}``, calls
``f(a, b)``, dot calls ``x.f(a)`` / ``x.f`` (Axon's ``x.f(a)`` is ``f(x, a)``), trailing lambdas
``list.map(r => expr)``, tag access ``rec->tag`` and ``dict["tag"]``.

Functions: ``readAll``, ``read``, ``readCount`` (their argument is a Haystack filter, as in
Axon, or a ``parseFilter(str)`` value), ``readById``, ``readByIds``, ``parseFilter``,
``hisRead``, ``hisWrite``, ``parseDateTime``, ``toTimeZone``, ``toRecList``, ``toGrid``,
``map``, ``flatten``, ``size``, ``now``, ``today``, ``about``. That covers what integrators send
through ``eval`` (including the published ace-skyspark-lib's history-write and projected-read
expressions). Any other function is an "Unknown func" error grid, as a server without that
function would answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ace_skyspark_lib.exceptions import SkysparkError
from ace_skyspark_lib.filter import Filter, parse_filter
from ace_skyspark_lib.kinds import Grid, Marker, Number, Ref
from ace_skyspark_lib.timezones import zone_for
from ace_skyspark_lib.zinc import scan_value
from shared_testing.skyspark.store import OpError, Project, parse_range

__all__ = ["evaluate"]

_NAME = re.compile(r"[a-zA-Z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s*")
_LAMBDA = re.compile(r"([a-z_][A-Za-z0-9_]*)\s*=>")  # the head of "x => expr"
_FILTER_FUNCS = frozenset({"readAll", "read", "readCount"})
_CONSTANTS = {"true": True, "false": False, "null": None}


class _SyntaxError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Call:
    func: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class _Var:
    name: str


@dataclass(frozen=True)
class _Lambda:
    param: str
    body: Any


@dataclass(frozen=True)
class _Literal:
    value: Any


@dataclass(frozen=True)
class _ListExpr:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class _DictExpr:
    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class _Arrow:
    target: Any
    tag: str


@dataclass(frozen=True)
class _Index:
    target: Any
    key: Any


@dataclass(frozen=True)
class _FilterText:
    text: str


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> _SyntaxError:
        return _SyntaxError(f"Axon syntax error: {what} at {self.pos} in {self.text[:80]!r}")

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def peek(self, token: str) -> bool:
        self.skip()
        return self.text.startswith(token, self.pos)

    def expect(self, token: str) -> None:
        if not self.peek(token):
            raise self.fail(f"expected {token!r}")
        self.pos += len(token)

    def parse(self) -> Any:
        expr = self.expr()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected text")
        return expr

    def expr(self) -> Any:
        self.skip()
        lam = _LAMBDA.match(self.text, self.pos)
        if lam is not None:
            self.pos = lam.end()
            return _Lambda(lam.group(1), self.expr())
        return self.postfix(self.primary())

    def postfix(self, target: Any) -> Any:
        while True:
            if self.peek("->"):
                self.pos += 2
                self.skip()
                m = _NAME.match(self.text, self.pos)
                if m is None:
                    raise self.fail("expected a tag name after '->'")
                self.pos = m.end()
                target = _Arrow(target, m.group(0))
            elif self.peek("."):
                self.pos += 1
                m = _NAME.match(self.text, self.pos)
                if m is None:
                    raise self.fail("expected a function name after '.'")
                self.pos = m.end()
                args: list[Any] = [target]
                if self.peek("("):
                    args += self.arguments(m.group(0))
                if self.peek_lambda():
                    args.append(self.expr())
                target = _Call(m.group(0), tuple(args))
            elif self.peek("["):
                self.pos += 1
                key = self.expr()
                self.expect("]")
                target = _Index(target, key)
            else:
                return target

    def peek_lambda(self) -> bool:
        self.skip()
        return _LAMBDA.match(self.text, self.pos) is not None

    def arguments(self, func: str) -> list[Any]:
        self.expect("(")
        if func in _FILTER_FUNCS and not self.peek("parseFilter") and not self.peek(")"):
            return [self.filter_argument()]
        args: list[Any] = []
        while not self.peek(")"):
            args.append(self.expr())
            if self.peek(","):
                self.pos += 1
            elif not self.peek(")"):
                raise self.fail("expected ',' or ')'")
        self.pos += 1
        return args

    def filter_argument(self) -> _FilterText:
        """readAll(site and equip): the raw text up to the matching ')' is a filter."""
        depth, start, quote = 0, self.pos, False
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if quote:
                if c == "\\":
                    self.pos += 1
                elif c == '"':
                    quote = False
            elif c == '"':
                quote = True
            elif c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    text = self.text[start : self.pos].strip()
                    self.pos += 1
                    return _FilterText(text)
                depth -= 1
            self.pos += 1
        raise self.fail("unterminated call")

    def primary(self) -> Any:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("expected an expression")
        c = self.text[self.pos]
        if c == "[":
            self.pos += 1
            items: list[Any] = []
            while not self.peek("]"):
                items.append(self.expr())
                if self.peek(","):
                    self.pos += 1
                elif not self.peek("]"):
                    raise self.fail("expected ',' or ']'")
            self.pos += 1
            return _ListExpr(tuple(items))
        if c == "{":
            self.pos += 1
            pairs: list[tuple[str, Any]] = []
            while not self.peek("}"):
                m = _NAME.match(self.text, self.pos)
                if m is None:
                    raise self.fail("expected a tag name in a dict")
                self.pos = m.end()
                value: Any = _Literal(Marker)
                if self.peek(":"):
                    self.pos += 1
                    value = self.expr()
                pairs.append((m.group(0), value))
                if self.peek(","):
                    self.pos += 1
                elif not self.peek("}"):
                    raise self.fail("expected ',' or '}'")
            self.pos += 1
            return _DictExpr(tuple(pairs))
        if c == "(":
            self.pos += 1
            inner = self.expr()
            self.expect(")")
            return inner
        m = _NAME.match(self.text, self.pos)
        if m is not None and c.islower():
            word = m.group(0)
            after = _SPACE.match(self.text, m.end()).end()  # type: ignore[union-attr]
            if self.text.startswith("(", after):
                self.pos = m.end()
                return _Call(word, tuple(self.arguments(word)))
            self.pos = m.end()
            if word in _CONSTANTS:
                return _Literal(_CONSTANTS[word])
            if word in ("yesterday", "today"):
                return _Literal(word)  # the range names hisRead takes
            return _Var(word)
        try:
            value, self.pos = scan_value(self.text, self.pos)
        except SkysparkError as exc:
            raise self.fail(str(exc)) from None
        return _Literal(value)


class _Evaluator:
    def __init__(self, project: Project, about: dict[str, Any]) -> None:
        self.project = project
        self.about = about

    def eval(self, node: Any, scope: dict[str, Any]) -> Any:
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _ListExpr):
            return [self.eval(item, scope) for item in node.items]
        if isinstance(node, _DictExpr):
            return {name: self.eval(value, scope) for name, value in node.items}
        if isinstance(node, _Var):
            if node.name in scope:
                return scope[node.name]
            raise OpError(f"Unknown name: {node.name}", "sys::UnknownNameErr")
        if isinstance(node, _Arrow):
            return self.arrow(self.eval(node.target, scope), node.tag)
        if isinstance(node, _Index):
            target, key = self.eval(node.target, scope), self.eval(node.key, scope)
            if isinstance(target, dict):
                return target.get(key)
            if isinstance(target, list) and isinstance(key, Number):
                return target[int(key.val)]
            raise OpError(f"cannot index {type(target).__name__}")
        if isinstance(node, _Lambda):
            return node
        if isinstance(node, _FilterText):
            return node
        if isinstance(node, _Call):
            return self.call(node, scope)
        raise OpError(f"cannot evaluate {node!r}")  # pragma: no cover

    def arrow(self, target: Any, tag: str) -> Any:
        if isinstance(target, Ref):
            target = self.project.get(target.id)
            if target is None:
                raise OpError("Rec not found for '->'", "haystack::UnknownRecErr")
        if not isinstance(target, dict):
            raise OpError(f"'->' needs a rec or ref, got {type(target).__name__}")
        value = target.get(tag)
        if value is None:
            raise OpError(f"Missing tag: {tag}", "haystack::UnknownNameErr")
        return value

    def filter_of(self, value: Any) -> Filter:
        if isinstance(value, _FilterText):
            try:
                return parse_filter(value.text)
            except ValueError as exc:
                raise OpError(str(exc), "haystack::FilterErr") from exc
        if isinstance(value, Filter):
            return value
        raise OpError(f"expected a filter, got {type(value).__name__}")

    def call(self, node: _Call, scope: dict[str, Any]) -> Any:
        func = _FUNCS.get(node.func)
        if func is None:
            raise OpError(f"Unknown func: {node.func}", "sys::UnknownFuncErr")
        if node.func == "map":
            return self.map(node, scope)
        args = [self.eval(arg, scope) for arg in node.args]
        return func(self, *args)

    def map(self, node: _Call, scope: dict[str, Any]) -> Any:
        if len(node.args) != 2 or not isinstance(node.args[1], _Lambda):
            raise OpError("map needs a collection and a function 'x => ...'")
        target = self.eval(node.args[0], scope)
        fn = node.args[1]
        items = target.rows if isinstance(target, Grid) else target
        if not isinstance(items, list):
            raise OpError(f"map needs a list or grid, got {type(target).__name__}")
        return [self.eval(fn.body, {**scope, fn.param: item}) for item in items]


def _grid(value: Any) -> Grid:
    """Axon's toGrid: a grid stays, a list of dicts becomes rows, anything else one val cell."""
    if isinstance(value, Grid):
        return value
    if value is None:
        return Grid()
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return Grid.from_rows([dict(v) for v in value])
    if isinstance(value, dict):
        return Grid.from_rows([value])
    return Grid.from_rows([{"val": value}])


def _args(count: int, name: str, *args: Any) -> None:
    if len(args) != count:
        raise OpError(f"{name} takes {count} arguments, got {len(args)}", "sys::ArgErr")


def _read_all(ev: _Evaluator, *args: Any) -> Grid:
    _args(1, "readAll", *args)
    return Grid.from_rows(ev.project.read_node(ev.filter_of(args[0])))


def _read(ev: _Evaluator, *args: Any) -> Grid:
    _args(1, "read", *args)
    rows = ev.project.read_node(ev.filter_of(args[0]), limit=1)
    if not rows:
        raise OpError(f"Rec not found: {getattr(args[0], 'text', '')}", "haystack::UnknownRecErr")
    return Grid.from_rows(rows)


def _read_count(ev: _Evaluator, *args: Any) -> Number:
    _args(1, "readCount", *args)
    return Number(float(len(ev.project.read_node(ev.filter_of(args[0])))))


def _read_by_id(ev: _Evaluator, *args: Any) -> dict[str, Any]:
    if not args or not isinstance(args[0], Ref):
        raise OpError(f"readById needs a ref, got {args[0] if args else None!r}")
    record = ev.project.get(args[0].id)
    if record is None:
        if len(args) > 1 and args[1] is False:
            return {}
        raise OpError(f"Rec not found: @{args[0].id}", "haystack::UnknownRecErr")
    return ev.project.view(record)


def _read_by_ids(ev: _Evaluator, *args: Any) -> Grid:
    if not args or not isinstance(args[0], list):
        raise OpError("readByIds needs a list of refs")
    checked = not (len(args) > 1 and args[1] is False)
    rows = []
    for ref in args[0]:
        if not isinstance(ref, Ref):
            raise OpError(f"readByIds needs refs, got {ref!r}")
        record = ev.project.get(ref.id)
        if record is None and checked:
            raise OpError(f"Rec not found: @{ref.id}", "haystack::UnknownRecErr")
        rows.append(ev.project.view(record) if record is not None else {})
    out = Grid.from_rows(rows)
    out.columns.setdefault("id", {})
    return out


def _parse_filter(ev: _Evaluator, *args: Any) -> Filter:
    _args(1, "parseFilter", *args)
    if not isinstance(args[0], str):
        raise OpError("parseFilter needs a string")
    return ev.filter_of(_FilterText(args[0]))


def _to_rec_list(ev: _Evaluator, *args: Any) -> list[dict[str, Any]]:
    _args(1, "toRecList", *args)
    value = args[0]
    if isinstance(value, Grid):
        return [{k: v for k, v in row.items() if v is not None} for row in value.rows]
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    raise OpError(f"toRecList needs a grid or list, got {type(value).__name__}")


def _flatten(ev: _Evaluator, *args: Any) -> list[Any]:
    _args(1, "flatten", *args)
    if not isinstance(args[0], list):
        raise OpError("flatten needs a list")
    out: list[Any] = []
    for item in args[0]:
        if isinstance(item, list):
            out.extend(item)
        elif isinstance(item, Grid):
            out.extend(item.rows)
        else:
            out.append(item)
    return out


def _size(ev: _Evaluator, *args: Any) -> Number:
    _args(1, "size", *args)
    value = args[0]
    items = value.rows if isinstance(value, Grid) else value
    if not isinstance(items, list | dict | str):
        raise OpError("size needs a list, dict, grid or string")
    return Number(float(len(items)))


def _his_read(ev: _Evaluator, *args: Any) -> Grid:
    _args(2, "hisRead", *args)
    ref, span = args
    if not isinstance(ref, Ref):
        raise OpError(f"hisRead needs a ref first, got {ref!r}")
    if not isinstance(span, str):
        raise OpError(f"hisRead needs a range, got {span!r}")
    point = ev.project.his_point(ref.id)
    start, end = parse_range(span, str(point.get("tz", "UTC")))
    rows = [{"ts": ts, "val": v} for ts, v in ev.project.his_read(ref.id, start, end)]
    return Grid(meta={"id": ref}, columns={"ts": {}, "val": {}}, rows=rows)


def _his_write(ev: _Evaluator, *args: Any) -> Grid:
    if len(args) not in (2, 3):
        raise OpError("hisWrite takes (items, point)", "sys::ArgErr")
    items, ref = args[0], args[1]
    if not isinstance(ref, Ref):
        raise OpError(f"hisWrite needs a point ref, got {ref!r}")
    if isinstance(items, dict):
        items = [items]
    elif isinstance(items, Grid):
        items = items.rows
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise OpError("hisWrite needs a grid or list of dicts with ts and val")
    ev.project.his_write(ref.id, [(i.get("ts"), i.get("val")) for i in items])
    return Grid()


_PATTERN_PART = re.compile(r"YYYY|MM|DD|hh|mm|ss|FFF|z|.", re.DOTALL)
_PATTERN_REGEX = {
    "YYYY": r"(?P<Y>\d{4})",
    "MM": r"(?P<M>\d\d)",
    "DD": r"(?P<D>\d\d)",
    "hh": r"(?P<h>\d\d)",
    "mm": r"(?P<m>\d\d)",
    "ss": r"(?P<s>\d\d)",
    "FFF": r"(?P<f>\.\d+)?",
    "z": r"(?P<z>Z|[+-]\d\d:\d\d)",
}


def _parse_date_time(ev: _Evaluator, *args: Any) -> datetime:
    if len(args) not in (2, 3) or not all(isinstance(a, str) for a in args[:2]):
        raise OpError("parseDateTime takes (str, pattern)", "sys::ArgErr")
    text, pattern = args[0], args[1]
    regex = "".join(_PATTERN_REGEX.get(p, re.escape(p)) for p in _PATTERN_PART.findall(pattern))
    m = re.fullmatch(regex, text)
    if m is None:
        raise OpError(f"Invalid DateTime: {text!r} for pattern {pattern!r}", "sys::ParseErr")
    parts = m.groupdict()
    if not {"Y", "M", "D"} <= parts.keys():
        raise OpError(f"parseDateTime pattern {pattern!r} needs YYYY, MM and DD", "sys::ParseErr")
    iso = f"{parts['Y']}-{parts['M']}-{parts['D']}T{parts.get('h') or '00'}:"
    iso += f"{parts.get('m') or '00'}:{parts.get('s') or '00'}{parts.get('f') or ''}"
    iso += "+00:00" if parts.get("z") in (None, "Z") else parts["z"]
    try:
        value = datetime.fromisoformat(iso)
    except ValueError as exc:
        raise OpError(f"Invalid DateTime: {text!r}", "sys::ParseErr") from exc
    name = args[2] if len(args) == 3 and isinstance(args[2], str) else "UTC"
    try:
        return value.astimezone(zone_for(name))
    except ValueError as exc:
        raise OpError(f"Unknown tz: {name}") from exc


def _to_time_zone(ev: _Evaluator, *args: Any) -> datetime:
    _args(2, "toTimeZone", *args)
    value, name = args
    if not isinstance(value, datetime) or not isinstance(name, str):
        raise OpError("toTimeZone takes (dateTime, tz name)")
    try:
        return value.astimezone(zone_for(name))
    except ValueError as exc:
        raise OpError(f"Unknown tz: {name}") from exc


def _now(ev: _Evaluator, *args: Any) -> datetime:
    _args(0, "now", *args)
    return datetime.now(timezone.utc).astimezone(zone_for("UTC"))


def _today(ev: _Evaluator, *args: Any) -> Any:
    _args(0, "today", *args)
    return datetime.now(timezone.utc).date()


def _about(ev: _Evaluator, *args: Any) -> Grid:
    _args(0, "about", *args)
    return Grid.from_rows([ev.about])


def _to_grid(ev: _Evaluator, *args: Any) -> Grid:
    _args(1, "toGrid", *args)
    return _grid(args[0])


_FUNCS: dict[str, Callable[..., Any]] = {
    "readAll": _read_all,
    "read": _read,
    "readCount": _read_count,
    "readById": _read_by_id,
    "readByIds": _read_by_ids,
    "parseFilter": _parse_filter,
    "toRecList": _to_rec_list,
    "toGrid": _to_grid,
    "map": _to_grid,  # placeholder: map is evaluated lazily by _Evaluator.map
    "flatten": _flatten,
    "size": _size,
    "hisRead": _his_read,
    "hisWrite": _his_write,
    "parseDateTime": _parse_date_time,
    "toTimeZone": _to_time_zone,
    "now": _now,
    "today": _today,
    "about": _about,
}


def evaluate(expr: str, project: Project, about: dict[str, Any]) -> Grid:
    """Evaluate ``expr`` against ``project``; raises :class:`OpError` for what it cannot."""
    try:
        tree = _Parser(expr).parse()
    except _SyntaxError as exc:
        raise OpError(exc.message, "sys::ParseErr") from None
    except RecursionError:
        raise OpError("Axon syntax error: nesting too deep", "sys::ParseErr") from None
    try:
        result = _Evaluator(project, about).eval(tree, {})
    except RecursionError:
        raise OpError("Axon evaluation too deep", "sys::EvalErr") from None
    if isinstance(result, _Lambda | _FilterText | Filter):
        raise OpError("expression does not evaluate to a value")
    return _grid(result)
