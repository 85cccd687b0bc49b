"""Parameter bundles: minified JS mapping a parameter symbol (``PARAM_0``) to pool and index."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from pybragerone.assets.jsparse import iter_object_literals
from pybragerone.errors import BragerAssetError

__all__ = ["CellRef", "ParamMapping", "parse_param_bundle"]

_POOL = re.compile(r"P\d{1,3}")


class CellRef(BaseModel):
    """Where a related cell lives (the unit code in ``P4.u1``, the minimum in ``P4.n1``)."""

    model_config = ConfigDict(frozen=True)

    pool: str
    index: int
    channel: str

    @property
    def key(self) -> str:
        """``P4.u1`` style key."""
        return f"{self.pool}.{self.channel}{self.index}"


class ParamMapping(BaseModel):
    """One parameter of a bundle: symbol, value cell, and where its unit/limits come from."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    pool: str
    index: int
    channel: str = "v"
    unit: int | str | None = None
    unit_ref: CellRef | None = None
    min_ref: CellRef | None = None
    max_ref: CellRef | None = None
    status_ref: CellRef | None = None
    writable: bool = False

    @property
    def family(self) -> str:
        """``P4:1`` style family name."""
        return f"{self.pool}:{self.index}"


def _ref(value: Any) -> CellRef | None:
    if not isinstance(value, dict):
        return None
    pool, number, use = value.get("group", value.get("pool")), value.get("number"), value.get("use")
    if not isinstance(pool, str) or _POOL.fullmatch(pool) is None:
        return None
    if not isinstance(number, int) or isinstance(number, bool) or not isinstance(use, str):
        return None
    return CellRef(pool=pool, index=number, channel=use)


def _mapping(obj: dict[str, Any]) -> ParamMapping | None:
    symbol = obj.get("name", obj.get("symbol"))
    pool = obj.get("group", obj.get("pool"))
    index = obj.get("number", obj.get("index"))
    if not isinstance(symbol, str) or not isinstance(pool, str) or _POOL.fullmatch(pool) is None:
        return None
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return None
    channel = obj.get("use")
    unit = obj.get("unit")
    return ParamMapping(
        symbol=symbol,
        pool=pool,
        index=index,
        channel=channel if isinstance(channel, str) and channel.isalpha() else "v",
        unit=unit if isinstance(unit, int | str) and not isinstance(unit, bool) else None,
        unit_ref=_ref(unit),
        min_ref=_ref(obj.get("min")),
        max_ref=_ref(obj.get("max")),
        status_ref=_ref(obj.get("status")),
        writable=obj.get("writable") is True,
    )


def parse_param_bundle(source: str) -> list[ParamMapping]:
    """Every parameter mapping in a bundle's source (one bundle may hold several).

    Raises :class:`BragerAssetError` when the source holds no parameter mapping at all.
    """
    found = [m for obj in iter_object_literals(source) if (m := _mapping(obj)) is not None]
    if not found:
        raise BragerAssetError(
            "parameter bundle holds no {name, group, number} object literal; is it the right file?"
        )
    return found
