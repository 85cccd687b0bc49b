"""The few Axon expressions the simulator's ``eval`` op understands.

Enough for what integrators send through ``eval``: ``readAll(filter)``, ``read(filter)``,
``readById(@id)``, ``readCount(filter)``, ``hisRead(@id, range)``, ``now()``, ``today()``,
``about()`` and plain Zinc literals. Anything else is an "Unknown func" error grid, as a server
without that function would answer.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from ace_skyspark_lib.kinds import Grid, Number, Ref, zone_for
from ace_skyspark_lib.zinc import loads_value
from shared_testing.skyspark.store import OpError, Project, parse_range

__all__ = ["evaluate"]

_CALL = re.compile(r"\s*([a-zA-Z_][A-Za-z0-9_]*)\s*\((.*)\)\s*\Z", re.DOTALL)


def _scalar(value: Any) -> Grid:
    return Grid.from_rows([{"val": value}])


def evaluate(expr: str, project: Project, about: dict[str, Any]) -> Grid:
    """Evaluate ``expr`` against ``project``; raises :class:`OpError` for what it cannot."""
    m = _CALL.match(expr)
    if m is None:
        try:
            return _scalar(loads_value(expr))
        except ValueError as exc:
            raise OpError(f"Axon syntax error: {expr.strip()[:80]!r}", "sys::ParseErr") from exc
    func, args = m.group(1), m.group(2).strip()
    if func == "readAll":
        return Grid.from_rows(project.read(args))
    if func == "readCount":
        return _scalar(Number(float(len(project.read(args)))))
    if func == "read":
        rows = project.read(args, limit=1)
        if not rows:
            raise OpError(f"Rec not found: {args}", "haystack::UnknownRecErr")
        return Grid.from_rows(rows)
    if func == "readById":
        try:
            ref = loads_value(args)
        except ValueError as exc:
            raise OpError(f"readById needs a ref, got {args!r}") from exc
        record = project.get(ref.id) if isinstance(ref, Ref) else None
        if record is None:
            raise OpError(f"Rec not found: {args}", "haystack::UnknownRecErr")
        return Grid.from_rows([project.view(record)])
    if func == "hisRead":
        target, _, range_text = args.partition(",")
        try:
            ref = loads_value(target)
        except ValueError as exc:
            raise OpError(f"hisRead needs a ref first, got {target!r}") from exc
        if not isinstance(ref, Ref):
            raise OpError(f"hisRead needs a ref first, got {target!r}")
        point = project.his_point(ref.id)
        start, end = parse_range(range_text.strip().removesuffix("()"), str(point.get("tz", "UTC")))
        rows = [{"ts": ts, "val": v} for ts, v in project.his_read(ref.id, start, end)]
        return Grid(meta={"id": ref}, columns={"ts": {}, "val": {}}, rows=rows)
    if func == "now" and not args:
        return _scalar(datetime.now(timezone.utc).astimezone(zone_for("UTC")))
    if func == "today" and not args:
        return _scalar(datetime.now(timezone.utc).date())
    if func == "about" and not args:
        return Grid.from_rows([about])
    raise OpError(f"Unknown func: {func}", "sys::UnknownNameErr")
