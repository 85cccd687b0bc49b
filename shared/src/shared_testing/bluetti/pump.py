"""Many paho MQTT clients driven by one asyncio loop: one socket each, no thread each.

``loop_start()`` gives every paho client a network thread of its own. A fleet of hundreds of
simulated devices would then be hundreds of threads fighting over the GIL, and every answer
would cross threads twice. The :class:`SocketPump` instead registers each client's socket with
the event loop (paho's external-loop callbacks), so reading, writing, keep-alive and
reconnecting all happen on the simulator's loop. Each device still has its own connection
and client id, as a real device does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

import paho.mqtt.client as mqtt

__all__ = ["PumpedClient", "SocketPump"]

logger = logging.getLogger(__name__)

#: how often keep-alive is checked and lost connections are retried
TICK = 0.2
RETRY_MIN, RETRY_MAX = 0.2, 1.0
CONNECT_TIMEOUT = 5.0


class PumpedClient(mqtt.Client):
    """A paho client that takes a TCP connection the pump opened without blocking.

    paho opens its socket with a blocking ``socket.create_connection``. On the loop that also
    runs an embedded broker this deadlocks a fleet: once the broker's accept backlog is full,
    each connect blocks on SYN retransmits while the broker cannot accept. The pump connects
    with ``loop.sock_connect`` instead and hands the socket over here.
    """

    ready_socket: socket.socket | None = None

    def _create_socket_connection(self) -> socket.socket:
        sock, self.ready_socket = self.ready_socket, None
        if sock is None:
            raise OSError("the socket pump has not opened a connection for this client")
        return sock


class _Link:
    """What the pump knows about one client."""

    __slots__ = ("client", "connecting", "delay", "host", "port", "retry_at", "wanted")

    def __init__(self, client: PumpedClient, host: str, port: int) -> None:
        self.client = client
        self.host, self.port = host, port
        self.wanted = True
        self.connecting = False
        self.retry_at = 0.0
        self.delay = RETRY_MIN


class SocketPump:
    """Runs the network I/O of any number of paho clients on the running event loop.

    :meth:`attach` connects a client (and keeps reconnecting it while the broker is away);
    :meth:`detach` disconnects it cleanly. Every paho callback then runs on the loop.
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._links: dict[mqtt.Client, _Link] = {}
        self._connects: set[asyncio.Task[None]] = set()
        self._ticker = self._loop.create_task(self._tick(), name="bluetti-socket-pump")

    def attach(self, client: PumpedClient, host: str, port: int, *, keepalive: int = 30) -> None:
        """Take over ``client``'s network I/O and start connecting it to ``host:port``."""
        client.on_socket_open = self._opened
        client.on_socket_close = self._closed
        client.on_socket_register_write = self._want_write
        client.on_socket_unregister_write = self._done_writing
        link = self._links[client] = _Link(client, host, port)
        client.connect_async(host, port, keepalive=keepalive)
        self._start_connect(link)

    def detach(self, client: mqtt.Client) -> None:
        """Send DISCONNECT, close the socket and forget the client."""
        link = self._links.pop(client, None)
        if link is None:
            return
        link.wanted = False
        sock = client.socket()
        if sock is None:
            return
        client.disconnect()
        client.loop_write()  # DISCONNECT is two bytes: paho closes the socket once it is out
        leftover = client.socket()
        if leftover is not None:  # the send buffer was full: close it ourselves
            self._forget(leftover)
            with contextlib.suppress(OSError):
                leftover.close()

    async def close(self) -> None:
        """Detach every client and stop the keep-alive task."""
        for client in list(self._links):
            self.detach(client)
        tasks = [self._ticker, *self._connects]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- connecting ---------------------------------------------------------------------------

    def _start_connect(self, link: _Link) -> None:
        link.connecting = True
        task = self._loop.create_task(self._connect(link))
        self._connects.add(task)
        task.add_done_callback(self._connects.discard)

    async def _connect(self, link: _Link) -> None:
        sock: socket.socket | None = None
        try:
            infos = await self._loop.getaddrinfo(link.host, link.port, type=socket.SOCK_STREAM)
            family, kind, proto, _, address = infos[0]
            sock = socket.socket(family, kind, proto)
            sock.setblocking(False)
            await asyncio.wait_for(self._loop.sock_connect(sock, address), CONNECT_TIMEOUT)
            if link.wanted:
                link.client.ready_socket, sock = sock, None
                link.client.reconnect()  # paho takes the socket and sends CONNECT
                link.delay = RETRY_MIN
        except (OSError, asyncio.TimeoutError) as exc:  # 3.10: not the built-in TimeoutError
            link.retry_at = self._loop.time() + link.delay
            link.delay = min(link.delay * 2, RETRY_MAX)
            logger.debug("simulated device cannot reach %s:%s: %s", link.host, link.port, exc)
        finally:
            link.connecting = False
            if sock is not None:
                sock.close()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            now = self._loop.time()
            for link in list(self._links.values()):
                if not link.wanted:
                    continue
                if link.connecting:
                    continue
                if link.client.socket() is None:
                    if now >= link.retry_at:
                        self._start_connect(link)
                else:
                    link.client.loop_misc()

    # -- paho's external-loop callbacks (all on the loop) -------------------------------------

    def _opened(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._loop.add_reader(sock, client.loop_read)

    def _closed(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._forget(sock)

    def _forget(self, sock: Any) -> None:
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(sock)
            self._loop.remove_writer(sock)

    def _want_write(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        # Writing at the end of this loop iteration batches the answers queued meanwhile, and
        # skips the add_writer/remove_writer round trip when the socket can take them at once.
        self._loop.call_soon(self._flush, client, sock)

    def _flush(self, client: mqtt.Client, sock: Any) -> None:
        current = client.socket()
        if current is None or current is not sock:
            return  # closed or reconnected meanwhile
        client.loop_write()
        if client.want_write() and client.socket() is current:
            self._loop.add_writer(current, self._writable, client, current)

    def _writable(self, client: mqtt.Client, sock: Any) -> None:
        client.loop_write()
        if not client.want_write():
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_writer(sock)

    def _done_writing(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_writer(sock)
