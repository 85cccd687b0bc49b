"""EventBus: in-process asynchronous fan-out of :class:`ParamUpdate` to many consumers.

Every published update gets the next ``seq`` (strictly increasing across the bus) and is
appended to each subscriber's queue; publishing never blocks and never awaits.

Overflow policy: each subscriber's queue is bounded (``maxsize``). When a slow consumer's
queue is full, the **oldest** queued update is dropped to make room for the new one, the
subscriber's :attr:`Subscription.dropped` counter and the bus's :attr:`EventBus.dropped`
counter grow, and a warning is logged (on the first drop of every overflow episode and then
every 1000th drop; an episode ends when the queue is back to half full or less). Consumers
see the gap as a jump in ``seq``. Latest state is what a home automation needs, so fresh
updates win over stale ones; stores can re-prime from a snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from types import TracebackType
from typing import Protocol, Self

from pybragerone.errors import BragerConfigError
from pybragerone.models.param import ParamUpdate

__all__ = ["Consumer", "EventBus", "Subscription"]

log = logging.getLogger(__name__)

_LOG_EVERY = 1000


class Consumer(Protocol):
    """What a store started on a bus offers: how far it got, and a way to wait for it."""

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last update the consumer applied."""

    async def wait_until(self, seq: int) -> None:
        """Return once the consumer applied every update up to ``seq`` (or stopped)."""


class Subscription:
    """One consumer's bounded queue; iterate it with ``async for``.

    Iteration ends when the subscription or the bus is closed (after draining what is
    queued). Use as an async context manager to unsubscribe on exit.
    """

    def __init__(
        self, bus: EventBus, maxsize: int, name: str, consumer: Consumer | None = None
    ) -> None:
        self._bus = bus
        self.consumer = consumer
        #: the bus's ``last_seq`` when this subscription began: it receives only later updates
        self.since = bus.last_seq
        self._queue: deque[ParamUpdate] = deque()
        self._maxsize = maxsize
        self._wakeup = asyncio.Event()
        self._closed = False
        self._overflowing = False
        self.name = name
        self.dropped = 0
        self.delivered = 0

    @property
    def pending(self) -> int:
        """Updates queued and not yet consumed."""
        return len(self._queue)

    def _put(self, update: ParamUpdate) -> bool:
        queue = self._queue
        overflow = len(queue) >= self._maxsize
        if overflow:
            queue.popleft()
            self.dropped += 1
            if not self._overflowing or self.dropped % _LOG_EVERY == 0:
                log.warning(
                    "EventBus subscriber %s is too slow: queue full (%d), dropped %d oldest "
                    "update(s) so far",
                    self.name,
                    self._maxsize,
                    self.dropped,
                )
            self._overflowing = True
        elif self._overflowing and len(queue) <= self._maxsize // 2:
            self._overflowing = False  # the consumer caught up: the next drop starts an episode
        queue.append(update)
        if not self._wakeup.is_set():
            self._wakeup.set()
        return overflow

    def _put_many(self, updates: list[ParamUpdate]) -> int:
        dropped = 0
        if len(self._queue) + len(updates) <= self._maxsize:
            if self._overflowing and len(self._queue) <= self._maxsize // 2:
                self._overflowing = False
            self._queue.extend(updates)
            if not self._wakeup.is_set():
                self._wakeup.set()
            return 0
        for update in updates:
            dropped += self._put(update)
        return dropped

    def close(self) -> None:
        """Stop receiving; iteration ends once the queue is drained."""
        if not self._closed:
            self._closed = True
            self._bus._unsubscribe(self)
            self._wakeup.set()

    def get_nowait(self) -> ParamUpdate | None:
        """The next queued update, or ``None`` when the queue is empty."""
        if self._queue:
            self.delivered += 1
            return self._queue.popleft()
        return None

    async def get(self) -> ParamUpdate:
        """Wait for the next update; raises ``StopAsyncIteration`` when closed and drained."""
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()
        self.delivered += 1
        return self._queue.popleft()

    async def batches(self) -> AsyncIterator[list[ParamUpdate]]:
        """Yield everything queued at once (cheaper than one update at a time)."""
        while True:
            while not self._queue:
                if self._closed:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
            batch = list(self._queue)
            self._queue.clear()
            self.delivered += len(batch)
            yield batch

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ParamUpdate:
        return await self.get()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class EventBus:
    """Fan-out of parameter updates to any number of subscribers (see the module docs)."""

    def __init__(self, *, maxsize: int = 10_000) -> None:
        if maxsize < 1:
            raise BragerConfigError(f"EventBus maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self._subscribers: list[Subscription] = []
        self._seq = 0
        self._closed = False
        self.published = 0
        self.dropped = 0

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the most recently published update (0 before any)."""
        return self._seq

    @property
    def subscribers(self) -> int:
        """How many subscriptions are open."""
        return len(self._subscribers)

    def subscribe(
        self,
        *,
        maxsize: int | None = None,
        name: str | None = None,
        consumer: Consumer | None = None,
    ) -> Subscription:
        """A new subscription receiving every update published from now on.

        ``maxsize`` bounds this subscriber's queue (default: the bus's ``maxsize``). A
        ``consumer`` (what the stores' ``run`` passes) is waited for by
        :meth:`wait_for_consumers`.
        """
        if maxsize is None:
            maxsize = self.maxsize
        elif maxsize < 1:
            raise BragerConfigError(f"subscription maxsize must be >= 1, got {maxsize}")
        name = name or f"subscriber-{len(self._subscribers) + 1}"
        sub = Subscription(self, maxsize, name, consumer)
        if self._closed:
            sub._closed = True
        else:
            self._subscribers.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def publish(self, update: ParamUpdate) -> ParamUpdate:
        """Stamp ``update`` with the next ``seq`` and queue it for every subscriber.

        An update that already carries a ``seq`` (published before, here or on another bus)
        is copied, so what earlier consumers hold keeps its number. Returns what was queued.
        """
        if update.seq:
            update = replace(update)
        self._seq += 1
        update.seq = self._seq
        self.published += 1
        for sub in self._subscribers:
            if sub._put(update):
                self.dropped += 1
        return update

    def publish_many(self, updates: Iterable[ParamUpdate]) -> int:
        """Publish several updates in order (copying any that carry a ``seq``, as ``publish``).

        Returns how many were published.
        """
        batch = [replace(u) if u.seq else u for u in updates]
        seq = self._seq
        for update in batch:
            seq += 1
            update.seq = seq
        self._seq = seq
        self.published += len(batch)
        for sub in self._subscribers:
            self.dropped += sub._put_many(batch)
        return len(batch)

    async def wait_for_consumers(self, seq: int | None = None) -> None:
        """Wait until every consumer subscribed now (the stores) applied updates up to ``seq``.

        ``seq`` defaults to :attr:`last_seq`. Plain subscriptions (an ``async for`` loop) are
        not waited for: nothing says when they are done with an update.
        """
        target = self._seq if seq is None else seq
        # A subscription begun at or after ``target`` never gets those updates: nothing to wait.
        waits = [
            sub.consumer.wait_until(target)
            for sub in self._subscribers
            if sub.consumer is not None and sub.since < target and sub.consumer.last_seq < target
        ]
        if waits:
            await asyncio.gather(*waits)

    def close(self) -> None:
        """End every subscription (each drains what it has queued first)."""
        self._closed = True
        for sub in list(self._subscribers):
            sub.close()
