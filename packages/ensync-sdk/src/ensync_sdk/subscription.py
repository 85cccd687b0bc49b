"""A subscription: the handlers of one event name and the controls over its deliveries."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ensync_core import (
    DecryptionKey,
    EnSyncDecryptionError,
    EnSyncError,
    EnSyncSubscriptionError,
    EnSyncValidationError,
    decrypt_payload,
)
from ensync_sdk._checks import check_text, is_int64
from ensync_sdk.events import EnSyncEvent, EventInfo, RawMessage, build_event, info_of

if TYPE_CHECKING:
    from ensync_sdk.client import EnSyncClient
    from ensync_sdk.feed import Feed

__all__ = ["ErrorCallback", "Handler", "Subscription"]

logger = logging.getLogger("ensync_sdk")

Handler = Callable[[EnSyncEvent], Awaitable[Any] | Any]
ErrorCallback = Callable[[EnSyncError, EventInfo | None], Awaitable[Any] | Any]


_STOP_GRACE = 2.0  # seconds a cancelled delivery loop gets to finish


async def _settle(task: asyncio.Task[None]) -> None:
    """Wait (bounded) for a cancelled task; a transport that swallows the cancel can't hang us."""
    done, _ = await asyncio.wait({task}, timeout=_STOP_GRACE)
    if not done:
        logger.warning("an EnSync subscription task did not stop within %s s", _STOP_GRACE)


async def _call(fn: Callable[..., Any], *args: Any) -> None:
    result = fn(*args)
    if inspect.isawaitable(result):
        await result


