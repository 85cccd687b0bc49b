"""The simulator's own evaluation of Haystack filters over its records.

Parsing is shared with the client (``ace_skyspark_lib.filter``); deciding whether a record
matches, following ``->`` ref paths through the record store, happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from ace_skyspark_lib.filter import And, Compare, Filter, Has, Missing, Or
from ace_skyspark_lib.kinds import Number, Ref, Symbol, Uri

__all__ = ["matches", "resolve_path"]

Resolver = Callable[[str], Mapping[str, Any] | None]


def resolve_path(record: Mapping[str, Any], path: tuple[str, ...], resolve: Resolver) -> Any:
    """The value at ``a->b->c`` starting from ``record``, or ``None`` when any hop is missing."""
    value = record.get(path[0])
    for name in path[1:]:
        if not isinstance(value, Ref):
            return None
        target = resolve(value.id)
        if target is None:
            return None
        value = target.get(name)
    return value


def _ordered(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Comparable keys of two values of the same Haystack kind, else ``None``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, Number) and isinstance(b, Number):
        if a.unit is not None and b.unit is not None and a.unit != b.unit:
            return None
        return a.val, b.val
    if isinstance(a, Ref) and isinstance(b, Ref):
        return a.id, b.id
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        return None
    for kind in (str, date, time):
        if isinstance(a, kind) and isinstance(b, kind):
            return a, b
    if isinstance(a, Uri | Symbol) and type(a) is type(b):
        return a.val, b.val
    return None


def _compare(op: str, actual: Any, expected: Any) -> bool:
    pair = _ordered(actual, expected)
    if pair is None:
        return op == "!=" and actual is not None
    a, b = pair
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if isinstance(a, bool):
        return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def matches(node: Filter, record: Mapping[str, Any], resolve: Resolver) -> bool:
    """Whether ``record`` satisfies the filter ``node``."""
    if isinstance(node, Has):
        return resolve_path(record, node.path, resolve) is not None
    if isinstance(node, Missing):
        return resolve_path(record, node.path, resolve) is None
    if isinstance(node, Compare):
        return _compare(node.op, resolve_path(record, node.path, resolve), node.value)
    if isinstance(node, And):
        return matches(node.left, record, resolve) and matches(node.right, record, resolve)
    if isinstance(node, Or):
        return matches(node.left, record, resolve) or matches(node.right, record, resolve)
    raise TypeError(f"not a filter node: {node!r}")
