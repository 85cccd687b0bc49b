"""Every refused input is a typed EnSyncError naming the problem, raised before sending."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import pytest

from ensync_core import decrypt_payload, generate_key_pair
from ensync_sdk import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncEngine,
    EnSyncError,
    EnSyncSubscriptionError,
    EnSyncValidationError,
    EnSyncWebSocketEngine,
)
from shared_testing import RunningSimulator

EVENT = "orders/created"


def _events(node: RunningSimulator) -> int:
    return len(node.simulator.state.events)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("recipients", "message"),
    [
        (["not a key"], "not a valid key: not standard base64"),
        ([base64.b64encode(b"short").decode()], "decodes to 5 bytes"),
        ([base64.b64encode(b"\xff" * 32).decode()], "not an Ed25519 point"),
        ([], "non-empty list of app ids"),
        ("c29tZQ==", "non-empty list of app ids"),
        ([123], "must be an app id string"),
    ],
)
async def test_invalid_recipient(
    node: RunningSimulator, connect: Any, apps: Any, recipients: Any, message: str
) -> None:
    alice = await connect(apps[0])
    with pytest.raises(EnSyncValidationError, match=message) as info:
        await alice.publish(EVENT, recipients, {"n": 1})
    assert info.value.error_type == "EnSyncValidationError"
    assert _events(node) == 0


@pytest.mark.parametrize("payload", [{"when": object()}, {"x": float("nan")}, {1, 2}])
async def test_payload_not_json_serializable(
    node: RunningSimulator, connect: Any, apps: Any, payload: Any
) -> None:
    alice = await connect(apps[0])
    with pytest.raises(EnSyncValidationError, match="payload is not JSON-serializable"):
        await alice.publish(EVENT, [apps[1]["app_id"]], payload)
    assert _events(node) == 0


async def test_metadata_not_serializable(node: RunningSimulator, connect: Any, apps: Any) -> None:
    alice = await connect(apps[0])
    with pytest.raises(EnSyncValidationError, match="metadata is not JSON-serializable"):
        await alice.publish(EVENT, [apps[1]["app_id"]], {}, {"x": object()})
    with pytest.raises(EnSyncValidationError, match="metadata must be a dict"):
        await alice.publish(EVENT, [apps[1]["app_id"]], {}, "text")  # type: ignore[arg-type]
    assert _events(node) == 0


@pytest.mark.parametrize("name", ["", "   ", None])
async def test_empty_event_name(node: RunningSimulator, connect: Any, apps: Any, name: Any) -> None:
    alice = await connect(apps[0])
    with pytest.raises(EnSyncValidationError, match="event name must be a non-empty string"):
        await alice.publish(name, [apps[1]["app_id"]], {})
    with pytest.raises(EnSyncValidationError, match="event name must be a non-empty string"):
        await alice.subscribe(name)
    assert _events(node) == 0


async def test_semicolon_refused_over_websocket(node: RunningSimulator, apps: Any) -> None:
    engine = EnSyncWebSocketEngine(node.info()["ws_url"])
    app = apps[0]
    client = await engine.create_client(app["access_key"], {"app_secret_key": app["secret_key"]})
    with pytest.raises(EnSyncValidationError, match="EVENT_NAME value contains ';'"):
        await client.publish("a;b", [apps[1]["app_id"]], {})
    with pytest.raises(EnSyncValidationError, match="METADATA value contains ';'"):
        await client.publish(EVENT, [apps[1]["app_id"]], {}, {"note": "x;y"})
    with pytest.raises(EnSyncValidationError, match="EVENT_NAME value contains ';'"):
        await client.subscribe("a;b")
    subscription = await client.subscribe(EVENT)
    with pytest.raises(EnSyncValidationError, match="REASON value contains ';'"):
        await subscription.pause("a;b")
    with pytest.raises(EnSyncValidationError, match="REASON value contains ';'"):
        await subscription.discard("evt-1", "a;b")
    assert _events(node) == 0
    await engine.close()


async def test_semicolon_is_fine_over_grpc(node: RunningSimulator, apps: Any) -> None:
    engine = EnSyncEngine(node.info()["grpc_url"])
    app = apps[0]
    async with engine.create_client(app["access_key"]) as client:
        idem = await client.publish(EVENT, [apps[1]["app_id"]], {"a;b": 1}, {"note": "x;y"})
    stored = node.simulator.state.events[idem]  # type: ignore[attr-defined]
    assert stored.metadata == '{"note":"x;y"}'


async def test_subscribe_without_secret_key(connect: Any, engine: Any, apps: Any) -> None:
    client = await engine.create_client(apps[0]["access_key"])
    with pytest.raises(EnSyncValidationError, match="needs the app secret key"):
        await client.subscribe(EVENT)
    await client.close()


async def test_defer_delay_must_be_a_non_negative_integer(connect: Any, apps: Any) -> None:
    client = await connect(apps[0])
    subscription = await client.subscribe(EVENT)
    with pytest.raises(EnSyncValidationError, match="delay_ms must be an integer >= 0"):
        await subscription.defer("evt-1", -5)


async def test_wrong_access_key_is_an_auth_error(engine: Any) -> None:
    with pytest.raises(EnSyncAuthError, match="refused the access key: invalid access key"):
        await engine.create_client("ak-wrong")


async def test_bad_secret_key_is_refused_without_echoing_it(engine: Any, apps: Any) -> None:
    secret = base64.b64encode(b"k" * 40).decode()
    with pytest.raises(EnSyncValidationError, match="decodes to 40 bytes") as info:
        engine.create_client(apps[0]["access_key"], {"app_secret_key": secret})
    assert secret not in str(info.value)
    with pytest.raises(EnSyncValidationError, match="unknown client option"):
        engine.create_client(apps[0]["access_key"], {"secret": "x"})
    with pytest.raises(EnSyncValidationError, match="app \\(access\\) key must be a non-empty"):
        engine.create_client("")


async def test_unreachable_node_is_a_connection_error(transport: str) -> None:
    engine: Any = (
        EnSyncEngine("grpc://127.0.0.1:9", {"request_timeout": 2000})
        if transport == "grpc"
        else EnSyncWebSocketEngine("ws://127.0.0.1:9")
    )
    with pytest.raises(EnSyncConnectionError, match="could not connect to the EnSync node"):
        await engine.create_client("ak-any")


async def test_secrets_never_logged(
    node: RunningSimulator, apps: Any, transport: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    info = node.info()
    options = {"enableLogging": True, "reconnect_interval": 10}
    engine: Any = (
        EnSyncEngine(info["grpc_url"], options)
        if transport == "grpc"
        else EnSyncWebSocketEngine(info["ws_url"], options)
    )
    alice, bob = apps[0], apps[1]
    a = await engine.create_client(alice["access_key"], {"app_secret_key": alice["secret_key"]})
    b = await engine.create_client(bob["access_key"], {"app_secret_key": bob["secret_key"]})
    subscription = await b.subscribe(EVENT)
    subscription.on(lambda event: None)
    node.faults.drop_next(1)
    await a.publish(EVENT, [bob["app_id"]], {"n": 1})
    with pytest.raises(EnSyncError) as refused:
        await engine.create_client("ak-" + alice["access_key"])
    sessions = list(node.simulator.state.sessions)  # type: ignore[attr-defined]
    await engine.close()
    assert "connected over" in caplog.text  # logging was on, client ids among it
    for client_id in sessions:  # a client id authorizes requests: only a hint is logged
        assert client_id not in caplog.text
        assert client_id not in repr(a)
        assert client_id not in repr(b)
    for secret in (alice["access_key"], bob["access_key"], alice["secret_key"], bob["secret_key"]):
        assert secret not in caplog.text
        assert secret not in str(refused.value)
        assert secret not in repr(a)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.ack(123, 1), r"event id \(idem\) must be a non-empty string, got 123"),
        (lambda s: s.ack("", 1), r"event id \(idem\) must be a non-empty string"),
        (lambda s: s.ack("evt-1", "7"), "block must be the event's integer partition block"),
        (lambda s: s.ack("evt-1", -1), "block must be the event's integer partition block"),
        (lambda s: s.ack("evt-1", 2**63), "block must be the event's integer partition block"),
        (lambda s: s.defer(None), r"event id \(idem\) must be a non-empty string"),
        (lambda s: s.defer("evt-1", 2**64), "delay_ms must be an integer >= 0"),
        (lambda s: s.defer("evt-1", 10, 5), "the reason must be a string, got 5"),
        (lambda s: s.discard(b"evt-1"), r"event id \(idem\) must be a non-empty string"),
        (lambda s: s.replay(None), r"event id \(idem\) must be a non-empty string"),
        (lambda s: s.pause(None), "the reason must be a string, got None"),
    ],
)
async def test_bad_control_arguments_are_refused_before_sending(
    connect: Any, apps: Any, call: Any, message: str
) -> None:
    client = await connect(apps[0])
    subscription = await client.subscribe(EVENT)
    with pytest.raises(EnSyncValidationError, match=message):
        await call(subscription)


async def test_semicolon_in_an_ack_id_is_refused_over_websocket(
    node: RunningSimulator, apps: Any
) -> None:
    engine = EnSyncWebSocketEngine(node.info()["ws_url"])
    app = apps[0]
    client = await engine.create_client(app["access_key"], {"app_secret_key": app["secret_key"]})
    subscription = await client.subscribe(EVENT)
    with pytest.raises(EnSyncValidationError, match="EVENT_IDEM value contains ';'"):
        await subscription.ack("evt-1;BLOCK=:9", 1)
    await engine.close()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, r: c.publish("a\ud800", [r], {}), "event name is not valid Unicode"),
        (lambda c, r: c.subscribe("a\ud800"), "event name is not valid Unicode"),
        (lambda c, r: c.publish(EVENT, [r], {"x": "\ud800"}), "payload is not JSON-serializable"),
        (lambda c, r: c.publish(EVENT, [r], {}, {"x": "\ud800"}), "metadata is not JSON-ser"),
        (lambda c, r: c.publish(EVENT, [r], {}, {"x": float("nan")}), "metadata is not JSON-ser"),
        (lambda c, r: c.publish(EVENT, [r], {}, {1: "a"}), "metadata is not JSON-serializable"),
        (lambda c, r: c.publish(EVENT, [["x"]], {}), r"must be an app id string \(.*\), got list"),
        (
            lambda c, r: c.publish(EVENT, [r, {"k": 1}], {}),
            r"must be an app id string \(.*\), got dict",
        ),
    ],
)
async def test_input_the_wire_cannot_carry_is_refused_and_the_connection_stays_usable(
    node: RunningSimulator, connect: Any, apps: Any, call: Any, message: str
) -> None:
    client = await connect(apps[0])
    recipient = apps[1]["app_id"]
    with pytest.raises(EnSyncValidationError, match=message):
        await call(client, recipient)
    assert _events(node) == 0
    # Nothing half-sent: over WebSocket the next replies still match their requests.
    first = await client.publish(EVENT, [recipient], {"n": 1})
    second = await client.publish(EVENT, [recipient], {"n": 2})
    state = node.simulator.state  # type: ignore[attr-defined]
    for idem, n in ((first, 1), (second, 2)):
        plaintext = decrypt_payload(state.events[idem].payload, apps[1]["secret_key"])
        assert json.loads(plaintext) == {"n": n}


async def test_access_key_of_the_wrong_type_is_not_echoed(engine: Any) -> None:
    with pytest.raises(
        EnSyncValidationError, match="must be a non-empty string, got bytes"
    ) as info:
        engine.create_client(b"ak-secret-value")
    assert "secret-value" not in str(info.value)


async def test_a_node_that_never_answers_is_a_connection_error_after_the_timeout(
    transport: str,
) -> None:
    """A TCP peer that accepts and then stays silent (no HTTP/2, no WebSocket upgrade)."""
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    options = {"request_timeout": 300, "max_reconnect_attempts": 0}
    engine: Any = (
        EnSyncEngine(f"grpc://127.0.0.1:{port}", options)
        if transport == "grpc"
        else EnSyncWebSocketEngine(f"ws://127.0.0.1:{port}", options)
    )
    try:
        async with asyncio.timeout(10):  # the 0.3 s request timeout bounds it, not this
            with pytest.raises(EnSyncConnectionError, match="could not connect to the EnSync node"):
                await engine.create_client("ak-any")
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
    assert accepted


async def test_a_connect_reply_without_client_id_is_refused() -> None:
    """A server that says success but gives no client id is not an EnSync node."""
    import grpc.aio

    from ensync_sdk._proto import ensync_pb2 as pb
    from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc

    class Odd(pb_grpc.EnSyncServiceServicer):
        async def Connect(self, request: Any, context: Any) -> Any:
            return pb.ConnectResponse(success=True)

    server = grpc.aio.server()
    pb_grpc.add_EnSyncServiceServicer_to_server(Odd(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        engine = EnSyncEngine(f"grpc://127.0.0.1:{port}")
        with pytest.raises(EnSyncConnectionError, match="sent no client id"):
            await engine.create_client("ak-any")
    finally:
        await server.stop(None)


async def _odd_ws_node(replies: dict[str, str]) -> Any:
    """A WebSocket peer at /message answering each command with a canned (malformed) reply."""
    from aiohttp import web

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            command = message.data.split(";", 1)[0]
            await ws.send_str(replies.get(command, "+PASS:ok"))
        return ws

    app = web.Application()
    app.router.add_get("/message", handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"ws://127.0.0.1:{runner.addresses[0][1]}"


async def test_malformed_websocket_replies_are_typed_errors() -> None:
    runner, url = await _odd_ws_node({"CONN": "+PASS:{clientHash=x}"})
    try:
        with pytest.raises(EnSyncConnectionError, match="CONN reply has no clientId"):
            await EnSyncWebSocketEngine(url).create_client("ak-any")
    finally:
        await runner.cleanup()
    runner, url = await _odd_ws_node(
        {"CONN": "+PASS:{clientId=c1,clientHash=x}", "REPLAY": "+PASS:not a record"}
    )
    try:
        engine = EnSyncWebSocketEngine(url)
        options = {"app_secret_key": generate_key_pair().secret_key}
        async with engine.create_client("ak-any", options) as client:
            subscription = await client.subscribe(EVENT)
            with pytest.raises(
                EnSyncSubscriptionError, match=r"replaying 'evt-1' failed: .*not JSON"
            ):
                await subscription.replay("evt-1")
    finally:
        await runner.cleanup()
