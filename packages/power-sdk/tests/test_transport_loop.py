"""The MQTT transport driven from the event loop: the socket bridge, and the connection's life."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from power_sdk import (
    AsyncClient,
    BrokerUnavailableError,
    ConnectionLostError,
    RequestTimeoutError,
)
from power_sdk.transport import MqttTransport
from power_sdk.transport.bridge import SocketBridge
from shared_testing import RunningSimulator
from shared_testing.bluetti.broker import ThreadedBroker

Factory = Callable[..., RunningSimulator]


class FakeTransport(asyncio.Transport):
    """Records what is written; closing it ends the connection as asyncio would."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        super().__init__()
        self.protocol = protocol
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True
        asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()


async def _bridge() -> tuple[SocketBridge, FakeTransport, list[int]]:
    calls: list[int] = []
    bridge = SocketBridge(asyncio.get_running_loop(), lambda b: calls.append(b.unread))
    transport = FakeTransport(bridge)
    bridge.connection_made(transport)
    return bridge, transport, calls


async def test_bridge_hands_out_received_bytes_as_a_non_blocking_socket_does() -> None:
    bridge, _, calls = await _bridge()
    with pytest.raises(BlockingIOError):
        bridge.recv(1)
    bridge.data_received(b"\x30\x05hello")
    assert calls == [7]  # paho is told at once, with everything unread
    assert bridge.recv(1) == b"\x30"
    assert bridge.recv(1) == b"\x05"
    bridge.data_received(b" world")  # arrives while part of the first chunk is unread
    assert bridge.recv(100) == b"hello world"
    with pytest.raises(BlockingIOError):
        bridge.recv(1)
    bridge.eof_received()
    assert bridge.recv(1) == b""  # the end of the connection, as recv() reports it


async def test_bridge_writes_everything_sent_since_the_last_flush_at_once() -> None:
    bridge, transport, _ = await _bridge()
    assert bridge.send(b"one") == 3
    assert bridge.send(bytearray(b"two")) == 3
    assert transport.writes == []
    bridge.flush()
    bridge.flush()  # nothing new: nothing written
    assert transport.writes == [b"onetwo"]
    bridge.send(b"bye")
    bridge.close()  # what is pending still goes out
    assert transport.writes == [b"onetwo", b"bye"]
    await asyncio.wait_for(bridge.closed, 1)
    with pytest.raises(ConnectionResetError):  # an OSError: paho takes it as a lost connection
        bridge.send(b"late")


async def test_bridge_abort_drops_what_is_pending() -> None:
    bridge, transport, calls = await _bridge()
    bridge.send(b"never")
    bridge.abort()
    await asyncio.wait_for(bridge.closed, 1)
    assert transport.writes == []
    assert calls  # paho is told the connection ended
    assert bridge.recv(1) == b""


@pytest.fixture
def devices(mqtt_broker: ThreadedBroker, simulator: Factory) -> RunningSimulator:
    return simulator(
        "bluetti",
        broker=mqtt_broker.url,
        devices=[{"serial": f"LOOP-{n}", "profile": "EL100V2"} for n in range(3)],
    )


@contextlib.asynccontextmanager
async def connected(url: str, **options: Any) -> AsyncIterator[MqttTransport]:
    transport = MqttTransport(url, **options)
    await transport.connect()
    try:
        yield transport
    finally:
        await transport.close()


async def test_no_network_thread(devices: RunningSimulator) -> None:
    before = set(threading.enumerate())
    async with connected(devices.info()["broker"]) as transport:
        client = AsyncClient("LOOP-0", profile="EL100V2", transport=transport)
        assert (await client.read_block(100)).block_id == 100
        new = [t.name for t in set(threading.enumerate()) - before]
    # only the loop's default executor, which built the client and its TLS context
    assert all(name.startswith("asyncio_") for name in new), new


