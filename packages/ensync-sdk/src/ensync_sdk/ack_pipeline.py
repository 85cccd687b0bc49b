"""Automatic acknowledgements that do not hold up the next delivery.

With ``auto_ack`` every delivery is still acknowledged by one request of its own, sent as soon as
its handlers returned, as before. What changed is who waits for the node's answer: not the
delivery loop (which goes on decrypting and handling the next events while the request is on
the wire) but one task per event name that checks the answers in the order they were sent. Over
gRPC this lets the client send and complete acknowledgements in bursts instead of one round trip
per event, which costs measurably less CPU per event (see the bench in ``bench/``).

An answer that is an error is handled as the awaited request used to be: after a lost session
the client reconnects once and sends the acknowledgement again; any other failure goes to the
error callbacks of the subscription whose handler settled the event (the event stays
unacknowledged and the node redelivers it). At most :data:`MAX_IN_FLIGHT` acknowledgements are
outstanding per event name; beyond that the delivery loop waits for answers. Closing the client
or leaving the event name waits (bounded) for the outstanding answers first, so
acknowledgements sent before ``close()`` or ``unsubscribe()`` are not lost to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ensync_core import EnSyncError, EnSyncSubscriptionError
from ensync_sdk._transport import AckInFlight, SessionLostError
from ensync_sdk.events import RawMessage, info_of

if TYPE_CHECKING:
    from ensync_sdk.client import EnSyncClient
    from ensync_sdk.subscription import Subscription

__all__ = ["MAX_IN_FLIGHT", "AckPipeline"]

logger = logging.getLogger("ensync_sdk")

MAX_IN_FLIGHT = 256  # acknowledgements sent and not yet answered, per event name
_FLUSH_GRACE = 2.0  # seconds close/unsubscribe wait for outstanding answers


class AckPipeline:
    """The acknowledgements of one event name's automatic acks, checked in order."""

    def __init__(self, client: EnSyncClient, name: str) -> None:
        self._client = client
        self._name = name
        self._sent: deque[tuple[AckInFlight, RawMessage, int, Subscription]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._closing = False
        self.limit = MAX_IN_FLIGHT

    def __len__(self) -> int:
        return len(self._sent)

    @property
    def full(self) -> bool:
        """Whether :attr:`limit` acknowledgements are outstanding (then wait for :meth:`room`)."""
        return len(self._sent) >= self.limit

    def send(self, subscription: Subscription, raw: RawMessage) -> None:
        """Send the acknowledgement of ``raw`` now; its answer is checked in the background.

        Raises at once what the client raises before any request (a closed client).
        """
        client = self._client
        client._ensure_open()
        try:
            sent = client._transport.start_ack(raw.idem, self._name, raw.block)
        except SessionLostError as exc:  # no channel to send on (a reconnect is closing it)
            sent = _NotSent(exc)  # checked in turn: reconnect once and send again
        self._sent.append((sent, raw, client._generation, subscription))
        self._closing = False
        task = self._task
        if task is None or task.done():
            self._task = asyncio.create_task(self._check(), name=f"ensync-acks-{self._name}")
        else:
            self._wakeup.set()
        if len(self._sent) >= self.limit:
            self._room.clear()

    async def room(self) -> None:
        """Wait until no more than half of :attr:`limit` acknowledgements are outstanding."""
        await self._room.wait()

    async def _check(self) -> None:
        sent = self._sent
        while True:
            while sent:
                outcome, raw, generation, subscription = sent[0]
                try:
                    await outcome
                except SessionLostError as exc:
                    if self._client._closed:  # no reconnecting for a client being closed
                        logger.warning(
                            "the acknowledgement of %s was cut off by closing the client (%s); "
                            "the node redelivers the event",
                            raw.idem,
                            exc,
                        )
                    else:
                        await self._resend(raw, generation, subscription)
                except EnSyncError as exc:
                    await subscription._report(exc, info_of(raw))
                except Exception as exc:  # a bug, not the node: still reported, never lost
                    error = EnSyncSubscriptionError(
                        f"acknowledging {raw.idem} failed unexpectedly ({exc!r}); the node "
                        f"redelivers the event",
                        cause=exc,
                    )
                    await subscription._report(error, info_of(raw))
                else:
                    self._log_acknowledged(raw)
                sent.popleft()
                if len(sent) <= self.limit // 2:
                    self._room.set()
            if self._closing:
                return
            self._wakeup.clear()
            await self._wakeup.wait()

    async def _resend(self, raw: RawMessage, generation: int, subscription: Subscription) -> None:
        """What every request does after a lost session: reconnect once, then send again."""
        client = self._client
        try:
            await client._recover(generation)
            await client._transport.ack(raw.idem, self._name, raw.block)
        except EnSyncError as exc:
            await subscription._report(exc, info_of(raw))
        else:
            self._log_acknowledged(raw)

    def _log_acknowledged(self, raw: RawMessage) -> None:
        if self._client._options.enable_logging:
            logger.debug("acknowledged %s of %r (block %d)", raw.idem, self._name, raw.block)

    def close_soon(self) -> None:
        """Let the checking task end once the outstanding answers are in (no waiting here)."""
        self._closing = True
        self._wakeup.set()

    async def finish(self) -> None:
        """Wait (bounded) for the outstanding answers, then stop; the rest are abandoned."""
        self.close_soon()
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=_FLUSH_GRACE)
        if done:
            return
        logger.warning(
            "%d acknowledgements of %r got no answer within %s s; the node redelivers those events",
            len(self._sent),
            self._name,
            _FLUSH_GRACE,
        )
        task.cancel()
        for outcome, *_ in self._sent:
            outcome.cancel()
        self._sent.clear()
        self._room.set()
        await asyncio.wait({task}, timeout=_FLUSH_GRACE)


class _NotSent:
    """An acknowledgement the transport could not start: awaiting it raises the reason."""

    __slots__ = ("_error",)

    def __init__(self, error: SessionLostError) -> None:
        self._error = error

    def __await__(self) -> Generator[Any, None, None]:
        return self._raise().__await__()

    async def _raise(self) -> None:
        raise self._error

    def cancel(self) -> bool:
        return False
