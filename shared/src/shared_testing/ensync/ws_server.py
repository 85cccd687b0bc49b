"""The node's WebSocket face: ``<ws_url>/message`` on aiohttp over :class:`NodeState`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from ensync_sdk.ws_codec import parse_command
from shared_testing.ensync.state import (
    NodeState,
    Refused,
    StreamClosed,
    StreamHandle,
    StreamReset,
)
from shared_testing.faults import FaultInjector, FaultKind

__all__ = ["WebSocketFace"]


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    streams: dict[str, tuple[StreamHandle, asyncio.Task[None]]] = field(default_factory=dict)

    async def send(self, text: str) -> None:
        async with self.lock:
            await self.ws.send_str(text)


class WebSocketFace:
    """Serves the text protocol; commands of one connection are answered in order."""

    def __init__(self, state: NodeState, faults: FaultInjector, *, ping_interval: float) -> None:
        self.state = state
        self.faults = faults
        self.ping_interval = ping_interval
        self.connections: set[_Connection] = set()
        self.pongs = 0
        self.lines: deque[str] = deque(maxlen=1000)  # the latest request lines, for tests

    def routes(self, app: web.Application) -> None:
        """Add ``/message`` to ``app``."""
        app.router.add_get("/message", self.handle)

    async def close_all(self) -> None:
        """Close every connection (a restart or a reset)."""
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one WebSocket connection."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = _Connection(ws)
        self.connections.add(conn)
        pinger = asyncio.create_task(self._ping(conn))
        client_id = ""
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                if message.data == "PONG":
                    self.pongs += 1
                    continue
                self.lines.append(message.data)
                fault = await self.faults.apply()
                if fault is not None and fault.kind is FaultKind.DROP:
                    await ws.close()
                    break
                if fault is not None:
                    await conn.send(f"-FAIL:injected fault ({fault.status})")
                    continue
                reply, client_id = await self._command(conn, message.data, client_id)
                await conn.send(reply)
        finally:
            pinger.cancel()
            self.connections.discard(conn)
            for handle, task in conn.streams.values():
                task.cancel()
                self.state.close_stream(handle)
        return ws

    async def _ping(self, conn: _Connection) -> None:
        with contextlib.suppress(Exception):
            while not conn.ws.closed:
                await asyncio.sleep(self.ping_interval)
                await conn.send("PING")

    async def _pump(self, conn: _Connection, handle: StreamHandle) -> None:
        try:
            while True:
                event = await self.state.next_event(handle)
                await conn.send("+RECORD:" + json.dumps(event.record()))
        except StreamReset:
            await conn.ws.close()
        except (StreamClosed, ConnectionError, RuntimeError):
            pass
        finally:
            self.state.close_stream(handle)

    async def _command(self, conn: _Connection, line: str, client_id: str) -> tuple[str, str]:
        try:
            command, fields = parse_command(line)
        except ValueError as exc:
            return f"-FAIL:{exc}", client_id
        try:
            return await self._run(conn, command, fields, client_id)
        except KeyError as exc:
            return f"-FAIL:missing field {exc.args[0]}", client_id
        except ValueError as exc:
            return f"-FAIL:invalid value ({exc})", client_id
        except Refused as exc:
            return f"-FAIL:{exc}", client_id

    async def _run(
        self, conn: _Connection, command: str, f: dict[str, str], client_id: str
    ) -> tuple[str, str]:
        state = self.state
        if command == "CONN":
            new_id, client_hash = state.connect(f["ACCESS_KEY"])
            return f"+PASS:{{clientId={new_id},clientHash={client_hash}}}", new_id
        cid = f["CLIENT_ID"]
        if command == "PUB":
            event = state.publish(
                cid, f["EVENT_NAME"], f["PAYLOAD"], f["DELIVERY_TO"], f.get("METADATA", "{}"), ""
            )
            return f"+PASS:{event.idem}", client_id
        if command == "SUB":
            name = f["EVENT_NAME"]
            if name in conn.streams:
                return f"-FAIL:already subscribed to {name}", client_id
            handle = state.open_stream(cid, name)
            conn.streams[name] = (handle, asyncio.create_task(self._pump(conn, handle)))
            return "+PASS:subscribed", client_id
        if command == "UNSUB":
            state.unsubscribe(cid, f["EVENT_NAME"])
            entry = conn.streams.pop(f["EVENT_NAME"], None)
            if entry is not None:
                entry[1].cancel()
                state.close_stream(entry[0])
            return "+PASS:unsubscribed", client_id
        if command == "ACK":
            state.ack(cid, f["EVENT_IDEM"], f.get("EVENT_NAME", ""), int(f.get("BLOCK") or 0))
            return "+PASS:acknowledged", client_id
        if command == "ROLLBACK":
            state.rollback(cid, f["EVENT_IDEM"], int(f.get("BLOCK") or 0))
            return "+PASS:rolled back", client_id
        if command == "DEFER":
            when = state.defer(cid, f["EVENT_IDEM"], f.get("EVENT_NAME", ""), int(f["DELAY"]))
            return "+PASS:" + json.dumps({"deliveryTime": when}), client_id
        if command == "DISCARD":
            state.discard(cid, f["EVENT_IDEM"], f.get("EVENT_NAME", ""))
            return "+PASS:discarded", client_id
        if command == "REPLAY":
            event = state.replay(cid, f["EVENT_IDEM"], f.get("EVENT_NAME", ""))
            return "+REPLAY:" + json.dumps(event.record()), client_id
        if command == "PAUSE":
            state.pause(cid, f["EVENT_NAME"])
            return "+PASS:paused", client_id
        if command == "CONTINUE":
            state.resume(cid, f["EVENT_NAME"])
            return "+PASS:continued", client_id
        return f"-FAIL:unknown command {command}", client_id
