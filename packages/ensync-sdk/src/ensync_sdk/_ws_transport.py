"""The WebSocket transport (aiohttp client) for ``<node>/message``.

aiohttp rather than ``websockets``: it is already a dependency named by the workspace design
(and of the simulator), it is fully typed, and its client gives WebSocket-level heartbeats and
clean close semantics, so the SDK adds no new dependency for this transport.

Replies match requests in order, so every request appends a future to a FIFO before its line is
sent (under one lock) and the reader resolves the oldest future with each ``+PASS``/``-FAIL``/
``+REPLAY`` frame. Deliveries go to the queue of their event name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Mapping

import aiohttp

from ensync_core import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncSubscriptionError,
)
from ensync_sdk._transport import Session, SessionLostError, Transport
from ensync_sdk.events import RawMessage
from ensync_sdk.ws_codec import (
    Frame,
    FrameKind,
    encode_command,
    parse_conn_reply,
    parse_defer_reply,
    parse_frame,
    parse_pub_reply,
    parse_record,
)

__all__ = ["WebSocketTransport"]

logger = logging.getLogger("ensync_sdk.ws")

_LOST = object()  # queue sentinel: the connection went away
_ENDED = object()  # queue sentinel: unsubscribed


class WebSocketTransport(Transport):
    """One WebSocket connection to an EnSync node."""

    name = "websocket"

    def __init__(self, url: str, *, request_timeout: float, heartbeat: float) -> None:
        self._url = url
        self._timeout = request_timeout
        self._heartbeat = heartbeat
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: deque[asyncio.Future[Frame]] = deque()
        self._send_lock = asyncio.Lock()
        self._queues: dict[str, asyncio.Queue[object]] = {}
        self._client_id = ""

    async def open(self) -> None:
        await self.close()
        self._session = aiohttp.ClientSession()
        try:
            async with asyncio.timeout(self._timeout):  # TCP, TLS and the upgrade handshake
                self._ws = await self._session.ws_connect(
                    self._url,
                    heartbeat=self._heartbeat,
                    timeout=aiohttp.ClientWSTimeout(ws_close=2),
                )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self._session.close()
            self._session = None
            raise SessionLostError(
                f"could not open the WebSocket {self._url} ({exc}); check the URL and that the "
                f"node is running",
                cause=exc,
            ) from exc
        self._reader = asyncio.create_task(self._read(self._ws), name="ensync-ws-reader")

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        ws, self._ws = self._ws, None
        session, self._session = self._session, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if session is not None:
            await session.close()
        self._fail_all(SessionLostError("the WebSocket connection was closed"))

    def _fail_all(self, error: EnSyncError) -> None:
        while self._pending:
            future = self._pending.popleft()
            if not future.done():
                future.set_exception(error)
        for queue in self._queues.values():
            queue.put_nowait(_LOST)
        self._queues.clear()

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    frame = parse_frame(message.data)
                except EnSyncError as exc:
                    logger.warning("ignoring a frame from the node: %s", exc)
                    continue
                await self._dispatch(ws, frame)
        finally:
            if self._ws is ws:
                self._fail_all(SessionLostError("the node closed the WebSocket connection"))

    async def _dispatch(self, ws: aiohttp.ClientWebSocketResponse, frame: Frame) -> None:
        if frame.kind is FrameKind.PING:
            async with self._send_lock:
                await ws.send_str("PONG")
        elif frame.kind is FrameKind.RECORD:
            try:
                record = parse_record(frame.json(), "")
            except EnSyncError as exc:
                logger.warning("ignoring a record from the node: %s", exc)
                return
            queue = self._queues.get(record.name)
            if queue is not None:
                queue.put_nowait(record)
        elif self._pending:
            future = self._pending.popleft()
            if not future.done():
                future.set_result(frame)

    async def _request(self, command: str, fields: Mapping[str, object]) -> Frame:
        line = encode_command(command, fields)  # refuses unframeable values before any I/O
        ws = self._ws
        if ws is None or ws.closed:
            raise SessionLostError("the WebSocket connection is closed")
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        async with self._send_lock:
            self._pending.append(future)
            try:
                await ws.send_str(line)
            except asyncio.CancelledError:
                future.cancel()  # the line may be on its way: its reply still takes this slot
                raise
            except Exception as exc:
                # The line did not go out: no reply will come for this slot.
                with contextlib.suppress(ValueError):
                    self._pending.remove(future)
                if isinstance(exc, aiohttp.ClientError | ConnectionError | RuntimeError):
                    raise SessionLostError(f"sending {command} failed ({exc})", cause=exc) from exc
                raise
        try:
            return await asyncio.wait_for(future, self._timeout)
        except TimeoutError as exc:
            # The node may be stuck: start over on a fresh connection (a late reply would only
            # fill this request's cancelled slot, so the order of the others is kept).
            raise SessionLostError(
                f"the node did not answer {command} within {self._timeout:g} s", cause=exc
            ) from exc

    async def _expect_pass(
        self, command: str, fields: Mapping[str, object], what: str, kind: type[EnSyncError]
    ) -> str:
        frame = await self._request(command, fields)
        if frame.kind is FrameKind.FAIL:
            reason = frame.content or "no reason given"
            if "client" in reason.lower() and (
                "unknown" in reason.lower() or "invalid" in reason.lower()
            ):
                raise SessionLostError(f"{what} failed: {reason}")
            raise kind(f"{what} failed: the node answered {reason}")
        return frame.content

    async def connect(self, access_key: str) -> Session:
        frame = await self._request("CONN", {"ACCESS_KEY": access_key})
        if frame.kind is FrameKind.FAIL:
            raise EnSyncAuthError(
                f"the node refused the access key: {frame.content or 'no reason given'}; "
                f"check the app key"
            )
        try:
            client_id, client_hash = parse_conn_reply(frame.content)
        except EnSyncError as exc:
            raise EnSyncConnectionError(
                f"{exc}; is {self._url} an EnSync node?", cause=exc
            ) from exc
        self._client_id = client_id
        return Session(client_id, client_hash)

    async def heartbeat(self) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise SessionLostError("the WebSocket connection is closed")

    async def publish(
        self, name: str, payload: str, delivery_to: str, metadata: str, payload_metadata: str
    ) -> str:
        content = await self._expect_pass(
            "PUB",
            {
                "CLIENT_ID": self._client_id,
                "EVENT_NAME": name,
                "PAYLOAD": payload,
                "DELIVERY_TO": delivery_to,
                "METADATA": metadata,
            },
            f"publishing {name!r}",
            EnSyncPublishError,
        )
        return parse_pub_reply(content)

    def validate(self, fields: Mapping[str, str]) -> None:
        encode_command("CHECK", fields)

    async def open_stream(self, name: str) -> AsyncIterator[RawMessage]:
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._queues[name] = queue  # before SUB: records may arrive right after its reply
        try:
            await self._expect_pass(
                "SUB",
                {"CLIENT_ID": self._client_id, "EVENT_NAME": name},
                f"subscribing to {name!r}",
                EnSyncSubscriptionError,
            )
        except BaseException:
            if self._queues.get(name) is queue:
                del self._queues[name]
            raise
        return self._drain(name, queue)

    async def _drain(self, name: str, queue: asyncio.Queue[object]) -> AsyncIterator[RawMessage]:
        try:
            while True:
                item = await queue.get()
                if item is _LOST:
                    raise SessionLostError(f"the subscription to {name!r} lost its connection")
                if item is _ENDED:
                    return
                assert isinstance(item, RawMessage)
                yield item
        finally:
            if self._queues.get(name) is queue:
                del self._queues[name]

    def cancel_stream(self, name: str) -> None:
        queue = self._queues.pop(name, None)
        if queue is not None:
            queue.put_nowait(_ENDED)

    async def unsubscribe(self, name: str) -> None:
        self.cancel_stream(name)
        await self._expect_pass(
            "UNSUB",
            {"CLIENT_ID": self._client_id, "EVENT_NAME": name},
            f"unsubscribing from {name!r}",
            EnSyncSubscriptionError,
        )

    async def ack(self, idem: str, name: str, block: int) -> None:
        await self._expect_pass(
            "ACK",
            {"CLIENT_ID": self._client_id, "EVENT_IDEM": idem, "BLOCK": block, "EVENT_NAME": name},
            f"acknowledging {idem!r}",
            EnSyncSubscriptionError,
        )

    async def defer(self, idem: str, name: str, delay_ms: int, reason: str) -> int:
        content = await self._expect_pass(
            "DEFER",
            {
                "CLIENT_ID": self._client_id,
                "EVENT_IDEM": idem,
                "EVENT_NAME": name,
                "DELAY": delay_ms,
                "REASON": reason,
            },
            f"deferring {idem!r}",
            EnSyncSubscriptionError,
        )
        return parse_defer_reply(content)

    async def discard(self, idem: str, name: str, reason: str) -> None:
        await self._expect_pass(
            "DISCARD",
            {
                "CLIENT_ID": self._client_id,
                "EVENT_IDEM": idem,
                "EVENT_NAME": name,
                "REASON": reason,
            },
            f"discarding {idem!r}",
            EnSyncSubscriptionError,
        )

    async def replay(self, idem: str, name: str) -> RawMessage:
        what = f"replaying {idem!r}"
        frame = await self._request(
            "REPLAY", {"CLIENT_ID": self._client_id, "EVENT_IDEM": idem, "EVENT_NAME": name}
        )
        if frame.kind is FrameKind.FAIL:
            raise EnSyncSubscriptionError(f"{what} failed: the node answered {frame.content}")
        try:
            return parse_record(frame.json(), name)
        except EnSyncError as exc:
            raise EnSyncSubscriptionError(f"{what} failed: {exc}", cause=exc) from exc

    async def pause(self, name: str, reason: str) -> None:
        await self._expect_pass(
            "PAUSE",
            {"CLIENT_ID": self._client_id, "EVENT_NAME": name, "REASON": reason},
            f"pausing {name!r}",
            EnSyncSubscriptionError,
        )

    async def resume(self, name: str) -> None:
        await self._expect_pass(
            "CONTINUE",
            {"CLIENT_ID": self._client_id, "EVENT_NAME": name},
            f"resuming {name!r}",
            EnSyncSubscriptionError,
        )
