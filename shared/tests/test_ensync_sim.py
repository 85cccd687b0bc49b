"""The ensync simulator at protocol level: raw gRPC stubs and raw WebSocket frames."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import grpc
import grpc.aio
import pytest

from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc
from shared_testing import RunningSimulator
from shared_testing.standalone import serve

NAME = "sensor/reading"


@pytest.fixture
def node(simulator: Any) -> RunningSimulator:
    return simulator("ensync", ack_timeout=0.3, ping_interval=0.1)


@pytest.fixture
async def stub(node: RunningSimulator) -> AsyncIterator[pb_grpc.EnSyncServiceAsyncStub]:
    target = node.info()["grpc_url"].removeprefix("grpc://")
    async with grpc.aio.insecure_channel(target) as channel:
        yield pb_grpc.EnSyncServiceStub(channel)  # type: ignore[misc]


async def _connect(stub: Any, app: dict[str, str]) -> str:
    reply = await stub.Connect(pb.ConnectRequest(access_key=app["access_key"]))
    assert reply.success
    return str(reply.client_id)


def test_info_line(ensync_sim: RunningSimulator) -> None:
    info = ensync_sim.info()
    assert info["system"] == "ensync"
    assert info["grpc_url"].startswith("grpc://127.0.0.1:")
    assert info["ws_url"].startswith("ws://127.0.0.1:")
    assert len(info["apps"]) >= 3
    for app in info["apps"]:
        assert len(base64.b64decode(app["app_id"])) == 32
        secret = base64.b64decode(app["secret_key"])
        assert len(secret) == 64
        assert secret[32:] == base64.b64decode(app["app_id"])


async def test_connect_publish_subscribe_ack(node: RunningSimulator, stub: Any) -> None:
    alice, bob = node.info()["apps"][:2]
    a, b = await _connect(stub, alice), await _connect(stub, bob)
    bad = await stub.Connect(pb.ConnectRequest(access_key="nope"))
    assert not bad.success
    assert bad.error_message == "invalid access key"
    published = await stub.PublishMessage(
        pb.PublishMessageRequest(
            client_id=a, message_name=NAME, payload="cGF5bG9hZA==", delivery_to=bob["app_id"]
        )
    )
    assert published.success
    stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
    message = await stream.read()
    assert message.message_idem == published.message_idem
    assert message.sender == alice["app_id"]
    assert message.partition_block == 1
    wrong = await stub.AcknowledgeMessage(
        pb.AcknowledgeRequest(
            client_id=b, message_idem=message.message_idem, message_name=NAME, partition_block=9
        )
    )
    assert not wrong.success
    assert "block 1, not 9" in wrong.message
    ack = await stub.AcknowledgeMessage(
        pb.AcknowledgeRequest(
            client_id=b, message_idem=message.message_idem, message_name=NAME, partition_block=1
        )
    )
    assert ack.success
    replay = await stub.ReplayMessage(
        pb.ReplayRequest(client_id=b, message_idem=message.message_idem, message_name=NAME)
    )
    assert replay.message_data == "cGF5bG9hZA=="
    # Only the recipient may replay it.
    other = await stub.ReplayMessage(
        pb.ReplayRequest(client_id=a, message_idem=message.message_idem, message_name=NAME)
    )
    assert not other.success
    stream.cancel()


async def test_routing_refuses_unknown_or_invalid_recipients(
    node: RunningSimulator, stub: Any
) -> None:
    alice = node.info()["apps"][0]
    a = await _connect(stub, alice)
    for recipient, reason in [
        ("not-a-key", "not a valid public key"),
        (base64.b64encode(bytes(32)).decode(), "not registered"),
    ]:
        reply = await stub.PublishMessage(
            pb.PublishMessageRequest(
                client_id=a, message_name=NAME, payload="x", delivery_to=recipient
            )
        )
        assert not reply.success
        assert reason in reply.error_message


async def test_unknown_client_is_unauthenticated(stub: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.PauseMessages(pb.PauseRequest(client_id="client-nope", message_name=NAME))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_unacked_delivery_comes_back_after_ack_timeout(
    node: RunningSimulator, stub: Any
) -> None:
    alice, bob = node.info()["apps"][:2]
    a, b = await _connect(stub, alice), await _connect(stub, bob)
    await stub.PublishMessage(
        pb.PublishMessageRequest(
            client_id=a, message_name=NAME, payload="x", delivery_to=bob["app_id"]
        )
    )
    stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
    first = await stream.read()
    again = await asyncio.wait_for(stream.read(), 5)
    assert again.message_idem == first.message_idem
    stream.cancel()


async def test_defer_discard_pause_continue(node: RunningSimulator, stub: Any) -> None:
    alice, bob = node.info()["apps"][:2]
    a, b = await _connect(stub, alice), await _connect(stub, bob)

    async def publish(n: int) -> str:
        reply = await stub.PublishMessage(
            pb.PublishMessageRequest(
                client_id=a, message_name=NAME, payload=f"p{n}", delivery_to=bob["app_id"]
            )
        )
        return str(reply.message_idem)

    one = await publish(1)
    stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
    assert (await stream.read()).message_idem == one
    deferred = await stub.DeferMessage(
        pb.DeferRequest(client_id=b, message_idem=one, message_name=NAME, delay_ms=50)
    )
    assert deferred.success
    assert deferred.delivery_time > 0
    assert (await asyncio.wait_for(stream.read(), 5)).message_idem == one
    discarded = await stub.DiscardMessage(
        pb.DiscardRequest(client_id=b, message_idem=one, message_name=NAME, reason="bad")
    )
    assert discarded.success
    assert (await stub.PauseMessages(pb.PauseRequest(client_id=b, message_name=NAME))).success
    two = await publish(2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(read := asyncio.ensure_future(stream.read())), 0.2)
    assert (await stub.ContinueMessages(pb.ContinueRequest(client_id=b, message_name=NAME))).success
    assert (await asyncio.wait_for(read, 5)).message_idem == two
    stream.cancel()


async def test_faults_map_to_grpc_statuses(node: RunningSimulator, stub: Any) -> None:
    alice = node.info()["apps"][0]
    node.faults.fail_next(1, status=500)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _connect(stub, alice)
    assert info.value.code() == grpc.StatusCode.INTERNAL
    node.faults.fail_next(1, status=503)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _connect(stub, alice)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_drop_and_reset_streams_end_subscriptions(node: RunningSimulator, stub: Any) -> None:
    bob = node.info()["apps"][1]
    b = await _connect(stub, bob)
    stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
    await stream.initial_metadata()
    node.faults.drop_next(1)
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.Heartbeat(pb.HeartbeatRequest(client_id=b))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await asyncio.wait_for(stream.read(), 5)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_restart_keeps_queues_and_requeues_in_flight(node: RunningSimulator) -> None:
    alice, bob = node.info()["apps"][:2]
    target = node.info()["grpc_url"].removeprefix("grpc://")
    async with grpc.aio.insecure_channel(target) as channel:
        stub: Any = pb_grpc.EnSyncServiceStub(channel)  # type: ignore[misc]
        a, b = await _connect(stub, alice), await _connect(stub, bob)
        for n in range(3):
            await stub.PublishMessage(
                pb.PublishMessageRequest(
                    client_id=a, message_name=NAME, payload=f"p{n}", delivery_to=bob["app_id"]
                )
            )
        stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
        in_flight = await stream.read()
    port = node.simulator.port
    await asyncio.to_thread(node.restart)
    assert node.simulator.port == port
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.EnSyncServiceStub(channel)  # type: ignore[misc]
        b = await _connect(stub, bob)
        stream = stub.Subscribe(pb.SubscribeRequest(client_id=b, message_name=NAME))
        payloads = [(await stream.read()).payload for _ in range(3)]
        assert payloads == ["p0", "p1", "p2"]
        assert in_flight.payload == "p0"
        stream.cancel()


class Wire:
    """A raw WebSocket peer: replies and records in separate queues, PINGs counted."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.replies: asyncio.Queue[str] = asyncio.Queue()
        self.records: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.pings = 0
        self.pinged = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            if message.data == "PING":
                self.pings += 1
                self.pinged.set()
            elif message.data.startswith("+RECORD:"):
                self.records.put_nowait(json.loads(message.data.removeprefix("+RECORD:")))
            else:
                self.replies.put_nowait(message.data)

    async def ask(self, line: str) -> str:
        await self.ws.send_str(line)
        return await asyncio.wait_for(self.replies.get(), 5)

    async def client_id(self, app: dict[str, str]) -> str:
        reply = await self.ask(f"CONN;ACCESS_KEY=:{app['access_key']}")
        assert reply.startswith("+PASS:{clientId=")
        return reply.split("clientId=")[1].split(",")[0]


