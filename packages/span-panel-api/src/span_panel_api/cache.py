"""A per-endpoint time-window cache of successful responses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["TimeWindowCache"]

T = TypeVar("T")


class TimeWindowCache:
    """Keeps the last successful answer of each endpoint for ``window`` seconds.

    The window starts when the answer is stored. Only successes are stored, so a failure is
    never served from the cache. ``window=0`` disables caching. An answer requested before an
    :meth:`invalidate` (a write) is not stored when it arrives after it: it may predate the write.
    """

    def __init__(self, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._entries: dict[str, tuple[float, object]] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        """Changes at every :meth:`invalidate`; give :meth:`put` the value read before a request."""
        return self._generation

    def get(self, key: str, kind: type[T]) -> T | None:
        """The cached ``kind`` stored under ``key``, if still inside its window."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self._clock() - stored_at >= self.window or not isinstance(value, kind):
            del self._entries[key]
            return None
        return value

    def put(self, key: str, value: object, generation: int) -> None:
        """Store a successful answer requested at ``generation``.

        A no-op while caching is disabled, or when an :meth:`invalidate` happened since.
        """
        if self.window > 0 and generation == self._generation:
            self._entries[key] = (self._clock(), value)

    def invalidate(self, *keys: str) -> None:
        """Forget the given keys (every key when none is given)."""
        self._generation += 1
        if not keys:
            self._entries.clear()
        for key in keys:
            self._entries.pop(key, None)
