"""Reconnect, resubscribe and delivery guarantees under faults (both transports)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ensync_sdk import EnSyncConnectionError, EnSyncPublishError, EnSyncSubscriptionError
from shared_testing import RunningSimulator
from shared_testing.waiting import eventually

EVENT = "meter/reading"
COUNT = 30


async def _publish_all(alice: Any, recipient: str, start: int, count: int) -> list[str]:
    ids: list[str] = []
    for n in range(start, start + count):
        ids.append(await alice.publish(EVENT, [recipient], {"n": n}))
    return ids


async def _assert_every_event_handled_and_acked(
    node: RunningSimulator, ids: list[str], box: Any, on_node: Any
) -> None:
    handled = {e["idem"] for e in box.events}
    assert set(ids) <= handled  # at least once
    state = node.simulator.state  # type: ignore[attr-defined]

    def settled() -> bool:  # runs on the node's loop: no torn reads
        return all(state.events[i].status == "acked" for i in ids) and state.pending() == []

    # the last auto-acks may be on their way
    await eventually(lambda: on_node(settled), message="events left unacknowledged")


def _acked(node: RunningSimulator) -> set[str]:
    """The events the node holds as acknowledged (call on the node's loop)."""
    events = node.simulator.state.events  # type: ignore[attr-defined]
    return {idem for idem, event in events.items() if event.status == "acked"}


async def _some_acked(node: RunningSimulator, on_node: Any) -> None:
    """Wait until the node holds at least one acknowledgement (so the next check can bite)."""
    await eventually(lambda: on_node(lambda: _acked(node)), message="nothing was acknowledged")


def _assert_never_redelivered(acked: set[str], box: Any) -> None:
    """An event acknowledged before the fault was handled exactly once."""
    assert acked  # the fault hit after some acknowledgements, or this proves nothing
    handled = [e["idem"] for e in box.events]
    assert all(handled.count(idem) == 1 for idem in acked)


async def _slow_handler_box(inbox: Any) -> Any:
    box = inbox()
    original = box.handler

    async def handler(event: Any) -> None:
        await asyncio.sleep(0.002)  # keep some events in flight while the fault hits
        original(event)

    box.slow = handler
    return box


async def test_no_event_lost_across_stream_resets(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any, on_node: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = await _slow_handler_box(inbox)
    (await bob.subscribe(EVENT)).on(box.slow)
    ids = await _publish_all(alice, apps[1]["app_id"], 0, COUNT)
    await box.wait(lambda: len(box.events) >= 5)
    await _some_acked(node, on_node)
    first_client = bob.client_id
    simulator = node.simulator

    def acked_then_reset() -> set[str]:
        acked = _acked(node)
        simulator.reset_streams()  # type: ignore[attr-defined]
        return acked

    acked_before = await on_node(acked_then_reset)
    ids += await _publish_all(alice, apps[1]["app_id"], COUNT, COUNT)
    await box.wait(lambda: {e["idem"] for e in box.events} >= set(ids))
    await _assert_every_event_handled_and_acked(node, ids, box, on_node)
    _assert_never_redelivered(acked_before, box)
    assert bob.client_id != first_client  # reconnected with a new session
    assert EVENT in bob.subscriptions


async def test_no_event_lost_across_a_node_restart(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any, on_node: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = await _slow_handler_box(inbox)
    (await bob.subscribe(EVENT)).on(box.slow)
    ids = await _publish_all(alice, apps[1]["app_id"], 0, COUNT)
    await box.wait(lambda: len(box.events) >= 5)
    await _some_acked(node, on_node)
    acked_before = await on_node(lambda: _acked(node))
    await asyncio.to_thread(node.restart)
    # Publishing right after the restart goes through a reconnect transparently.
    ids += await _publish_all(alice, apps[1]["app_id"], COUNT, COUNT)
    await box.wait(lambda: {e["idem"] for e in box.events} >= set(ids))
    await _assert_every_event_handled_and_acked(node, ids, box, on_node)
    _assert_never_redelivered(acked_before, box)


async def test_dropped_request_resets_streams_and_client_recovers(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    (await bob.subscribe(EVENT)).on(box.handler)
    node.faults.drop_next(1)
    ids = await alice.publish_ids(EVENT, [apps[1]["app_id"]], {"n": 1})  # retried after reconnect
    await box.wait(lambda: {e["idem"] for e in box.events} >= set(ids))


async def test_unavailable_is_retried_over_grpc_and_reported_over_websocket(
    connect: Any, apps: Any, node: RunningSimulator, transport: str
) -> None:
    alice = await connect(apps[0])
    node.faults.fail_next(1, status=503)
    if transport == "grpc":  # UNAVAILABLE: reconnect and send again
        ids = await alice.publish_ids(EVENT, [apps[1]["app_id"]], {"n": 1})
        assert len(ids) == 1
    else:  # -FAIL carries no status: the refusal is the caller's to handle
        with pytest.raises(EnSyncPublishError, match=r"node answered injected fault \(503\)"):
            await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})


async def test_node_error_on_publish_is_a_publish_error(
    connect: Any, apps: Any, node: RunningSimulator, transport: str
) -> None:
    alice = await connect(apps[0])
    node.faults.fail_next(1, status=500)
    with pytest.raises(EnSyncPublishError, match="publishing 'meter/reading' failed") as info:
        await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    assert info.value.error_type == "EnSyncPublishError"


async def test_latency_is_tolerated(
    connect: Any, apps: Any, node: RunningSimulator, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    (await bob.subscribe(EVENT)).on(box.handler)
    node.faults.set_latency(0.05)
    ids = await alice.publish_ids(EVENT, [apps[1]["app_id"], apps[2]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 1)
    assert box.events[0]["idem"] in ids


async def test_expired_session_is_renewed(
    connect: Any, apps: Any, node: RunningSimulator, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    (await bob.subscribe(EVENT)).on(box.handler)
    node.faults.expire_sessions()
    ids = await alice.publish_ids(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: {e["idem"] for e in box.events} >= set(ids))


async def test_gives_up_after_max_reconnect_attempts(
    simulator: Any, inbox: Any, transport: str
) -> None:
    from ensync_sdk import EnSyncEngine, EnSyncWebSocketEngine

    doomed = simulator("ensync")
    info = doomed.info()
    app = info["apps"][0]
    options = {"reconnect_interval": 10, "max_reconnect_attempts": 2}
    engine: Any = (
        EnSyncEngine(info["grpc_url"], options)
        if transport == "grpc"
        else EnSyncWebSocketEngine(info["ws_url"], options)
    )
    client = await engine.create_client(app["access_key"], {"app_secret_key": app["secret_key"]})
    box = inbox()
    subscription = await client.subscribe(EVENT)
    subscription.on(box.handler)
    subscription.on_error(box.on_error)
    await asyncio.to_thread(doomed.stop)
    await box.wait(lambda: len(box.errors) == 1)
    error, info_ = box.errors[0]
    assert isinstance(error, EnSyncSubscriptionError)
    assert "2 reconnect attempts failed" in str(error)
    assert isinstance(error.__cause__, EnSyncConnectionError)
    assert info_ is None
    assert not subscription.active
    with pytest.raises(EnSyncConnectionError, match="reconnect attempts failed"):
        await client.publish(EVENT, [app["app_id"]], {"n": 1})
    await client.close()


async def test_heartbeat_reaches_the_node(
    node: RunningSimulator, apps: Any, transport: str, eventually: Any
) -> None:
    from ensync_sdk import EnSyncEngine, EnSyncWebSocketEngine

    info = node.info()
    options = {"heartbeat_interval": 20}
    engine: Any = (
        EnSyncEngine(info["grpc_url"], options)
        if transport == "grpc"
        else EnSyncWebSocketEngine(info["ws_url"], options)
    )
    client = await engine.create_client(apps[0]["access_key"])
    state = node.simulator.state  # type: ignore[attr-defined]
    ws = node.simulator.ws  # type: ignore[attr-defined]
    if transport == "grpc":
        await eventually(lambda: state.heartbeats >= 2)
    else:  # the node PINGs every 0.2 s here and the client answers PONG
        await eventually(lambda: ws.pongs >= 1)
    await client.close()


async def test_heartbeat_survives_a_node_error(
    node: RunningSimulator, apps: Any, eventually: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from ensync_sdk import EnSyncEngine

    engine = EnSyncEngine(node.info()["grpc_url"], {"heartbeat_interval": 20})
    client = await engine.create_client(apps[0]["access_key"])
    state = node.simulator.state  # type: ignore[attr-defined]
    node.faults.fail_next(1, status=500)  # the next heartbeat gets INTERNAL
    await eventually(lambda: "EnSync heartbeat failed" in caplog.text)
    beats = state.heartbeats
    await eventually(lambda: state.heartbeats >= beats + 2)  # still beating afterwards
    await client.close()


def _grpc_engine(node: RunningSimulator) -> Any:
    from ensync_sdk import EnSyncEngine

    return EnSyncEngine(node.info()["grpc_url"], {"reconnect_interval": 20})


async def test_a_node_error_while_reconnecting_is_retried_over_grpc(
    node: RunningSimulator, apps: Any, inbox: Any, on_node: Any, eventually: Any
) -> None:
    engine = _grpc_engine(node)
    alice, bob = [
        await engine.create_client(a["access_key"], {"app_secret_key": a["secret_key"]})
        for a in apps[:2]
    ]
    box = inbox()
    (await bob.subscribe(EVENT)).on(box.handler)
    first = bob.client_id
    node.faults.fail_next(1, status=500)  # the next request is bob's Connect after the reset
    await on_node(node.simulator.reset_streams)  # type: ignore[attr-defined]
    await eventually(lambda: bob.client_id != first)
    ids = await alice.publish_ids(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: {e["idem"] for e in box.events} >= set(ids))
    await engine.close()


async def test_a_node_error_on_connect_is_a_connection_error_over_grpc(
    node: RunningSimulator, apps: Any
) -> None:
    node.faults.fail_next(1, status=500)
    with pytest.raises(
        EnSyncConnectionError, match="connecting failed: the node answered INTERNAL"
    ):
        await _grpc_engine(node).create_client(apps[0]["access_key"])