@pytest.fixture
async def wire(node: RunningSimulator) -> AsyncIterator[Wire]:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(node.info()["ws_url"] + "/message") as ws,
    ):
        peer = Wire(ws)
        yield peer
        peer.task.cancel()


async def test_websocket_protocol(node: RunningSimulator, wire: Wire) -> None:
    alice, bob = node.info()["apps"][:2]
    assert (await wire.ask("CONN;ACCESS_KEY=:nope")) == "-FAIL:invalid access key"
    cid = await wire.client_id(alice)
    idem = await wire.ask(
        f"PUB;CLIENT_ID=:{cid};EVENT_NAME=:{NAME};PAYLOAD=:eA==;"
        f'DELIVERY_TO=:{bob["app_id"]};METADATA=:{{"k":1}}'
    )
    assert idem.startswith("+PASS:evt-")
    bid = await wire.client_id(bob)
    assert await wire.ask(f"SUB;CLIENT_ID=:{bid};EVENT_NAME=:{NAME}") == "+PASS:subscribed"
    record = await asyncio.wait_for(wire.records.get(), 5)
    assert record["idem"] == idem.removeprefix("+PASS:")
    assert record["sender"] == alice["app_id"]
    assert record["metadata"] == {"k": 1}
    assert record["name"] == NAME
    assert record["block"] == 1
    assert record["loggedAt"] > 0
    wrong = await wire.ask(f"ACK;CLIENT_ID=:{bid};EVENT_IDEM=:{record['idem']};BLOCK=:7")
    assert wrong == "-FAIL:message " + record["idem"] + " is in block 1, not 7"
    ack = await wire.ask(
        f"ACK;CLIENT_ID=:{bid};EVENT_IDEM=:{record['idem']};BLOCK=:1;EVENT_NAME=:{NAME}"
    )
    assert ack == "+PASS:acknowledged"
    replay = await wire.ask(f"REPLAY;CLIENT_ID=:{bid};EVENT_IDEM=:{record['idem']};EVENT_NAME=:")
    assert replay.startswith("+REPLAY:")
    assert json.loads(replay.removeprefix("+REPLAY:"))["payload"] == "eA=="
    assert await wire.ask(f"NOPE;CLIENT_ID=:{bid}") == "-FAIL:unknown command NOPE"
    assert await wire.ask("ACK;EVENT_IDEM=:x") == "-FAIL:missing field CLIENT_ID"
    assert await wire.ask("garbage") == "-FAIL:missing field CLIENT_ID"
    assert (await wire.ask("PAUSE;CLIENT_ID=:client-x;EVENT_NAME=:n")).startswith(
        "-FAIL:unknown client id"
    )


