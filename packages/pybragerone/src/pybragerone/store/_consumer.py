"""What both stores share: consuming an EventBus and letting callers wait for progress."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from pybragerone.events import EventBus, Subscription
from pybragerone.models.param import ParamUpdate

log = logging.getLogger(__name__)


class BusConsumer:
    """Base of the stores: :meth:`run` feeds :meth:`ingest` from a bus, in order.

    An update whose ingestion raises is logged, counted in :attr:`failed` and skipped.
    """

    _subscriber_name = "store"

    def __init__(self) -> None:
        self.last_seq = 0
        self.failed = 0
        self._progress = asyncio.Event()
        self._consuming = 0  # bus subscriptions this store is (or is about to be) reading

    def ingest(self, update: ParamUpdate) -> None:
        """Apply one update (the stores implement this)."""
        raise NotImplementedError

    def run(self, bus: EventBus) -> Coroutine[Any, Any, None]:
        """Subscribe to ``bus`` now and return the coroutine that consumes it until closed.

        Subscribing happens at call time, so ``task = asyncio.create_task(store.run(bus))``
        misses nothing published after this line, even before the task first runs.
        """
        self._consuming += 1
        return self._consume(bus.subscribe(name=self._subscriber_name, consumer=self))

    async def _consume(self, sub: Subscription) -> None:
        try:
            await self._consume_batches(sub)
        finally:
            self._consuming -= 1
            self._wake()

    def _wake(self) -> None:
        # Wake every waiter of wait_until(); later waiters get a fresh event.
        progress, self._progress = self._progress, asyncio.Event()
        progress.set()

    async def _consume_batches(self, sub: Subscription) -> None:
        async with sub:
            async for batch in sub.batches():
                for update in batch:
                    try:
                        self.ingest(update)
                    except Exception:
                        # A bug must not end the task: wait_until() callers would hang.
                        self.failed += 1
                        self.last_seq = max(self.last_seq, update.seq)
                        log.exception(
                            "%s could not apply %s; skipped", self._subscriber_name, update.key
                        )
                self._wake()

    async def wait_until(self, seq: int) -> None:
        """Wait until the store consumed the bus up to ``seq`` (e.g. ``bus.last_seq``).

        Returns early when the store stops reading (its bus closed or its task ended).
        """
        while self.last_seq < seq and self._consuming > 0:
            await self._progress.wait()