async def test_requests_of_one_turn_leave_in_one_write(devices: RunningSimulator) -> None:
    async with connected(devices.info()["broker"]) as transport:
        clients = [
            AsyncClient(f"LOOP-{n}", profile="EL100V2", transport=transport) for n in range(3)
        ]
        await asyncio.gather(*(c.read_block(1300) for c in clients))  # subscribed
        bridge = transport._bridge
        assert bridge is not None
        writes: list[bytes] = []
        real_flush = bridge.flush

        def flush() -> None:
            writes.extend(bytes(p) for p in bridge._outbox)
            if bridge._outbox:
                writes.append(b"|")
            real_flush()

        bridge.flush = flush  # type: ignore[method-assign]
        await asyncio.gather(*(c.read_block(1300) for c in clients))
    first = b"".join(writes).split(b"|")[0]
    # the three requests (PUBLISH to SUB/LOOP-n) went out together, in the first write
    assert all(f"SUB/LOOP-{n}".encode() in first for n in range(3))


async def test_keepalive_keeps_an_idle_connection(
    devices: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # a broker drops a client silent for 1.5 keep-alive periods: PINGREQ must go out
    async with connected(devices.info()["broker"], keepalive=1) as transport:
        client = AsyncClient("LOOP-1", profile="EL100V2", transport=transport)
        await client.read_block(100)
        await asyncio.sleep(3.5)
        assert transport.connected
        assert (await client.read_block(100)).block_id == 100
    assert "lost the MQTT broker" not in caplog.text


async def _server(handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]) -> Any:
    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_a_broker_that_never_answers_connect_fails_within_the_timeout() -> None:
    held: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepts TCP, never sends CONNACK

    server = await _server(silent)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        transport = MqttTransport(f"mqtt://127.0.0.1:{port}", connect_timeout=0.5)
        with pytest.raises(BrokerUnavailableError, match="no answer"):
            await transport.connect()
        assert loop.time() - started < 3
        assert not transport.connected
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_broker_that_hangs_up_at_once_is_unavailable() -> None:
    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await _server(hang_up)
    port = server.sockets[0].getsockname()[1]
    try:
        transport = MqttTransport(f"mqtt://127.0.0.1:{port}", connect_timeout=5)
        with pytest.raises(BrokerUnavailableError, match="closed the connection"):
            await transport.connect()
    finally:
        server.close()
        await server.wait_closed()


async def test_tls_to_a_plain_broker_is_unavailable_not_hanging(
    mqtt_broker: ThreadedBroker,
) -> None:
    # the handshake runs on the loop; a listener that does not speak TLS ends it quickly
    port = int(mqtt_broker.url.rsplit(":", 1)[1])
    transport = MqttTransport(f"mqtts://127.0.0.1:{port}", tls_insecure=True, connect_timeout=3)
    with pytest.raises(BrokerUnavailableError):
        await transport.connect()
    assert not transport.connected


async def test_deadlines_fire_in_order_never_early_and_only_once() -> None:
    from power_sdk.transport.deadlines import Deadlines

    loop = asyncio.get_running_loop()
    fired: list[tuple[str, int, float, float]] = []
    deadlines = Deadlines(
        lambda serial, ticket, timeout: fired.append((serial, ticket, timeout, loop.time()))
    )
    watched = {}
    for ticket, (serial, timeout) in enumerate([("a", 0.2), ("b", 0.1), ("c", 0.2), ("d", 0.3)]):
        watched[ticket] = loop.time() + timeout
        deadlines.watch(loop, timeout, serial, ticket)
    await asyncio.sleep(0.6)
    assert sorted(f[1] for f in fired) == [0, 1, 2, 3]  # each once
    for _serial, ticket, _timeout, when in fired:
        assert when >= watched[ticket]  # never early
    assert [f[0] for f in fired if f[2] == 0.2] == ["a", "c"]  # in the order they were made
    deadlines.watch(loop, 0.05, "e", 9)
    deadlines.clear()
    await asyncio.sleep(0.15)
    assert all(f[0] != "e" for f in fired)  # cleared: never fires


async def test_a_shorter_timeout_watched_after_a_longer_one_fires_on_time() -> None:
    # devices sharing a transport may have different timeouts: the timer armed for the slow
    # device's deadline must not hold back the fast device's earlier one
    from power_sdk.transport.deadlines import RESOLUTION, Deadlines

    loop = asyncio.get_running_loop()
    fired: dict[str, float] = {}
    deadlines = Deadlines(lambda serial, _ticket, _timeout: fired.setdefault(serial, loop.time()))
    start = loop.time()
    deadlines.watch(loop, 2.0, "slow", 1)
    deadlines.watch(loop, 0.1, "fast", 2)
    await asyncio.sleep(0.1 + 4 * RESOLUTION)
    assert "fast" in fired
    assert 0.1 <= fired["fast"] - start <= 0.1 + 4 * RESOLUTION
    assert "slow" not in fired
    deadlines.clear()


