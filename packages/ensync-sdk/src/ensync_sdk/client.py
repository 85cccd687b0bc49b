"""The client ``create_client`` returns: publish, subscribe, and the connection's upkeep."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, NamedTuple, Self, TypeVar

from ensync_core import (
    DecryptionKey,
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncValidationError,
    dumps_payload,
    encrypt_payload,
    payload_metadata,
)
from ensync_core.keys import recipient_curve_key
from ensync_sdk._checks import check_text
from ensync_sdk._transport import Session, SessionLostError, Transport
from ensync_sdk.feed import Feed
from ensync_sdk.options import ClientOptions, EngineOptions
from ensync_sdk.subscription import ErrorCallback, Subscription, _settle

__all__ = ["EnSyncClient"]

logger = logging.getLogger("ensync_sdk")

T = TypeVar("T")

_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # one encoder, not one per publish


def _is_recipient_list(value: object) -> bool:
    """A non-empty sequence that is not a string (a list, the usual case, is checked first)."""
    if type(value) is not list and (isinstance(value, str) or not isinstance(value, Sequence)):
        return False
    return bool(value)


class _Publication(NamedTuple):
    """A checked and encrypted publish, ready to send: one payload per target."""

    event_name: str
    targets: list[str]
    payloads: list[str]
    metadata: str
    payload_metadata: str


class EnSyncClient:
    """An authenticated connection to an EnSync node (made by ``engine.create_client``).

    Publishes end-to-end encrypted events and receives them through :class:`Subscription`.
    A lost connection is re-established (``reconnect_interval`` x 1.5^(attempt-1), at most
    ``max_reconnect_attempts`` times) and every subscription is resubscribed.
    """

    def __init__(
        self,
        transport: Transport,
        access_key: str,
        engine_options: EngineOptions,
        client_options: ClientOptions,
    ) -> None:
        self._transport = transport
        self._access_key = access_key
        self._options = engine_options
        self._key = (
            DecryptionKey.from_secret(client_options.app_secret_key)
            if client_options.app_secret_key
            else None
        )
        self._session: Session | None = None
        self._generation = 0
        self._recover_lock = asyncio.Lock()
        self._feeds: dict[str, Feed] = {}
        self._error_callbacks: list[ErrorCallback] = []
        self._heartbeat: asyncio.Task[None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<EnSyncClient {self._transport.name} client_id={self._shown_id}>"

    @property
    def client_id(self) -> str | None:
        """The node's id for this connection (changes after a reconnect)."""
        return None if self._session is None else self._session.client_id

    @property
    def _shown_id(self) -> str:
        """The client id for logs: it authorizes every request, so only a hint of it."""
        cid = self.client_id
        if cid is None:
            return "None"
        return f"{cid[:4]}…{cid[-4:]}" if len(cid) > 12 else "…"

    @property
    def client_hash(self) -> str | None:
        """The node's hash for this connection."""
        return None if self._session is None else self._session.client_hash

    @property
    def app_id(self) -> str | None:
        """Return the app id (base64 public key), known when a 64-byte secret key was given."""
        return None if self._key is None else self._key.app_id

    @property
    def subscriptions(self) -> dict[str, list[Subscription]]:
        """The active subscriptions by event name (a name subscribed twice has two)."""
        return {name: list(feed.subscriptions) for name, feed in self._feeds.items()}

    def on_error(self, callback: ErrorCallback) -> None:
        """Receive errors of subscriptions that have no error callback of their own."""
        self._error_callbacks.append(callback)

    # -- lifecycle ----------------------------------------------------------------------------

    async def _start(self) -> None:
        try:
            await self._transport.open()
            self._session = await self._transport.connect(self._access_key)
        except SessionLostError as exc:
            await self._transport.close()
            raise EnSyncConnectionError(
                f"could not connect to the EnSync node: {exc}", cause=exc
            ) from exc
        except BaseException:
            await self._transport.close()
            raise
        self._log_info("connected over %s as client %s", self._transport.name, self._shown_id)
        self._heartbeat = asyncio.create_task(self._beat(), name="ensync-heartbeat")

    async def close(self) -> None:
        """Stop every subscription and close the connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        feeds = list(self._feeds.values())
        tasks = [task for feed in feeds for task in feed.halt()]
        self._feeds.clear()
        for feed in feeds:  # acknowledgements already sent get their answers first
            await feed.acks.finish()
        await self._transport.close()  # also ends the streams the loops may still wait on
        for task in tasks:
            await _settle(task)
        self._log_info("closed")

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- publishing ---------------------------------------------------------------------------

    async def publish(
        self,
        event_name: str,
        recipients: Sequence[str],
        payload: Any,
        metadata: Mapping[str, Any] | None = None,
        *,
        use_hybrid_encryption: bool | None = None,
    ) -> str:
        """Encrypt ``payload`` for ``recipients`` (app ids), publish it, return the event id.

        One message is sent per recipient, each with an id of its own: with several recipients
        the ids are joined by ``","`` in recipient order (as the published SDK does); use
        :meth:`publish_ids` to get them as a list. With several recipients the payload is
        encrypted once (hybrid) unless ``use_hybrid_encryption=False``. A recipient listed
        twice gets the event once. Every argument is checked before anything is sent.
        """
        prepared = self._prepare_publish(
            event_name, recipients, payload, metadata, use_hybrid_encryption
        )
        if len(prepared.targets) == 1:  # the common case: one request, awaited right here
            return await self._publish_one(prepared)
        return ",".join(await self._publish_many(prepared))

    async def publish_ids(
        self,
        event_name: str,
        recipients: Sequence[str],
        payload: Any,
        metadata: Mapping[str, Any] | None = None,
        *,
        use_hybrid_encryption: bool | None = None,
    ) -> list[str]:
        """Like :meth:`publish`, but return the event ids as a list, one per distinct recipient."""
        prepared = self._prepare_publish(
            event_name, recipients, payload, metadata, use_hybrid_encryption
        )
        if len(prepared.targets) == 1:
            return [await self._publish_one(prepared)]
        return await self._publish_many(prepared)

    def _prepare_publish(
        self,
        event_name: str,
        recipients: Sequence[str],
        payload: Any,
        metadata: Mapping[str, Any] | None,
        use_hybrid_encryption: bool | None,
    ) -> _Publication:
        """Check every argument and encrypt: everything a publish does before sending."""
        check_text(event_name, "the event name")
        if not _is_recipient_list(recipients):
            raise EnSyncValidationError(
                "recipients must be a non-empty list of app ids (base64 Ed25519 public keys)"
            )
        for recipient in recipients:
            recipient_curve_key(recipient)  # raises EnSyncValidationError naming the recipient
        targets = list(dict.fromkeys(recipients))
        if metadata is not None and not isinstance(metadata, Mapping):
            raise EnSyncValidationError(f"metadata must be a dict, got {type(metadata).__name__}")
        try:
            metadata_text = dumps_payload(dict(metadata)).decode("utf-8") if metadata else "{}"
        except EnSyncValidationError as exc:
            raise EnSyncValidationError(
                f"the metadata is not JSON-serializable ({exc.cause})", cause=exc.cause
            ) from exc.cause
        plaintext = dumps_payload(payload)
        meta_text = _COMPACT_JSON.encode(payload_metadata(payload, plaintext))
        self._validate({"EVENT_NAME": event_name, "METADATA": metadata_text})
        self._ensure_open()
        hybrid = len(targets) > 1 if use_hybrid_encryption is None else use_hybrid_encryption
        if hybrid:
            shared = encrypt_payload(plaintext, targets, hybrid=True)
            payloads = [shared] * len(targets)
        else:
            payloads = [encrypt_payload(plaintext, [r], hybrid=False) for r in targets]
        return _Publication(event_name, targets, payloads, metadata_text, meta_text)

    async def _publish_one(self, prepared: _Publication) -> str:
        """:meth:`_request` around the one request, written out: this runs once per event."""
        name, body, recipient = prepared.event_name, prepared.payloads[0], prepared.targets[0]
        transport, generation = self._transport, self._generation
        try:
            idem = await transport.publish(
                name, body, recipient, prepared.metadata, prepared.payload_metadata
            )
        except SessionLostError:
            await self._recover(generation)
            idem = await self._transport.publish(
                name, body, recipient, prepared.metadata, prepared.payload_metadata
            )
        if self._options.enable_logging:
            logger.debug("published %r to 1 recipient: %s", name, idem)
        return idem

    async def _publish_many(self, prepared: _Publication) -> list[str]:
        """One request per recipient, sent together; a partial failure names who got it."""
        event_name, targets = prepared.event_name, prepared.targets

        def send(recipient: str, body: str) -> Awaitable[str]:
            return self._request(
                lambda t: t.publish(
                    event_name, body, recipient, prepared.metadata, prepared.payload_metadata
                )
            )

        results = await asyncio.gather(
            *(send(r, body) for r, body in zip(targets, prepared.payloads, strict=True)),
            return_exceptions=True,
        )
        idems = [r for r in results if isinstance(r, str)]
        if len(idems) < len(targets):
            failed = [
                (t, r) for t, r in zip(targets, results, strict=True) if not isinstance(r, str)
            ]
            recipient, error = failed[0]
            if not idems or not isinstance(error, EnSyncError):
                raise error
            raise EnSyncPublishError(
                f"publishing {event_name!r} reached {len(idems)} of {len(targets)} recipients "
                f"(event ids {idems}); it failed for {recipient} ({len(failed)} failed in all): "
                f"{error}. Publish again to the failed recipients only, or the others get it twice",
                cause=error,
            ) from error
        if self._options.enable_logging:
            logger.debug("published %r to %d recipient(s): %s", event_name, len(targets), idems)
        return idems

    # -- subscribing --------------------------------------------------------------------------

    async def subscribe(
        self, event_name: str, auto_ack: bool = True, app_secret_key: str | None = None
    ) -> Subscription:
        """Subscribe to ``event_name``; attach handlers with :meth:`Subscription.on`.

        ``app_secret_key`` overrides the client's key for decrypting this subscription's
        events. Subscribing again to a name this client already receives adds a subscription
        with its own handlers and options beside the first: each gets every event, and an
        event is acknowledged on the node once every subscription settled it (see
        :mod:`ensync_sdk.feed`).
        """
        check_text(event_name, "the event name")
        self._validate({"EVENT_NAME": event_name})
        self._ensure_open()
        key = DecryptionKey.from_secret(app_secret_key) if app_secret_key else self._key
        if key is None:
            raise EnSyncValidationError(
                "subscribing needs the app secret key to decrypt events: pass "
                "{'app_secret_key': ...} to create_client or app_secret_key to subscribe"
            )
        feed = self._feeds.get(event_name)
        if feed is not None:
            subscription = Subscription(self, feed, event_name, auto_ack=auto_ack, key=key)
            feed.subscriptions.append(subscription)
            self._log_info(
                "subscribed to %r again (%d subscriptions)", event_name, len(feed.subscriptions)
            )
            return subscription
        feed = Feed(self, event_name)
        subscription = Subscription(self, feed, event_name, auto_ack=auto_ack, key=key)
        feed.subscriptions.append(subscription)
        self._feeds[event_name] = feed
        try:
            await feed.start()
        except BaseException:
            self._forget_feed(feed)
            feed.halt()
            raise
        self._log_info("subscribed to %r", event_name)
        return subscription

    # -- plumbing used by subscriptions -------------------------------------------------------

    def _log_info(self, message: str, *args: object) -> None:
        if self._options.enable_logging:
            logger.info(message, *args)

    def _validate(self, fields: Mapping[str, str]) -> None:
        self._transport.validate(fields)

    def _forget_feed(self, feed: Feed) -> None:
        if self._feeds.get(feed.name) is feed:
            del self._feeds[feed.name]

    async def _detach(self, subscription: Subscription) -> None:
        """An unsubscribed subscription leaves its feed; the last one ends it on the node."""
        feed = self._feeds.get(subscription.event_name)
        if feed is None or subscription not in feed.subscriptions:
            return
        if not await feed.detach(subscription):
            return
        self._forget_feed(feed)
        for task in feed.halt():
            await _settle(task)
        await feed.acks.finish()  # the node takes the acknowledgements before the unsubscribe
        with contextlib.suppress(EnSyncError):
            await self._request(lambda t: t.unsubscribe(feed.name))

    def _ensure_open(self) -> None:
        if self._closed:
            raise EnSyncConnectionError("the client is closed; create a new one")

    async def _request(self, operation: Callable[[Transport], Awaitable[T]]) -> T:
        """Run ``operation``; after a lost session, reconnect once and run it again."""
        self._ensure_open()
        generation = self._generation
        try:
            return await operation(self._transport)
        except SessionLostError:
            await self._recover(generation)
            return await operation(self._transport)

    async def _recover(self, generation: int) -> None:
        """Reconnect unless another task already did since ``generation``."""
        async with self._recover_lock:
            self._ensure_open()
            if generation != self._generation:
                return
            attempts = self._options.max_reconnect_attempts
            last: EnSyncError | None = None
            for attempt in range(1, attempts + 1):
                await asyncio.sleep(self._options.reconnect_delay(attempt))
                self._ensure_open()
                try:
                    await self._transport.open()
                    self._session = await self._transport.connect(self._access_key)
                except EnSyncAuthError:
                    raise
                except EnSyncConnectionError as exc:
                    last = exc
                    self._log_info("reconnect attempt %d/%d failed: %s", attempt, attempts, exc)
                    continue
                self._generation += 1
                self._log_info("reconnected as client %s (attempt %d)", self._shown_id, attempt)
                return
            raise EnSyncConnectionError(
                f"the connection to the EnSync node was lost and {attempts} reconnect attempts "
                f"failed; check the node and create the client again",
                cause=last,
            )

    async def _beat(self) -> None:
        interval = self._options.heartbeat_interval / 1000.0
        while not self._closed:
            await asyncio.sleep(interval)
            generation = self._generation
            try:
                await self._transport.heartbeat()
            except SessionLostError as exc:
                self._log_info("heartbeat failed: %s", exc)
                try:
                    await self._recover(generation)
                except EnSyncError as error:
                    logger.warning("EnSync heartbeat could not restore the connection: %s", error)
                    return
            except EnSyncError as exc:  # the node answered with an error: try again next beat
                logger.warning("EnSync heartbeat failed: %s", exc)
