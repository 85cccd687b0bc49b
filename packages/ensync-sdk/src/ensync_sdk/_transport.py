"""What the client needs from a transport; gRPC and WebSocket each implement it.

A transport moves requests and deliveries and maps its own failures onto the EnSync errors:
:class:`SessionLostError` (an :class:`~ensync_core.EnSyncConnectionError`) whenever the
connection or the node-side session is gone and the client should reconnect; the operation's own
error type when the node answered with a refusal.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ensync_core import EnSyncConnectionError
from ensync_sdk.events import RawMessage

__all__ = ["AckInFlight", "Session", "SessionLostError", "Transport"]


class SessionLostError(EnSyncConnectionError):
    """The connection or the node-side session is gone; reconnecting may fix it."""


class AckInFlight(Protocol):
    """An acknowledgement already sent: await it for the outcome (it raises as ``ack`` does)."""

    def __await__(self) -> Generator[Any, None, None]: ...

    def cancel(self) -> bool:
        """Give up waiting for the outcome (the request may still reach the node)."""
        ...


@dataclass(frozen=True, slots=True)
class Session:
    """What ``Connect`` returned."""

    client_id: str
    client_hash: str
    server_config: dict[str, str] = field(default_factory=dict)


class Transport(abc.ABC):
    """One connection to an EnSync node (re-established by :meth:`open` after a loss)."""

    name: str

    @abc.abstractmethod
    async def open(self) -> None:
        """Open (or re-open) the underlying connection."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection; every open stream ends."""

    @abc.abstractmethod
    async def connect(self, access_key: str) -> Session:
        """Authenticate; later calls use the returned session."""

    @abc.abstractmethod
    async def heartbeat(self) -> None:
        """Tell the node this client is alive."""

    @abc.abstractmethod
    async def publish(
        self, name: str, payload: str, delivery_to: str, metadata: str, payload_metadata: str
    ) -> str:
        """Publish one encrypted payload to one recipient; returns the message idem."""

    @abc.abstractmethod
    async def open_stream(self, name: str) -> AsyncIterator[RawMessage]:
        """Subscribe to ``name``; the iterator yields deliveries until unsubscribed or lost.

        The iterator raises :class:`SessionLostError` when the stream is lost and simply ends
        when the subscription was stopped on purpose.
        """

    def validate(self, fields: Mapping[str, str]) -> None:  # noqa: B027 - optional hook
        """Refuse values this transport cannot carry (before anything is sent)."""

    @abc.abstractmethod
    def cancel_stream(self, name: str) -> None:
        """End the local side of the stream of ``name`` now (no request is sent)."""

    @abc.abstractmethod
    async def unsubscribe(self, name: str) -> None:
        """Stop the deliveries of ``name``."""

    @abc.abstractmethod
    async def ack(self, idem: str, name: str, block: int) -> None:
        """Acknowledge one delivery."""

    def start_ack(self, idem: str, name: str, block: int) -> AckInFlight:
        """Send the acknowledgement of one delivery now and return without waiting for it.

        The client keeps the next deliveries flowing while acknowledgements are on the wire
        (still one request per delivery). This default runs :meth:`ack` as a task; a transport
        whose requests start synchronously returns a lighter object.
        """
        return asyncio.ensure_future(self.ack(idem, name, block))

    @abc.abstractmethod
    async def defer(self, idem: str, name: str, delay_ms: int, reason: str) -> int:
        """Redeliver later; returns the planned delivery time (ms since the epoch, 0 unknown)."""

    @abc.abstractmethod
    async def discard(self, idem: str, name: str, reason: str) -> None:
        """Drop a delivery for good."""

    @abc.abstractmethod
    async def replay(self, idem: str, name: str) -> RawMessage:
        """Fetch a stored message again (payload still encrypted)."""

    @abc.abstractmethod
    async def pause(self, name: str, reason: str) -> None:
        """Hold the deliveries of ``name``."""

    @abc.abstractmethod
    async def resume(self, name: str) -> None:
        """Continue the deliveries of ``name``."""
