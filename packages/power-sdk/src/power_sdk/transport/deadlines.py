"""Request timeouts of one transport on a single timer of the event loop.

A timer per request (``loop.call_later`` and its ``cancel``) costs a handle and a heap push and
pop per request; at fleet scale that is a measurable share of each poll. Here a request's
deadline is one tuple appended to a queue, and one timer, armed for the earliest deadline, pops
the ones that passed. Requests with the same timeout expire in the order they were made, so
each queue (one per timeout value) stays sorted without a heap. A deadline fires at most
:data:`RESOLUTION` seconds late, never early.
"""

from __future__ import annotations

import asyncio
import collections
import math
from collections.abc import Callable

__all__ = ["RESOLUTION", "Deadlines"]

#: how late a deadline may fire: the timer runs at most this often under steady traffic
RESOLUTION = 0.05

#: (deadline, serial, ticket)
_Entry = tuple[float, str, int]


class Deadlines:
    """Deadlines of requests, by timeout.

    ``expired(serial, ticket, timeout)`` is called for each one that passed; the caller tells
    whether that request is still waiting.
    """

    def __init__(self, expired: Callable[[str, int, float], None]) -> None:
        self._expired = expired
        self._queues: dict[float, collections.deque[_Entry]] = {}
        self._timer: asyncio.TimerHandle | None = None
        #: when the timer fires (infinity while none is armed)
        self._armed = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None

    def watch(
        self, loop: asyncio.AbstractEventLoop, timeout: float, serial: str, ticket: int
    ) -> None:
        """Expire request ``ticket`` of ``serial`` in ``timeout`` seconds."""
        deadline = loop.time() + timeout
        queue = self._queues.get(timeout)
        if queue is None:
            queue = self._queues[timeout] = collections.deque()
        queue.append((deadline, serial, ticket))
        if deadline < self._armed:
            # no timer yet, or one armed for a later deadline (a longer timeout watched
            # before this shorter one): fire for this one first
            self._loop = loop
            self._arm(loop, deadline)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        """Fire at ``when``, unless the timer is armed for that or earlier already."""
        if when >= self._armed:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._armed = when
        self._timer = loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._armed = math.inf
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        nearest = math.inf
        for timeout, queue in list(self._queues.items()):
            while queue and queue[0][0] <= now:
                _, serial, ticket = queue.popleft()
                self._expired(serial, ticket, timeout)
            if queue:
                nearest = min(nearest, queue[0][0])
            else:
                del self._queues[timeout]
        if nearest < math.inf:
            self._arm(loop, max(nearest, now + RESOLUTION))

    def clear(self) -> None:
        """Forget every deadline and stop the timer."""
        self._queues.clear()
        self._armed = math.inf
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