async def test_websocket_defer_discard_rollback(node: RunningSimulator, wire: Wire) -> None:
    alice, bob = node.info()["apps"][:2]
    cid = await wire.client_id(alice)
    bid = await wire.client_id(bob)
    pub = f"PUB;CLIENT_ID=:{cid};EVENT_NAME=:{NAME};PAYLOAD=:eA==;DELIVERY_TO=:{bob['app_id']}"
    idem = (await wire.ask(pub)).removeprefix("+PASS:")
    await wire.ask(f"SUB;CLIENT_ID=:{bid};EVENT_NAME=:{NAME}")
    assert (await asyncio.wait_for(wire.records.get(), 5))["idem"] == idem
    assert await wire.ask(f"ROLLBACK;CLIENT_ID=:{bid};EVENT_IDEM=:{idem};BLOCK=:1") == (
        "+PASS:rolled back"
    )
    assert (await asyncio.wait_for(wire.records.get(), 5))["idem"] == idem
    deferred = await wire.ask(
        f"DEFER;CLIENT_ID=:{bid};EVENT_IDEM=:{idem};EVENT_NAME=:{NAME};DELAY=:50;REASON=:later"
    )
    assert json.loads(deferred.removeprefix("+PASS:"))["deliveryTime"] > 0
    assert (await asyncio.wait_for(wire.records.get(), 5))["idem"] == idem
    discard = f"DISCARD;CLIENT_ID=:{bid};EVENT_IDEM=:{idem};EVENT_NAME=:{NAME};REASON=:bad"
    assert await wire.ask(discard) == "+PASS:discarded"
    assert await wire.ask(f"UNSUB;CLIENT_ID=:{bid};EVENT_NAME=:{NAME}") == "+PASS:unsubscribed"


async def test_websocket_ping_and_faults(node: RunningSimulator, wire: Wire) -> None:
    await asyncio.wait_for(wire.pinged.wait(), 5)
    await wire.ws.send_str("PONG")
    assert await wire.ask("CONN;ACCESS_KEY=:x") == "-FAIL:invalid access key"  # PONG: no reply
    assert node.simulator.ws.pongs == 1  # type: ignore[attr-defined]
    node.faults.fail_next(1, status=500)
    assert await wire.ask("CONN;ACCESS_KEY=:x") == "-FAIL:injected fault (500)"
    node.faults.drop_next(1)
    await wire.ws.send_str("CONN;ACCESS_KEY=:x")
    await asyncio.wait_for(wire.task, 5)  # the node closed the connection without answering
    assert wire.replies.empty()
    assert wire.ws.closed


def test_serve_prints_the_json_line() -> None:
    with serve("ensync", "--apps", "4") as served:
        info = served.info
        assert info["system"] == "ensync"
        assert len(info["apps"]) == 4
        assert info["grpc_url"].startswith("grpc://")
        assert info["ws_url"].startswith("ws://")
    assert served.process.returncode == 0
