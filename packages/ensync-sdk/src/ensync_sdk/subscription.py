"""A subscription: the handlers of one event name and the controls over its deliveries."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
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
from ensync_sdk._transport import SessionLostError
from ensync_sdk.events import EnSyncEvent, EventInfo, RawMessage, build_event, info_of

if TYPE_CHECKING:
    from ensync_sdk.client import EnSyncClient

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
    """The deliveries of one event name to this client.

    Handlers registered with :meth:`on` run one event at a time, in delivery order. With
    ``auto_ack`` an event is acknowledged once every handler returned; a handler that raises
    leaves it unacknowledged (the node redelivers it) and the error goes to the
    :meth:`on_error` callbacks. A payload that cannot be decrypted never reaches a handler: it
    goes to the error callbacks as an :class:`~ensync_core.EnSyncDecryptionError`.
    """

    def __init__(
        self, client: EnSyncClient, event_name: str, *, auto_ack: bool, key: DecryptionKey
    ) -> None:
        self._client = client
        self._name = event_name
        self._auto_ack = auto_ack
        self._key = key
        self._handlers: list[Handler] = []
        self._error_callbacks: list[ErrorCallback] = []
        self._has_handler = asyncio.Event()
        self._settled: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._active = True

    @property
    def event_name(self) -> str:
        """The event name this subscription receives."""
        return self._name

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
        """Acknowledge the event ``idem`` of partition ``block``: it is not delivered again."""
        self._check(idem)
        if not is_int64(block):
            raise EnSyncValidationError(
                f"block must be the event's integer partition block (>= 0), got {block!r}"
            )
        self._settled.add(idem)
        await self._client._request(lambda t: t.ack(idem, self._name, block))

    async def defer(self, idem: str, delay_ms: int = 1000, reason: str = "") -> int:
        """Have the event redelivered after ``delay_ms``; returns the planned delivery time."""
        if not is_int64(delay_ms):
            raise EnSyncValidationError(f"delay_ms must be an integer >= 0, got {delay_ms!r}")
        self._check(idem, reason)
        self._settled.add(idem)
        return await self._client._request(lambda t: t.defer(idem, self._name, delay_ms, reason))

    async def discard(self, idem: str, reason: str = "") -> None:
        """Drop the event ``idem`` for good (never delivered again)."""
        self._check(idem, reason)
        self._settled.add(idem)
        await self._client._request(lambda t: t.discard(idem, self._name, reason))

    async def replay(self, idem: str) -> EnSyncEvent:
        """Fetch the stored event ``idem`` again and return it decrypted."""
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
        """Stop receiving this event name; pending handlers finish first."""
        if not self._active:
            return
        await self._stop()
        self._client._forget(self)
        with contextlib.suppress(EnSyncError):
            await self._client._request(lambda t: t.unsubscribe(self._name))

    # -- delivery loop (driven by the client) -------------------------------------------------

    async def _start(self) -> None:
        stream = await self._client._request(lambda t: t.open_stream(self._name))
        self._task = asyncio.create_task(self._run(stream), name=f"ensync-sub-{self._name}")

    def _halt(self) -> asyncio.Task[None] | None:
        """Stop the delivery loop without waiting; returns the task to wait for."""
        self._active = False
        self._client._transport.cancel_stream(self._name)
        task, self._task = self._task, None
        if task is None or task is asyncio.current_task():
            return None
        task.cancel()
        return task

    async def _stop(self) -> None:
        task = self._halt()
        if task is not None:
            await _settle(task)

    async def _run(self, stream: Any) -> None:
        while True:
            generation = self._client._generation
            try:
                async for raw in stream:
                    await self._process(raw)
            except SessionLostError as exc:
                self._client._log_info("subscription %r interrupted: %s", self._name, exc)
            except EnSyncError as exc:  # the node refused the stream: retrying will not help
                await self._give_up(exc)
                return
            if not self.active:  # stopped on purpose while the stream ended
                return
            try:
                await self._client._recover(generation)
                stream = await self._client._request(lambda t: t.open_stream(self._name))
            except EnSyncError as exc:
                await self._give_up(exc)
                return
            self._client._log_info("resubscribed to %r", self._name)

    async def _give_up(self, cause: EnSyncError) -> None:
        """Stop for good and tell the error callbacks (unless stopped on purpose meanwhile)."""
        if not self._active:
            return
        self._active = False
        self._client._forget(self)
        error = EnSyncSubscriptionError(
            f"the subscription to {self._name!r} stopped: {cause}", cause=cause
        )
        await self._report(error, None)

    def _decrypt(self, raw: RawMessage) -> Any:
        plaintext = decrypt_payload(raw.payload, self._key)
        try:
            return json.loads(plaintext)
        except (ValueError, RecursionError) as exc:
            raise EnSyncDecryptionError(
                f"event {raw.idem} decrypted to something that is not JSON", cause=exc
            ) from exc

    async def _process(self, raw: RawMessage) -> None:
        info = info_of(raw)
        try:
            payload = self._decrypt(raw)
        except EnSyncDecryptionError as exc:
            await self._report(exc, info)
            return
        event = build_event(raw, payload)
        await self._has_handler.wait()
        self._settled.discard(raw.idem)
        for handler in list(self._handlers):
            try:
                await _call(handler, event)
            except Exception as exc:
                await self._report(
                    EnSyncSubscriptionError(
                        f"the handler of {self._name!r} raised {type(exc).__name__} for event "
                        f"{raw.idem}; the event stays unacknowledged and will be redelivered",
                        cause=exc,
                    ),
                    info,
                )
                return
        if self._auto_ack and raw.idem not in self._settled:
            try:
                await self.ack(raw.idem, raw.block)
            except EnSyncError as exc:
                await self._report(exc, info)
        self._settled.discard(raw.idem)

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
