"""The socket paho reads and writes, backed by an asyncio connection on the running loop.

paho-mqtt frames MQTT in Python but wants a socket to do it over. With :class:`SocketBridge`
asyncio owns the real connection (TCP, and TLS through :mod:`asyncio`'s non-blocking
handshake) and paho gets this object instead: ``recv`` hands out bytes asyncio already
received (paho reads a packet as 1 + 1 + n bytes, which on a real socket are three system
calls), and ``send`` collects what paho writes until :meth:`SocketBridge.flush`, so that the packets
of one turn of the loop (a fleet's requests and acknowledgements) leave in one ``write``.
Nothing here blocks and nothing needs a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["SocketBridge"]


class SocketBridge(asyncio.Protocol):
    """An :class:`asyncio.Protocol` on one side, the part of a socket paho uses on the other.

    ``on_data(bridge)`` is called whenever bytes arrived or the connection ended, so that paho
    reads them (``loop_read``); :attr:`closed` completes when the connection is gone.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, on_data: Callable[[SocketBridge], None]
    ) -> None:
        self._loop = loop
        self._on_data = on_data
        self._transport: asyncio.Transport | None = None
        self._inbox = b""
        self._position = 0
        self._eof = False
        self._outbox: list[bytes | bytearray] = []
        #: done once the connection is closed (by either side)
        self.closed: asyncio.Future[None] = loop.create_future()

    # -- asyncio's side -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """asyncio: the connection is open."""
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        """asyncio: bytes arrived; paho reads them at once."""
        if self._position >= len(self._inbox):
            self._inbox = data
        else:
            self._inbox = self._inbox[self._position :] + data
        self._position = 0
        self._on_data(self)

    def eof_received(self) -> bool | None:
        """asyncio: the broker closed its side."""
        self._eof = True
        self._on_data(self)
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        """asyncio: the connection is gone."""
        self._eof = True
        self._transport = None
        self._outbox.clear()
        if not self.closed.done():
            self.closed.set_result(None)
        self._on_data(self)

    # -- paho's side --------------------------------------------------------------------------

    @property
    def unread(self) -> int:
        """Bytes received that paho has not read yet."""
        return len(self._inbox) - self._position

    def recv(self, size: int) -> bytes:
        """Up to ``size`` received bytes.

        ``b""`` once the connection ended, :class:`BlockingIOError` while nothing arrived
        (what a non-blocking socket does).
        """
        position = self._position
        chunk = self._inbox[position : position + size]
        if not chunk:
            if self._eof:
                return b""
            raise BlockingIOError
        self._position = position + len(chunk)
        return chunk

    def send(self, data: bytes | bytearray) -> int:
        """Take ``data`` whole; it is written by the next :meth:`flush`."""
        if self._transport is None or self._transport.is_closing():
            raise ConnectionResetError("the connection to the MQTT broker is closed")
        self._outbox.append(data)
        return len(data)

    def flush(self) -> None:
        """Write what paho sent since the last flush, in one go."""
        outbox = self._outbox
        if not outbox:
            return
        data = outbox[0] if len(outbox) == 1 else b"".join(outbox)
        outbox.clear()
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    def setblocking(self, _flag: bool) -> None:
        """Paho makes its socket non-blocking; this one never blocks."""

    def close(self) -> None:
        """Write what is pending, then close the connection (paho calls this)."""
        self.flush()
        self._eof = True
        transport = self._transport
        if transport is not None:
            transport.close()

    def abort(self) -> None:
        """Drop the connection at once, without writing what is pending."""
        self._outbox.clear()
        transport = self._transport
        if transport is not None:
            transport.abort()