async def test_a_shared_transport_times_out_each_device_after_its_own_timeout(
    devices: RunningSimulator,
) -> None:
    serials = [d["serial"] for d in devices.info()["devices"]][:2]
    devices.faults.drop_next(2)  # neither device answers its next request
    transport = MqttTransport(devices.info()["broker"])
    await transport.connect()
    try:
        slow = AsyncClient(serials[0], transport=transport, timeout=5.0, retries=0)
        fast = AsyncClient(serials[1], transport=transport, timeout=0.2, retries=0)
        loop = asyncio.get_running_loop()
        slow_read = asyncio.ensure_future(slow.read_block(6000))
        await asyncio.sleep(0.05)  # the slow device's deadline is armed first
        started = loop.time()
        with pytest.raises(RequestTimeoutError):
            await fast.read_block(6000)
        assert loop.time() - started < 1.0
        slow_read.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow_read
    finally:
        await transport.close()


async def test_every_device_is_resubscribed_after_the_broker_restarts(
    devices: RunningSimulator, mqtt_broker: ThreadedBroker
) -> None:
    async with connected(devices.info()["broker"], connect_timeout=2) as transport:
        clients = [
            AsyncClient(f"LOOP-{n}", profile="EL100V2", transport=transport, timeout=1.0)
            for n in range(3)
        ]
        await asyncio.gather(*(c.read_block(100) for c in clients))
        await asyncio.to_thread(mqtt_broker.restart)
        for _ in range(100):  # reconnecting waits 1 s first; the simulator reconnects too
            try:
                blocks = await asyncio.gather(*(c.read_block(1300) for c in clients))
                break
            except (BrokerUnavailableError, RequestTimeoutError, ConnectionLostError):
                await asyncio.sleep(0.2)
        else:
            pytest.fail("the devices were not polled again after the broker restarted")
    assert [b.block_id for b in blocks] == [1300] * 3


async def test_close_while_reconnecting_stops_at_once(
    devices: RunningSimulator, mqtt_broker: ThreadedBroker
) -> None:
    transport = MqttTransport(devices.info()["broker"], connect_timeout=2)
    await transport.connect()
    supervisor = transport._supervisor
    assert supervisor is not None
    await asyncio.to_thread(mqtt_broker.stop)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while transport.connected:  # the drop is noticed
        assert loop.time() < deadline
        await asyncio.sleep(0.02)
    started = loop.time()
    await transport.close()  # in the middle of waiting to reconnect
    assert supervisor.done()
    assert loop.time() - started < 1.0
    assert not transport.connected


@pytest.mark.no_blocking
def test_a_loop_that_ends_without_close_drops_the_connection(devices: RunningSimulator) -> None:
    async def leave_open() -> MqttTransport:
        transport = MqttTransport(devices.info()["broker"])
        await transport.connect()
        return transport

    transport = asyncio.run(leave_open())  # cancels the connection's task on the way out
    bridge = transport._bridge
    assert bridge is not None
    assert bridge.closed.done()


async def test_a_cancelled_queued_request_does_not_break_the_queue(
    devices: RunningSimulator,
) -> None:
    device = devices.simulator.devices["LOOP-2"]  # type: ignore[attr-defined]
    devices.simulator.slow_next(1, seconds=0.4, serial="LOOP-2")  # type: ignore[attr-defined]
    async with connected(devices.info()["broker"]) as transport:
        client = AsyncClient("LOOP-2", profile="EL100V2", transport=transport, timeout=3.0)
        first = asyncio.create_task(client.read_block(100))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(client.read_block(1300))  # waits for its turn
        last = asyncio.create_task(client.read_block(6000))
        await asyncio.sleep(0.05)
        queued.cancel()
        blocks = await asyncio.gather(first, last)
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert (await client.read_block(1300)).block_id == 1300  # the serial is free again
        assert transport._busy == {}
    assert [b.block_id for b in blocks] == [100, 6000]
    assert device.max_outstanding == 1
