"""The in-memory state of the simulated EnSync node, shared by its gRPC and WebSocket faces.

Apps (access key -> Ed25519 identity), sessions (client id -> app), stored events, and one
durable queue per (recipient app id, event name) partition with pause, in-flight tracking, ack
timeouts (an unacknowledged delivery is redelivered), deferral and discard. Everything here lives
on the simulator's event loop and survives a restart of the servers.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "App",
    "NodeState",
    "Refused",
    "StoredEvent",
    "StreamClosed",
    "StreamHandle",
    "StreamReset",
    "UnknownClient",
]


class Refused(Exception):
    """The node answers ``success=false`` / ``-FAIL`` with this message."""


class UnknownClient(Refused):
    """The client id is unknown or its session expired."""


class StreamReset(Exception):
    """The stream was reset on purpose (fault injection)."""


class StreamClosed(Exception):
    """The stream was closed by an unsubscribe."""


@dataclass(frozen=True, slots=True)
class App:
    """A registered app: its access key and Ed25519 identity (base64)."""

    access_key: str
    app_id: str
    secret_key: str = field(repr=False)


@dataclass(slots=True)
class StoredEvent:
    """One published message for one recipient, as the node keeps it."""

    idem: str
    name: str
    payload: str
    recipient: str
    sender: str
    metadata: str
    payload_metadata: str
    block: int
    logged_at: int
    status: str = "ready"  # ready | inflight | deferred | acked | discarded
    deliveries: int = 0
    stream: int | None = None
    timer: asyncio.TimerHandle | None = None

    def record(self) -> dict[str, Any]:
        """The WebSocket ``+RECORD:`` / ``+REPLAY:`` JSON object."""
        try:
            metadata: Any = json.loads(self.metadata) if self.metadata else {}
        except ValueError:
            metadata = self.metadata
        return {
            "name": self.name,
            "idem": self.idem,
            "block": self.block,
            "loggedAt": self.logged_at,
            "payload": self.payload,
            "metadata": metadata,
            "sender": self.sender,
        }


@dataclass(slots=True)
class Partition:
    """The queue of one (recipient, event name)."""

    ready: deque[str] = field(default_factory=deque)
    paused: bool = False
    next_block: int = 1
    waiters: set[asyncio.Future[None]] = field(default_factory=set)

    def notify(self) -> None:
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()


@dataclass(eq=False, slots=True)
class StreamHandle:
    """One open subscription stream (gRPC Subscribe call or WebSocket SUB)."""

    id: int
    client_id: str
    app_id: str
    name: str
    inflight: set[str] = field(default_factory=set)
    reset: bool = False
    closed: bool = False
    waiter: asyncio.Future[None] | None = None

    def wake(self) -> None:
        """Wake the stream if it waits for an event."""
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


@functools.lru_cache(maxsize=1024)
def _valid_app_id(app_id: str) -> bool:
    try:
        return len(base64.b64decode(app_id, validate=True)) == 32
    except ValueError:
        return False


class NodeState:
    """Apps, sessions, events and queues of the simulated node."""

    def __init__(self, apps: list[App], *, ack_timeout: float) -> None:
        self.apps = list(apps)
        self._by_key = {app.access_key: app for app in apps}
        self._by_id = {app.app_id: app for app in apps}
        self.ack_timeout = ack_timeout
        self.sessions: dict[str, App] = {}
        self.events: dict[str, StoredEvent] = {}
        self.partitions: dict[tuple[str, str], Partition] = {}
        self.streams: set[StreamHandle] = set()
        self._stream_ids = itertools.count(1)
        self.heartbeats = 0

    # -- sessions -------------------------------------------------------------------------------

    def connect(self, access_key: str) -> tuple[str, str]:
        """A new session for a known access key; :class:`Refused` otherwise."""
        app = self._by_key.get(access_key)
        if app is None:
            raise Refused("invalid access key")
        client_id = f"client-{secrets.token_hex(8)}"
        self.sessions[client_id] = app
        return client_id, secrets.token_hex(16)

    def app_of(self, client_id: str) -> App:
        """The app of a session; :class:`UnknownClient` for unknown or expired ids."""
        app = self.sessions.get(client_id)
        if app is None:
            raise UnknownClient("unknown client id; connect again")
        return app

    def heartbeat(self, client_id: str) -> bool:
        """Count a heartbeat; whether the session is known."""
        self.heartbeats += 1
        return client_id in self.sessions

    def expire_sessions(self) -> None:
        """Forget every session (clients must connect again) and reset their streams."""
        self.sessions.clear()
        self.reset_streams()

    # -- publishing -----------------------------------------------------------------------------

    def partition(self, app_id: str, name: str) -> Partition:
        """Return the queue of one (recipient, event name), created on first use."""
        key = (app_id, name)
        part = self.partitions.get(key)
        if part is None:
            part = self.partitions[key] = Partition()
        return part

    def publish(
        self,
        client_id: str,
        name: str,
        payload: str,
        delivery_to: str,
        metadata: str,
        payload_metadata: str,
    ) -> StoredEvent:
        """Store a message for ``delivery_to`` and queue it."""
        sender = self.app_of(client_id)
        if not name:
            raise Refused("message name is required")
        if not payload:
            raise Refused("payload is required")
        if not _valid_app_id(delivery_to):
            raise Refused("delivery_to is not a valid public key")
        if delivery_to not in self._by_id:
            raise Refused("recipient is not registered on this node")
        part = self.partition(delivery_to, name)
        event = StoredEvent(
            idem=f"evt-{secrets.token_hex(10)}",
            name=name,
            payload=payload,
            recipient=delivery_to,
            sender=sender.app_id,
            metadata=metadata,
            payload_metadata=payload_metadata,
            block=part.next_block,
            logged_at=int(time.time() * 1000),
        )
        part.next_block += 1
        self.events[event.idem] = event
        part.ready.append(event.idem)
        part.notify()
        return event

    # -- delivering -----------------------------------------------------------------------------

    def open_stream(self, client_id: str, name: str) -> StreamHandle:
        """Register a subscription stream of the caller's app."""
        app = self.app_of(client_id)
        if not name:
            raise Refused("message name is required")
        handle = StreamHandle(next(self._stream_ids), client_id, app.app_id, name)
        self.streams.add(handle)
        return handle

    async def next_event(self, handle: StreamHandle) -> StoredEvent:
        """Wait for the next deliverable event of the stream's partition and mark it in flight."""
        loop = asyncio.get_running_loop()
        part = self.partition(handle.app_id, handle.name)
        while True:
            if handle.reset:
                raise StreamReset("stream reset")
            if handle.closed:
                raise StreamClosed("unsubscribed")
            if not part.paused:
                while part.ready:
                    event = self.events[part.ready.popleft()]
                    if event.status != "ready":
                        continue
                    event.status = "inflight"
                    event.stream = handle.id
                    event.deliveries += 1
                    handle.inflight.add(event.idem)
                    event.timer = loop.call_later(
                        self.ack_timeout, self._ack_timed_out, event.idem, event.deliveries
                    )
                    return event
            waiter: asyncio.Future[None] = loop.create_future()
            handle.waiter = waiter
            part.waiters.add(waiter)
            try:
                await waiter
            finally:
                part.waiters.discard(waiter)
                handle.waiter = None

    def _requeue(self, event: StoredEvent) -> None:
        if event.timer is not None:
            event.timer.cancel()
            event.timer = None
        event.status = "ready"
        event.stream = None
        part = self.partition(event.recipient, event.name)
        part.ready.appendleft(event.idem)
        part.notify()

    def _ack_timed_out(self, idem: str, delivery: int) -> None:
        event = self.events.get(idem)
        if event is not None and event.status == "inflight" and event.deliveries == delivery:
            self._release(event)
            self._requeue(event)

    def _release(self, event: StoredEvent) -> None:
        for handle in self.streams:
            if handle.id == event.stream:
                handle.inflight.discard(event.idem)

    def close_stream(self, handle: StreamHandle) -> None:
        """The stream is gone: its unacknowledged deliveries go back to the queue front."""
        handle.closed = True
        self.streams.discard(handle)
        for idem in sorted(handle.inflight, key=lambda i: self.events[i].block, reverse=True):
            event = self.events[idem]
            if event.status == "inflight" and event.stream == handle.id:
                self._requeue(event)
        handle.inflight.clear()

    def reset_streams(self) -> int:
        """Reset every open stream (they end with an error); returns how many."""
        handles = list(self.streams)
        for handle in handles:
            handle.reset = True
            handle.wake()
        return len(handles)

    def unsubscribe(self, client_id: str, name: str) -> None:
        """Close the caller's streams of ``name``."""
        self.app_of(client_id)
        for handle in list(self.streams):
            if handle.client_id == client_id and handle.name == name:
                handle.closed = True
                handle.wake()

    # -- controls -------------------------------------------------------------------------------

    def _own_event(self, client_id: str, idem: str, name: str) -> StoredEvent:
        app = self.app_of(client_id)
        event = self.events.get(idem)
        if event is None or event.recipient != app.app_id or (name and event.name != name):
            raise Refused(f"message {idem} not found")
        return event

    def ack(self, client_id: str, idem: str, name: str, block: int) -> None:
        """Mark a delivery done (the block must match)."""
        event = self._own_event(client_id, idem, name)
        if block and block != event.block:
            raise Refused(f"message {idem} is in block {event.block}, not {block}")
        if event.status in ("acked", "discarded"):
            raise Refused(f"message {idem} is already {event.status}")
        if event.timer is not None:
            event.timer.cancel()
            event.timer = None
        self._release(event)
        event.status = "acked"

    def rollback(self, client_id: str, idem: str, block: int) -> None:
        """Put an in-flight delivery back in the queue."""
        event = self._own_event(client_id, idem, "")
        if event.status != "inflight":
            raise Refused(f"message {idem} is not in flight")
        self._release(event)
        self._requeue(event)

    def defer(self, client_id: str, idem: str, name: str, delay_ms: int) -> int:
        """Redeliver after ``delay_ms``; returns the delivery time (ms since the epoch)."""
        event = self._own_event(client_id, idem, name)
        if event.status in ("acked", "discarded"):
            raise Refused(f"message {idem} is already {event.status}")
        if delay_ms < 0:
            raise Refused("delay must be >= 0")
        if event.timer is not None:
            event.timer.cancel()
        self._release(event)
        event.status = "deferred"
        event.stream = None
        loop = asyncio.get_running_loop()
        event.timer = loop.call_later(delay_ms / 1000, self._deferred_due, idem)
        return int(time.time() * 1000) + delay_ms

    def _deferred_due(self, idem: str) -> None:
        event = self.events.get(idem)
        if event is not None and event.status == "deferred":
            event.timer = None
            self._requeue(event)

    def discard(self, client_id: str, idem: str, name: str) -> None:
        """Drop a message for good."""
        event = self._own_event(client_id, idem, name)
        if event.status == "acked":
            raise Refused(f"message {idem} is already acked")
        if event.timer is not None:
            event.timer.cancel()
            event.timer = None
        self._release(event)
        event.status = "discarded"

    def replay(self, client_id: str, idem: str, name: str) -> StoredEvent:
        """Return a stored message of the caller's app."""
        return self._own_event(client_id, idem, name)

    def pause(self, client_id: str, name: str) -> None:
        """Hold the deliveries of ``name`` to the caller's app."""
        app = self.app_of(client_id)
        self.partition(app.app_id, name).paused = True

    def resume(self, client_id: str, name: str) -> None:
        """Continue the deliveries of ``name`` to the caller's app."""
        app = self.app_of(client_id)
        part = self.partition(app.app_id, name)
        part.paused = False
        part.notify()

    # -- inspection and test faults -------------------------------------------------------------

    def tamper(self, idem: str) -> None:
        """Flip one ciphertext bit of a stored payload (to prove clients reject it)."""
        event = self.events[idem]
        envelope = json.loads(base64.b64decode(event.payload))
        target = envelope["payload"] if envelope.get("type") == "hybrid" else envelope
        raw = bytearray(base64.b64decode(target["ciphertext"]))
        raw[-1] ^= 0x01
        target["ciphertext"] = base64.b64encode(bytes(raw)).decode()
        event.payload = base64.b64encode(json.dumps(envelope).encode()).decode()

    def pending(self, app_id: str | None = None) -> list[StoredEvent]:
        """Events not yet acknowledged or discarded (optionally of one recipient)."""
        return [
            e
            for e in self.events.values()
            if e.status in ("ready", "inflight", "deferred")
            and (app_id is None or e.recipient == app_id)
        ]
