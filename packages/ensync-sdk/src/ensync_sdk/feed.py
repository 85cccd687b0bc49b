"""The node-side subscription of one event name, shared by every local subscription to it.

The node knows a subscription by (client id, event name): one stream per name and client, one
``Unsubscribe`` that ends it, one acknowledgement per delivery. A client may still subscribe to
a name several times (each :class:`~ensync_sdk.subscription.Subscription` with its own handlers,
``auto_ack`` and ``app_secret_key``): the :class:`Feed` owns the stream and hands every
delivery to each of them.

Settling a delivery shared by several subscriptions:

* it is acknowledged on the node once **every** subscription settled it: with ``auto_ack`` once
  its handlers returned, without it when :meth:`Subscription.ack` was called;
* ``defer`` or ``discard`` through any of them goes to the node at once and settles the
  delivery for all (the node has one delivery to defer or drop);
* a handler that raises leaves its subscription's part unsettled, so the node redelivers the
  event to the client after its acknowledgement timeout, and every subscription sees it again.

With a single subscription the delivery is handled inline, with no bookkeeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ensync_core import EnSyncError, EnSyncSubscriptionError
from ensync_sdk._transport import SessionLostError
from ensync_sdk.ack_pipeline import AckPipeline
from ensync_sdk.events import RawMessage

if TYPE_CHECKING:
    from ensync_sdk.client import EnSyncClient
    from ensync_sdk.subscription import Subscription

__all__ = ["Feed"]

logger = logging.getLogger("ensync_sdk")


@dataclass(eq=False, slots=True)
class _Shared:
    """A delivery handed to several subscriptions: who still handles it, who still owes a settle."""

    block: int
    handling: set[Subscription]
    unsettled: set[Subscription]
    closed: bool = False  # acknowledged, deferred or discarded on the node


class Feed:
    """One event name's stream of one client, and the subscriptions that share it."""

    def __init__(self, client: EnSyncClient, name: str) -> None:
        self._client = client
        self._name = name
        self.subscriptions: list[Subscription] = []
        self._shared: dict[str, _Shared] = {}
        self._task: asyncio.Task[None] | None = None
        self.acks = AckPipeline(client, name)

    @property
    def name(self) -> str:
        """The event name."""
        return self._name

    async def start(self) -> None:
        """Open the node-side stream and start delivering."""
        stream = await self._client._request(lambda t: t.open_stream(self._name))
        self._task = asyncio.create_task(self._run(stream), name=f"ensync-feed-{self._name}")

    def halt(self) -> list[asyncio.Task[None]]:
        """Stop the stream and every subscription's loop without waiting; returns the tasks."""
        self._client._transport.cancel_stream(self._name)
        tasks = [task for sub in self.subscriptions if (task := sub._halt()) is not None]
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            tasks.append(task)
        self.subscriptions.clear()
        self._shared.clear()
        self.acks.close_soon()
        return tasks

    async def detach(self, subscription: Subscription) -> bool:
        """Remove one subscription; True when it was the last one (then the caller halts)."""
        if subscription in self.subscriptions:
            self.subscriptions.remove(subscription)
        completed: list[tuple[str, int]] = []
        for idem, shared in list(self._shared.items()):
            shared.handling.discard(subscription)
            if subscription in shared.unsettled:
                shared.unsettled.discard(subscription)
                if not shared.unsettled and not shared.closed and self.subscriptions:
                    # The others settled it: this one leaving completes it.
                    completed.append((idem, shared.block))
                    self._close(idem, shared)
                    continue
            self._forget_if_done(idem, shared)
        for idem, block in completed:
            try:
                await self._ack_on_node(idem, block)
            except EnSyncError as exc:  # the node redelivers it; nothing is lost
                logger.warning("acknowledging %s after an unsubscribe failed: %s", idem, exc)
        return not self.subscriptions

    # -- settling ---------------------------------------------------------------------------

    async def ack(self, subscription: Subscription, idem: str, block: int, *, auto: bool) -> None:
        """``subscription`` settled ``idem``: acknowledge it on the node once all did."""
        shared = self._shared.get(idem)
        if shared is None:
            await self._ack_on_node(idem, block)
            return
        if shared.closed:
            if not auto:  # asked for explicitly: the node says whether it still can
                await self._ack_on_node(idem, block)
            return
        shared.unsettled.discard(subscription)
        if not shared.unsettled:
            self._close(idem, shared)
            await self._ack_on_node(idem, block)

    async def ack_auto(self, subscription: Subscription, raw: RawMessage) -> None:
        """``subscription``'s handlers returned: acknowledge once all did, without waiting.

        The request goes out now; :class:`~ensync_sdk.ack_pipeline.AckPipeline` checks its
        answer and reports a failure to ``subscription``'s error callbacks.
        """
        shared = self._shared.get(raw.idem)
        if shared is not None:
            if shared.closed:
                return
            shared.unsettled.discard(subscription)
            if shared.unsettled:
                return
            self._close(raw.idem, shared)
        acks = self.acks
        acks.send(subscription, raw)
        if acks.full:
            await acks.room()

    def closed_by(self, idem: str) -> None:
        """``idem`` was deferred or discarded: settled for every subscription."""
        shared = self._shared.get(idem)
        if shared is not None:
            self._close(idem, shared)

    def _close(self, idem: str, shared: _Shared) -> None:
        """Settled on the node: subscriptions that did not get to it yet never will."""
        shared.closed = True
        shared.unsettled.clear()
        for subscription in list(shared.handling):
            if subscription._drop(idem):
                shared.handling.discard(subscription)
        self._forget_if_done(idem, shared)

    def handled(self, subscription: Subscription, idem: str) -> None:
        """``subscription`` is done with ``idem`` (its handlers ran, or it could not decrypt)."""
        shared = self._shared.get(idem)
        if shared is not None:
            shared.handling.discard(subscription)
            self._forget_if_done(idem, shared)

    def _forget_if_done(self, idem: str, shared: _Shared) -> None:
        done = not shared.handling and (shared.closed or not shared.unsettled)
        if done and self._shared.get(idem) is shared:
            del self._shared[idem]

    async def _ack_on_node(self, idem: str, block: int) -> None:
        client = self._client
        await client._request(lambda t: t.ack(idem, self._name, block))
        if client._options.enable_logging:
            logger.debug("acknowledged %s of %r (block %d)", idem, self._name, block)

    # -- the delivery loop ------------------------------------------------------------------

    async def _dispatch(self, raw: RawMessage) -> None:
        subscriptions = self.subscriptions
        if self._client._options.enable_logging:
            logger.debug(
                "received %s of %r (block %d) from %s", raw.idem, self._name, raw.block, raw.sender
            )
        if len(subscriptions) == 1 and subscriptions[0]._idle():
            self._shared.pop(raw.idem, None)
            await subscriptions[0]._process(raw)
            return
        members = set(subscriptions)
        self._shared[raw.idem] = _Shared(raw.block, set(members), set(members))
        for subscription in subscriptions:
            subscription._enqueue(raw)

    async def _run(self, stream: AsyncIterator[RawMessage]) -> None:
        client = self._client
        while True:
            generation = client._generation
            try:
                async for raw in stream:
                    await self._dispatch(raw)
            except SessionLostError as exc:
                client._log_info("subscription %r interrupted: %s", self._name, exc)
            except EnSyncError as exc:  # the node refused the stream: retrying will not help
                await self._give_up(exc)
                return
            if not self.subscriptions:  # stopped on purpose while the stream ended
                return
            self._shared.clear()  # the node redelivers whatever was not acknowledged
            try:
                await client._recover(generation)
                stream = await client._request(lambda t: t.open_stream(self._name))
            except EnSyncError as exc:
                await self._give_up(exc)
                return
            client._log_info("resubscribed to %r", self._name)

    async def _give_up(self, cause: EnSyncError) -> None:
        """Stop for good and tell every subscription's error callbacks."""
        subscriptions = list(self.subscriptions)
        self.subscriptions.clear()
        self.acks.close_soon()
        self._client._forget_feed(self)
        error = EnSyncSubscriptionError(
            f"the subscription to {self._name!r} stopped: {cause}", cause=cause
        )
        for subscription in subscriptions:
            subscription._halt()
        for subscription in subscriptions:
            await subscription._report(error, None)
