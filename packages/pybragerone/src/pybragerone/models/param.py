"""One parameter cell update, the unit every stream and store works with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ParamUpdate"]


# A slotted dataclass rather than a pydantic model: it is created once per cell on the hot
# path (thousands per second), where validation would cost more than the parsing itself.
@dataclass(slots=True)
class ParamUpdate:
    """The new content of one cell ``<pool>.<chan><idx>`` of device ``devid``.

    ``value`` is ``None`` for metadata-only frames; ``meta`` holds whatever came beside the
    value (timestamps, storable flag, averages). ``seq`` is assigned by the
    :class:`~pybragerone.events.EventBus` on publish and strictly increases; it is 0 before.
    """

    devid: str
    pool: str
    chan: str
    idx: int
    value: Any
    meta: dict[str, Any] | None = None
    seq: int = 0

    @property
    def key(self) -> str:
        """The cell's key, e.g. ``P4.v1``."""
        return f"{self.pool}.{self.chan}{self.idx}"

    @property
    def family(self) -> str:
        """The parameter family the cell belongs to, e.g. ``P4:1``."""
        return f"{self.pool}:{self.idx}"
