"""Decoding snapshot and change payloads into :class:`ParamUpdate` cells.

Both are nested by device, then pool, then channel+index::

    {"FTTCTBSLCE": {"P4": {"v1": {"value": 54.5, "updatedAt": 1700000000}, "u1": 1}}}

A cell is a bare value, an object with ``value`` plus metadata, or an object without
``value`` (metadata only). Malformed parts are skipped and reported, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pybragerone.errors import BragerPayloadError
from pybragerone.models.param import ParamUpdate

__all__ = [
    "FlatCell",
    "ParseResult",
    "flatten_parameters",
    "parse_cell_key",
    "parse_parameter_key",
    "parse_parameters",
    "values_by_device",
    "values_of",
]

_POOL = re.compile(r"P\d{1,3}")
_CELL = re.compile(r"([a-z]{1,3})(\d{1,5})")


@dataclass(slots=True)
class ParseResult:
    """The cells decoded from one payload, and a note for every part that was skipped."""

    updates: list[ParamUpdate] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parse_cell_key(key: str) -> tuple[str, int] | None:
    """``"v12"`` -> ``("v", 12)``; ``None`` when the key is not channel letters + index."""
    match = _CELL.fullmatch(key)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def parse_parameter_key(key: str) -> tuple[str, str, int] | None:
    """``"P6.v1"`` -> ``("P6", "v", 1)``; ``None`` when ``key`` is not ``pool.channel+index``."""
    pool, dot, cell = key.partition(".")
    if not dot or _POOL.fullmatch(pool) is None:
        return None
    parsed = parse_cell_key(cell)
    return None if parsed is None else (pool, parsed[0], parsed[1])


def parse_parameters(payload: Any) -> ParseResult:
    """Decode a snapshot or change payload.

    Raises :class:`BragerPayloadError` when the payload is not an object at all; anything
    malformed below the top level (a device that is not an object, a pool named ``X``, a
    cell named ``v``) is skipped and listed in :attr:`ParseResult.skipped`.
    """
    if not isinstance(payload, dict):
        raise BragerPayloadError(
            f"parameter payload must be an object keyed by device id, got {type(payload).__name__}"
        )
    result = ParseResult()
    updates, skipped = result.updates, result.skipped
    for devid, pools in payload.items():
        if not isinstance(devid, str) or not isinstance(pools, dict):
            skipped.append(f"device {devid!r}: not an object of pools")
            continue
        for pool, cells in pools.items():
            if not isinstance(pool, str) or _POOL.fullmatch(pool) is None:
                skipped.append(f"{devid}: unknown pool {pool!r}")
                continue
            if not isinstance(cells, dict):
                skipped.append(f"{devid}.{pool}: not an object of cells")
                continue
            for cell, raw in cells.items():
                parsed = parse_cell_key(cell) if isinstance(cell, str) else None
                if parsed is None:
                    skipped.append(f"{devid}.{pool}: unknown channel {cell!r}")
                    continue
                if isinstance(raw, dict):
                    if "value" in raw:
                        meta = {k: v for k, v in raw.items() if k != "value"}
                        updates.append(
                            ParamUpdate(
                                devid, pool, parsed[0], parsed[1], raw["value"], meta or None
                            )
                        )
                    else:
                        updates.append(ParamUpdate(devid, pool, parsed[0], parsed[1], None, raw))
                else:
                    updates.append(ParamUpdate(devid, pool, parsed[0], parsed[1], raw))
    return result


#: one flattened cell: ``(key, value, meta, devid)``, e.g. ``("P4.v1", 20.5, {...}, "FTTCTBSLCE")``
FlatCell = tuple[str, Any, dict[str, Any], str]


def flatten_parameters(payload: Any) -> list[FlatCell]:
    """Every cell of a snapshot or change payload as ``(key, value, meta, devid)``, in order.

    ``key`` is ``"P4.v1"``; ``meta`` is what came beside the value (timestamps, storable flag,
    averages; ``{}`` for a bare value); ``value`` is ``None`` for a metadata-only cell.
    Malformed parts are skipped; raises :class:`BragerPayloadError` when the payload is not
    an object.
    """
    return [
        (u.key, u.value, dict(u.meta or {}), u.devid) for u in parse_parameters(payload).updates
    ]


def values_by_device(payload: Any) -> dict[str, dict[str, Any]]:
    """``{devid: {"P4.v1": value, ...}}`` from a snapshot or change payload.

    Metadata-only cells and malformed parts are left out; raises :class:`BragerPayloadError`
    when the payload is not an object.
    """
    return values_of(parse_parameters(payload).updates)


def values_of(updates: Iterable[ParamUpdate]) -> dict[str, dict[str, Any]]:
    """``{devid: {"P4.v1": value, ...}}`` from parsed updates; metadata-only cells left out.

    What :func:`values_by_device` gives, for updates already parsed (no second parse).
    """
    flat: dict[str, dict[str, Any]] = {}
    for update in updates:
        if update.value is None and update.meta is not None:
            continue
        flat.setdefault(update.devid, {})[update.key] = update.value
    return flat
