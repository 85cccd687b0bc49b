"""MQTT transport: requests go to ``SUB/<serial>``, answers come back on ``PUB/<serial>``.

paho-mqtt frames MQTT, and the asyncio loop that called :meth:`MqttTransport.connect` drives
it: the connection (TCP, TLS with a non-blocking handshake) is an asyncio connection that paho
reads and writes through a :class:`~power_sdk.transport.bridge.SocketBridge`, keep-alive and
reconnecting are tasks on the same loop. No network thread: an answer is delivered where it is
read, and the requests and acknowledgements of one turn of the loop leave in one write. The
transport moves bytes only: it neither frames nor parses Modbus.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import secrets
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from power_sdk.errors import (
    BrokerUnavailableError,
    ConfigError,
    ConnectionLostError,
    RequestTimeoutError,
    TlsError,
)
from power_sdk.transport.bridge import SocketBridge
from power_sdk.transport.broker import BrokerAddress, parse_broker, parse_broker_url
from power_sdk.transport.deadlines import Deadlines
from power_sdk.transport.tls import TlsFiles, client_context

__all__ = ["MQTTConfig", "MQTTTransport", "MqttTransport", "parse_broker_url"]

logger = logging.getLogger(__name__)

#: the longest time between keep-alive checks (paho sends PINGREQ when the connection was
#: idle for ``keepalive`` seconds; brokers drop a client silent for 1.5 times that)
TICK = 1.0
#: reconnect delays after a dropped connection: doubling from the first to the last
RECONNECT_MIN, RECONNECT_MAX = 1.0, 8.0


def _any(_payload: bytes) -> bool:
    return True


def _failure(exc: BaseException) -> str:
    """Why opening a connection failed, in words (never the certificate or a password)."""
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return "no answer"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS handshake failed: {exc.reason or exc}"
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"the connection failed: broker unreachable or not listening ({detail})"


def _speaks_over(client: mqtt.Client, bridge: SocketBridge) -> bool:
    """Whether ``bridge`` is (still) the connection ``client`` uses."""
    current: object = client.socket()
    return current is bridge


class _BridgedClient(mqtt.Client):
    """paho's client, speaking over the :class:`SocketBridge` the transport opened for it."""

    bridge: SocketBridge | None = None

    def _create_socket_connection(self) -> Any:
        # paho's hook for opening its socket, called by reconnect(): the connection is open
        # already (opened on the event loop, never blocking it)
        bridge, self.bridge = self.bridge, None
        if bridge is None:
            raise ConnectionRefusedError("no connection was opened for this client")
        return bridge


@attrs.frozen
class MQTTConfig:
    """Connection settings in the published package's form: ``MQTTTransport(MQTTConfig(...))``.

    ``pfx_cert`` is the PKCS#12 bundle itself (bytes) or a path to it; ``cert_password``
    opens it. As in the seed, TLS with a client certificate is required unless
    ``allow_insecure`` is true (plain MQTT, for local brokers and tests). ``device_sn`` is
    the serial a client uses when it is given this transport without one. (The runtime's
    YAML does not require TLS: there a plain broker needs no ``allow_insecure``.)
    """

    broker: str = "localhost"
    port: int = 1883
    device_sn: str = ""
    pfx_cert: bytes | str | os.PathLike[str] | None = attrs.field(default=None, repr=False)
    cert_password: str | None = attrs.field(default=None, repr=False)
    keepalive: int = 60
    allow_insecure: bool = False