class Subscription:
    """One subscription to an event name: its handlers, options and delivery controls.

    Handlers registered with :meth:`on` run one event at a time, in delivery order; deliveries
    wait for the first handler. With ``auto_ack`` an event is acknowledged once every handler
    returned; a handler that raises leaves it unacknowledged (the node redelivers it) and the
    error goes to the :meth:`on_error` callbacks. A payload that cannot be decrypted never
    reaches a handler: it goes to the error callbacks as an
    :class:`~ensync_core.EnSyncDecryptionError`.

    A client may subscribe to one event name several times: each subscription gets every event,
    decrypted with its own key, and settles it by its own ``auto_ack``; the node is told once
    all of them did (see :mod:`ensync_sdk.feed`).
    """

    def __init__(
        self,
        client: EnSyncClient,
        feed: Feed,
        event_name: str,
        *,
        auto_ack: bool,
        key: DecryptionKey,
    ) -> None:
        self._client = client
        self._feed = feed
        self._name = event_name
        self._auto_ack = auto_ack
        self._key = key
        self._handlers: list[Handler] = []
        self._error_callbacks: list[ErrorCallback] = []
        self._has_handler = asyncio.Event()
        self._settled: set[str] = set()
        self._inbox: deque[RawMessage] = deque()
        self._wakeup = asyncio.Event()
        self._current: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._active = True

    def __repr__(self) -> str:
        return f"<Subscription {self._name!r} auto_ack={self._auto_ack} active={self._active}>"

    @property
    def event_name(self) -> str:
        """The event name this subscription receives."""
        return self._name

    @property
    def auto_ack(self) -> bool:
        """Whether events are acknowledged once every handler returned."""
        return self._auto_ack

    @property
    def active(self) -> bool:
        """False once unsubscribed, closed, or given up after failed reconnects."""
        return self._active

    def on(self, handler: Handler) -> Callable[[], None]:
        """Call ``handler(event)`` (sync or async) for each event; returns a remover."""
        if not callable(handler):
            raise EnSyncValidationError("a subscription handler must be callable")
        self._handlers.append(handler)
        self._has_handler.set()

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._handlers.remove(handler)
            if not self._handlers:
                self._has_handler.clear()

        return remove

    def on_error(self, callback: ErrorCallback) -> Callable[[], None]:
        """Call ``callback(error, event_info)`` for deliveries that failed; returns a remover.

        ``event_info`` (``idem``, ``eventName``, ``block``, ``sender``) is ``None`` for errors
        not tied to one event (a lost connection that could not be restored).
        """
        self._error_callbacks.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._error_callbacks.remove(callback)

        return remove

    # -- controls ---------------------------------------------------------------------------

    def _check(self, idem: object, reason: object = "") -> None:
        """Refuse an event id or reason the node could not take, before sending anything."""
        self._client._validate(
            {
                "EVENT_IDEM": check_text(idem, "the event id (idem)"),
                "REASON": check_text(reason, "the reason", allow_empty=True),
            }
        )

    async def ack(self, idem: str, block: int) -> None:
        """Acknowledge the event ``idem`` of partition ``block``: it is not delivered again.

        With several subscriptions to the event name on this client, the node is told once
        each of them settled the event.
        """
        self._check(idem)
        if not is_int64(block):
            raise EnSyncValidationError(
                f"block must be the event's integer partition block (>= 0), got {block!r}"
            )
        self._settled.add(idem)
        await self._feed.ack(self, idem, block, auto=False)

    async def defer(self, idem: str, delay_ms: int = 1000, reason: str = "") -> int:
        """Have the event redelivered after ``delay_ms``; returns the planned delivery time."""
        if not is_int64(delay_ms):
            raise EnSyncValidationError(f"delay_ms must be an integer >= 0, got {delay_ms!r}")
        self._check(idem, reason)
        self._settled.add(idem)
        when = await self._client._request(lambda t: t.defer(idem, self._name, delay_ms, reason))
        self._feed.closed_by(idem)
        return when

    async def discard(self, idem: str, reason: str = "") -> None:
        """Drop the event ``idem`` for good (never delivered again)."""
        self._check(idem, reason)
        self._settled.add(idem)
        await self._client._request(lambda t: t.discard(idem, self._name, reason))
        self._feed.closed_by(idem)

    async def replay(self, idem: str) -> EnSyncEvent:
        """Fetch the stored event ``idem`` again and return it decrypted with this key."""
        self._check(idem)
        raw = await self._client._request(lambda t: t.replay(idem, self._name))
        return build_event(raw, self._decrypt(raw))

    async def pause(self, reason: str = "") -> None:
        """Ask the node to hold this event name's deliveries until :meth:`resume`."""
        self._client._validate({"REASON": check_text(reason, "the reason", allow_empty=True)})
        await self._client._request(lambda t: t.pause(self._name, reason))

    async def resume(self) -> None:
        """Continue the deliveries held by :meth:`pause`."""
        await self._client._request(lambda t: t.resume(self._name))

    async def unsubscribe(self) -> None:
        """Stop receiving this event name here; pending handlers of this subscription finish.

        The node-side subscription ends with the last subscription of the name on this client.
        """
        if not self._active:
            return
        self._active = False
        task = self._halt()
        if task is not None:
            await _settle(task)
        await self._client._detach(self)

    # -- deliveries (driven by the feed) ----------------------------------------------------

    def _idle(self) -> bool:
        """Active and nothing queued nor handled by its own loop: the feed may hand it one."""
        return self._active and not self._inbox and self._current is None

    def _enqueue(self, raw: RawMessage) -> None:
        """Queue a delivery shared with other subscriptions; handled by this one's loop."""
        if not self._active:  # unsubscribing: it takes no more deliveries
            self._feed.handled(self, raw.idem)
            return
        if raw.idem == self._current or any(queued.idem == raw.idem for queued in self._inbox):
            self._feed.handled(self, raw.idem)  # a redelivery of one it already holds
            return
        self._inbox.append(raw)
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name=f"ensync-sub-{self._name}")
        self._wakeup.set()

    def _drop(self, idem: str) -> bool:
        """Forget a queued delivery that was settled meanwhile; False if it is being handled."""
        for queued in self._inbox:
            if queued.idem == idem:
                self._inbox.remove(queued)
                return True
        return idem != self._current

    async def _drain(self) -> None:
        while self._active:
            while self._inbox:
                raw = self._inbox.popleft()
                self._current = raw.idem
                try:
                    await self._process(raw)
                finally:
                    self._current = None
                    self._feed.handled(self, raw.idem)
            self._wakeup.clear()
            await self._wakeup.wait()

    def _halt(self) -> asyncio.Task[None] | None:
        """Stop this subscription's loop without waiting; returns the task to wait for."""
        self._active = False
        self._inbox.clear()
        task, self._task = self._task, None
        if task is None or task is asyncio.current_task():
            return None
        task.cancel()
        return task

    def _decrypt(self, raw: RawMessage) -> Any:
        plaintext = decrypt_payload(raw.payload, self._key)
        try:
            return json.loads(plaintext)
        except (ValueError, RecursionError) as exc:
            raise EnSyncDecryptionError(
                f"event {raw.idem} decrypted to something that is not JSON", cause=exc
            ) from exc

    async def _process(self, raw: RawMessage) -> None:
        try:
            payload = self._decrypt(raw)
        except EnSyncDecryptionError as exc:
            await self._report(exc, info_of(raw))
            return
        event = build_event(raw, payload)
        if not self._handlers:
            await self._has_handler.wait()
        idem = raw.idem
        self._settled.discard(idem)
        for handler in list(self._handlers):
            try:
                result = handler(event)
                if result is not None and inspect.isawaitable(result):
                    await result
            except Exception as exc:
                await self._report(
                    EnSyncSubscriptionError(
                        f"the handler of {self._name!r} raised {type(exc).__name__} for event "
                        f"{idem}; the event stays unacknowledged and will be redelivered",
                        cause=exc,
                    ),
                    info_of(raw),
                )
                return
        if self._auto_ack and idem not in self._settled:
            try:
                await self._feed.ack_auto(self, raw)  # sent now; its answer checked apart
            except EnSyncError as exc:
                await self._report(exc, info_of(raw))
        self._settled.discard(idem)

    async def _report(self, error: EnSyncError, info: EventInfo | None) -> None:
        callbacks = list(self._error_callbacks) or list(self._client._error_callbacks)
        if not callbacks:
            logger.error("%s", error)
            return
        for callback in callbacks:
            try:
                await _call(callback, error, info)
            except Exception:
                logger.exception("an EnSync error callback raised")