class MqttTransport:
    """One broker connection shared by any number of devices.

    ``broker`` is a host name (with ``port``) or an ``mqtt://`` / ``mqtts://`` URL, or a
    whole :class:`MQTTConfig`. ``pfx``/``pfx_password`` give the TLS client certificate
    (PKCS#12, a path or the bytes); a certificate, an ``mqtts://`` URL or ``tls=True`` make
    the connection TLS. The certificate is decoded and loaded on a worker thread, never on
    the event loop. The connection lives on the event loop that called :meth:`connect`.
    """

    def __init__(
        self,
        broker: str | MQTTConfig,
        *,
        port: int | None = None,
        tls: bool | None = None,
        pfx: str | os.PathLike[str] | bytes | None = None,
        pfx_password: str | None = None,
        ca_file: str | None = None,
        tls_insecure: bool = False,
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 30,
        connect_timeout: float = 10.0,
        client_id: str | None = None,
    ) -> None:
        #: the serial an :class:`MQTTConfig` named (clients use it when given none)
        self.device_sn: str | None = None
        if isinstance(broker, MQTTConfig):
            config = broker
            if config.pfx_cert is None and not config.allow_insecure:
                raise ConfigError(
                    "MQTTConfig has no pfx_cert: give the device certificate and its "
                    "cert_password, or allow_insecure=True for a plain (non-TLS) broker"
                )
            if config.pfx_cert is not None and config.cert_password is None:
                raise ConfigError("MQTTConfig has a pfx_cert but no cert_password")
            self.device_sn = config.device_sn or None
            broker, port, pfx = config.broker, config.port, config.pfx_cert
            pfx_password, keepalive = config.cert_password, config.keepalive
        if tls is False and pfx is not None:
            raise ConfigError("a client certificate needs TLS, but tls is false")
        address: BrokerAddress = parse_broker(broker, port=port, tls=tls)
        self.host, self.port = address.host, address.port
        self._tls = address.tls or pfx is not None
        self.broker = attrs.evolve(address, tls=self._tls).url
        self._pfx = pfx
        self._pfx_password = pfx_password
        self._ca_file = ca_file
        self._tls_insecure = tls_insecure
        self._username, self._password = username, password
        self._keepalive = keepalive
        self.connect_timeout = connect_timeout
        self._client_id = client_id or f"power-sdk-{secrets.token_hex(4)}"
        self._client: _BridgedClient | None = None
        self._context: ssl.SSLContext | None = None
        self._bridge: SocketBridge | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._tls_files: TlsFiles | None = None
        #: where the last PKCS#12 parts were written (already deleted again), for audits
        self.tls_directory: Path | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = False
        self._closing = False
        self._refused: str | None = None
        self._has_connected = False
        self._serials: set[str] = set()
        self._sub_ready: dict[str, asyncio.Event] = {}
        self._sub_mids: dict[int, str] = {}
        #: the request waiting for each serial: its future, its answer test, its ticket
        self._pending: dict[str, tuple[asyncio.Future[bytes], Callable[[bytes], bool], int]] = {}
        self._tickets = 0
        self._deadlines = Deadlines(self._expired)
        #: serials with a request in flight, each with the requests queued behind it
        self._busy: dict[str, collections.deque[asyncio.Future[None]]] = {}
        self._topics: dict[str, str] = {}
        self._starting = asyncio.Lock()
        self.stale_dropped = 0

    @property
    def tls(self) -> bool:
        """Whether the connection is TLS."""
        return self._tls

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up right now."""
        return self._connected

    # -- lifecycle ----------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect (or wait for the automatic reconnect); raise when the broker is away.

        A first connection that fails (refused, unreachable, no answer in ``connect_timeout``)
        raises at once and leaves nothing running; the next call starts afresh.
        """
        fresh = self._client is None
        loop = asyncio.get_running_loop()
        async with self._starting:  # devices sharing the transport connect at the same time
            if self._client is None:
                self._loop = loop
                self._refused = None
                self._has_connected = False
                self._closing = False
                # Off the event loop: the certificate files are written, loaded into an SSL
                # context and deleted again.
                self._client = await asyncio.to_thread(self._start_client)
                self._supervisor = loop.create_task(
                    self._keep_connected(self._client), name=f"mqtt-{self.host}:{self.port}"
                )
        deadline = loop.time() + self.connect_timeout
        while not self._connected:
            if self._refused is None and loop.time() < deadline:
                await asyncio.sleep(0.02)
                continue
            reason = self._refused or "no answer"
            if fresh or self._refused:
                await self.close()
            raise BrokerUnavailableError(
                f"cannot connect to the MQTT broker {self.host}:{self.port} ({reason}); "
                "check the broker address, network and credentials"
            )

    def _start_client(self) -> _BridgedClient:
        """Build paho's client and the TLS context (blocking: a worker thread's job)."""
        self._context = self._tls_context() if self._tls else None
        client = _BridgedClient(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            clean_session=True,
            protocol=mqtt.MQTTv311,
        )
        # One request in flight per device, and a connection carries many devices: paho's
        # default window of 20 unacknowledged QoS 1 publishes would queue a fleet's requests.
        client.max_inflight_messages_set(0)  # no limit
        if self._username is not None:
            client.username_pw_set(self._username, self._password)
        # connect_async only records where to connect; the connection itself is opened on
        # the loop by _keep_connected
        client.connect_async(self.host, self.port, keepalive=self._keepalive)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_socket_register_write = self._want_write
        return client

    def _tls_context(self) -> ssl.SSLContext:
        files = None
        if self._pfx is not None:
            files = self._tls_files = TlsFiles.from_pkcs12(self._pfx, self._pfx_password)
            self.tls_directory = files.directory
        try:
            # the context loads certificate and key right away, so the files are deleted as
            # soon as it returns: they live on disk for milliseconds
            return client_context(
                ca_file=self._ca_file,
                certfile=files.certfile if files else None,
                keyfile=files.keyfile if files else None,
                check_hostname=not self._tls_insecure,
            )
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise TlsError(
                f"cannot set up TLS for {self.host}:{self.port}: {reason} (CA file: "
                f"{self._ca_file or 'system default'}); check the CA file and the certificate"
            ) from exc
        finally:
            self._cleanup_tls()

    async def _keep_connected(self, client: _BridgedClient) -> None:
        """Open the connection, serve it, and reopen it whenever it drops, until closed.

        A first connection that cannot be made ends this task with :attr:`_refused` set (the
        waiting :meth:`connect` raises); after a drop it retries with a growing delay.
        """
        delay = RECONNECT_MIN
        try:
            while True:
                try:
                    bridge = await self._open(client)
                except (OSError, ValueError, asyncio.TimeoutError) as exc:  # 3.10: not builtin
                    if not self._has_connected:
                        self._refused = _failure(exc)
                        return
                    logger.debug("reconnecting to %s:%s failed: %s", self.host, self.port, exc)
                else:
                    if await self._serve(client, bridge):
                        delay = RECONNECT_MIN  # it was up: the next drop starts over
                    if not self._has_connected:
                        self._refused = self._refused or "the broker closed the connection"
                        return
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)
        finally:
            current = self._bridge
            if current is not None and not self._closing:  # the loop itself is shutting down
                current.abort()

    async def _open(self, client: _BridgedClient) -> SocketBridge:
        """Open the TCP (and TLS) connection and send CONNECT over it."""
        loop = asyncio.get_running_loop()
        bridge = SocketBridge(loop, self._readable)
        await asyncio.wait_for(
            loop.create_connection(
                lambda: bridge,
                self.host,
                self.port,
                ssl=self._context,
                server_hostname=self.host if self._context is not None else None,
            ),
            self.connect_timeout,
        )
        self._bridge = client.bridge = bridge
        client.reconnect()  # paho takes the bridge as its socket and queues CONNECT
        return bridge

    async def _serve(self, client: _BridgedClient, bridge: SocketBridge) -> bool:
        """Keep the connection alive until it closes; whether the broker accepted it."""
        loop = asyncio.get_running_loop()
        opened = loop.time()
        accepted = False
        tick = min(TICK, self._keepalive / 4) if self._keepalive > 0 else TICK
        while not bridge.closed.done():
            await asyncio.wait((bridge.closed,), timeout=tick)
            accepted = accepted or self._connected
            if bridge.closed.done() or not _speaks_over(client, bridge):
                break
            if not accepted and loop.time() - opened > self.connect_timeout:
                if not self._has_connected:
                    self._refused = self._refused or "no answer to CONNECT"
                bridge.abort()  # no CONNACK: paho learns of the end through the bridge
                continue
            client.loop_misc()  # keep-alive: PINGREQ when idle, give up without PINGRESP
        return accepted or self._connected

    async def close(self) -> None:
        """Disconnect, fail waiting requests, and delete TLS temp files."""
        client, self._client = self._client, None
        supervisor, self._supervisor = self._supervisor, None
        bridge, self._bridge = self._bridge, None
        self._connected = False  # a disconnect we asked for is not "lost"
        self._closing = True
        try:
            if supervisor is not None and not supervisor.done():
                supervisor.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await supervisor
            if client is not None and client.socket() is not None:
                client.disconnect()
                client.loop_write()  # DISCONNECT out; paho then closes the bridge
            if bridge is not None:
                bridge.close()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(bridge.closed), 2.0)
        finally:
            self._deadlines.clear()
            self._fail_pending(ConnectionLostError("the transport was closed"))
            self._sub_ready.clear()
            self._cleanup_tls()

    def _cleanup_tls(self) -> None:
        files, self._tls_files = self._tls_files, None
        if files is not None:
            files.cleanup()

    # -- the connection (all on the event loop) -----------------------------------------------

    def _readable(self, bridge: SocketBridge) -> None:
        """Bytes arrived (or the connection ended): let paho read every packet they hold."""
        client = self._client
        if client is None:
            return
        while _speaks_over(client, bridge):
            before = bridge.unread
            client.loop_read()  # reads as many packets as messages are in flight
            if bridge.unread == 0 or bridge.unread == before:
                break

    def _want_write(self, client: mqtt.Client, _userdata: Any, _sock: Any) -> None:
        # paho queued a packet: write at the end of this turn of the loop, so that everything
        # queued meanwhile (other devices' requests, acknowledgements) leaves in one write
        loop = self._loop
        if loop is not None:
            loop.call_soon(self._write, client)

    def _write(self, client: mqtt.Client) -> None:
        bridge = self._bridge
        if client.socket() is None or bridge is None:
            return
        client.loop_write()
        bridge.flush()

    # -- paho callbacks (called by loop_read / loop_write, on the event loop) -----------------

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self._refused = str(reason)
            logger.warning(
                "MQTT broker %s:%s refused the connection: %s", self.host, self.port, reason
            )
            return
        self._refused = None
        self._has_connected = True
        logger.info("connected to MQTT broker %s:%s", self.host, self.port)
        self._connected = True
        self._resubscribe()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        was_connected = self._connected
        self._connected = False
        if was_connected:
            logger.warning("lost the MQTT broker %s:%s (%s)", self.host, self.port, reason)
        if not self._closing:
            self._connection_lost()

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, _codes: Any, _p: Any) -> None:
        serial = self._sub_mids.pop(mid, None)
        if serial is not None:
            self._sub_ready.setdefault(serial, asyncio.Event()).set()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        if topic.startswith("PUB/"):
            self._deliver(topic[4:], bytes(message.payload))

    # -- loop side ----------------------------------------------------------------------------

    def _resubscribe(self) -> None:
        for serial in self._serials:
            self._sub_ready.setdefault(serial, asyncio.Event()).clear()
            self._send_subscribe(serial)

    def _send_subscribe(self, serial: str) -> None:
        client = self._client
        if client is None:
            return
        result, mid = client.subscribe(f"PUB/{serial}", qos=1)
        if result == mqtt.MQTT_ERR_SUCCESS and mid is not None:
            self._sub_mids[mid] = serial

    def _connection_lost(self) -> None:
        for event in self._sub_ready.values():
            event.clear()
        self._fail_pending(
            ConnectionLostError(
                f"the connection to the MQTT broker {self.host}:{self.port} dropped while "
                "waiting for an answer; the request may be retried once it is back"
            )
        )

    def _fail_pending(self, error: Exception) -> None:
        for future, _, _ in self._pending.values():
            if not future.done():
                future.set_exception(error)

    def _deliver(self, serial: str, payload: bytes) -> None:
        pending = self._pending.get(serial)
        if pending is None or pending[0].done() or not pending[1](payload):
            self.stale_dropped += 1
            logger.debug("dropped a stale answer from %s (not the one awaited)", serial)
            return
        pending[0].set_result(payload)

    # -- requests -----------------------------------------------------------------------------

    def _unavailable(self) -> BrokerUnavailableError:
        return BrokerUnavailableError(
            f"not connected to the MQTT broker {self.host}:{self.port}; "
            "it will be retried automatically, try again later"
        )

    async def request(
        self,
        serial: str,
        payload: bytes,
        *,
        timeout: float,
        accept: Callable[[bytes], bool] | None = None,
    ) -> bytes:
        """Publish ``payload`` to ``SUB/<serial>`` and wait for the answer on ``PUB/<serial>``.

        One request per device is in flight at a time; others queue behind it. ``accept``
        tells the awaited answer from a late one to an earlier request (which is dropped).
        """
        queue = self._busy.get(serial)
        if queue is None:
            self._busy[serial] = collections.deque()
        else:
            await self._wait_turn(serial, queue)
        try:
            client = self._client
            if client is None or not self._connected:
                raise self._unavailable()
            loop = asyncio.get_running_loop()
            ready = self._sub_ready.get(serial)
            if ready is None:
                ready = self._sub_ready[serial] = asyncio.Event()
                self._serials.add(serial)
                self._send_subscribe(serial)
            try:
                if not ready.is_set():  # the hot path skips the timer entirely
                    await asyncio.wait_for(ready.wait(), timeout)
            except asyncio.TimeoutError:  # not the builtin TimeoutError before 3.11
                if not self._connected:
                    raise self._unavailable() from None
                raise RequestTimeoutError(
                    f"the broker did not confirm the subscription to PUB/{serial} "
                    f"within {timeout:g} s"
                ) from None
            future: asyncio.Future[bytes] = loop.create_future()
            ticket = self._tickets = self._tickets + 1
            self._pending[serial] = (future, accept or _any, ticket)
            try:
                topic = self._topics.get(serial)
                if topic is None:
                    topic = self._topics[serial] = f"SUB/{serial}"
                info = client.publish(topic, payload, qos=1)
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    raise self._unavailable()
                self._deadlines.watch(loop, timeout, serial, ticket)
                return await future
            finally:
                if self._pending.get(serial, (None,))[0] is future:
                    del self._pending[serial]
        finally:
            self._next_turn(serial)

    # One request in flight per device: a dict entry marks a serial busy, and the requests
    # queued behind it wait on futures in order (an asyncio.Lock per serial costs several
    # times as much on the path every request takes).

    async def _wait_turn(self, serial: str, queue: collections.deque[asyncio.Future[None]]) -> None:
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._next_turn(serial)  # handed the turn, but cancelled: pass it on
            raise

    def _next_turn(self, serial: str) -> None:
        queue = self._busy.get(serial)
        while queue:
            turn = queue.popleft()
            if not turn.done():
                turn.set_result(None)  # the serial stays busy: it is that request's turn
                return
        self._busy.pop(serial, None)

    def _expired(self, serial: str, ticket: int, timeout: float) -> None:
        pending = self._pending.get(serial)
        if pending is None or pending[2] != ticket or pending[0].done():
            return  # answered (or failed) in time
        pending[0].set_exception(
            RequestTimeoutError(
                f"device {serial} did not answer within {timeout:g} s; check that it is "
                "online and connected to the same broker"
            )
        )


#: the published package's name of :class:`MqttTransport`
MQTTTransport = MqttTransport
