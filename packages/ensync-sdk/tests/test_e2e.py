"""End-to-end over gRPC and WebSocket against the simulated node (real sockets, no mocks)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from ensync_core import decrypt_payload
from ensync_sdk import EnSyncDecryptionError, EnSyncSubscriptionError, EnSyncValidationError
from shared_testing import RunningSimulator

EVENT = "orders/created"


async def test_single_recipient_round_trip(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any, transport: str
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"id": 7, "ok": True}, {"persist": True})
    await box.wait(lambda: len(box.events) == 1)
    event = box.events[0]
    assert idem == event["idem"]  # one recipient: publish returns its event id
    assert event["payload"] == {"id": 7, "ok": True}
    assert event["eventName"] == event["messageName"] == EVENT
    assert event["sender"] == apps[0]["app_id"]
    assert event["metadata"] == {"persist": True}
    assert event["block"] >= 1
    logged_at = stored(event["idem"]).logged_at
    if transport == "websocket":  # the record's loggedAt
        assert event["timestamp"] == logged_at
    else:  # the time of receipt: not before the node logged it
        assert event["timestamp"] >= logged_at


async def test_payload_metadata_sent_over_grpc(
    stored: Any, connect: Any, apps: Any, transport: str
) -> None:
    alice = await connect(apps[0])
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"s": "x", "n": 2**40})
    meta = stored(idem).payload_metadata
    if transport == "grpc":
        assert meta == '{"byte_size":27,"skeleton":{"s":"string","n":"long"}}'
    else:  # the WebSocket PUB command has no payload metadata field
        assert meta == ""


async def test_hybrid_to_several_recipients_and_non_recipient_cannot_read(
    stored: Any, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob, carol = [await connect(a) for a in apps[:3]]
    bob_box, carol_box = inbox(), inbox()
    (await bob.subscribe(EVENT)).on(bob_box.handler)
    (await carol.subscribe(EVENT)).on(carol_box.handler)
    ids = await alice.publish_ids(EVENT, [apps[1]["app_id"]], {"to": "bob only"})
    ids += await alice.publish_ids(EVENT, [apps[1]["app_id"], apps[2]["app_id"]], {"to": "both"})
    assert len(ids) == 3
    await bob_box.wait(lambda: len(bob_box.events) == 2)
    await carol_box.wait(lambda: len(carol_box.events) == 1)
    assert [e["payload"]["to"] for e in bob_box.events] == ["bob only", "both"]
    assert carol_box.events[0]["payload"] == {"to": "both"}
    # Carol holds the ciphertext meant for Bob alone and still cannot open it.
    with pytest.raises(EnSyncDecryptionError, match="not addressed to this key"):
        decrypt_payload(stored(ids[0]).payload, apps[2]["secret_key"])
    # The hybrid payload is one envelope for both recipients.
    assert stored(ids[1]).payload == stored(ids[2]).payload


async def test_tampered_ciphertext_goes_to_error_callback_not_handler(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any, on_node: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await on_node(lambda: node.simulator.state.tamper(idem))  # type: ignore[attr-defined]
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    subscription.on_error(box.on_error)
    await box.wait(lambda: len(box.errors) == 1)
    error, info = box.errors[0]
    assert isinstance(error, EnSyncDecryptionError)
    assert "tampered" in str(error)
    assert info["idem"] == idem
    assert box.events == []


async def test_handler_exception_leaves_event_unacked_and_redelivered(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    calls: list[str] = []

    def flaky(event: Any) -> None:
        calls.append(event["idem"])
        if len(calls) == 1:
            raise RuntimeError("handler bug")
        box.handler(event)

    subscription = await bob.subscribe(EVENT)
    subscription.on(flaky)
    subscription.on_error(box.on_error)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 1)
    assert calls == [idem, idem]
    [(error, info)] = box.errors
    assert isinstance(error, EnSyncSubscriptionError)
    assert "raised RuntimeError" in str(error)
    assert "unacknowledged" in str(error)
    assert isinstance(error.__cause__, RuntimeError)
    assert info["idem"] == idem
    await eventually(lambda: stored(idem).status == "acked")


async def test_manual_ack_is_not_redelivered(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT, auto_ack=False)
    subscription.on(box.handler)
    first, second = [await alice.publish(EVENT, [apps[1]["app_id"]], {"n": n}) for n in (1, 2)]
    await box.wait(lambda: len(box.events) == 2)
    await subscription.ack(first, box.events[0]["block"])
    assert stored(first).status == "acked"
    # The unacknowledged one comes back after the node's ack timeout; the acked one never does.
    await box.wait(lambda: len(box.events) == 3)
    assert box.events[2]["idem"] == second
    assert [e["idem"] for e in box.events].count(first) == 1


async def test_defer_redelivers_after_the_delay(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    deferred: list[str] = []

    async def handler(event: Any) -> None:
        if not deferred:
            deferred.append(event["idem"])
            when = await subscription.defer(event["idem"], 100, "not yet")
            assert when > 0
        box.handler(event)

    subscription.on(handler)
    await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 2)
    assert box.events[0]["idem"] == box.events[1]["idem"] == deferred[0]
    await eventually(lambda: stored(deferred[0]).status == "acked")


async def test_discard_is_never_redelivered(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT, auto_ack=False)
    subscription.on(box.handler)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 1)
    await subscription.discard(idem, "poison")
    assert stored(idem).status == "discarded"
    await asyncio.sleep(0.6)  # longer than the node's ack timeout
    assert len(box.events) == 1


async def test_replay_returns_the_stored_event_decrypted(
    connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 42})
    await box.wait(lambda: len(box.events) == 1)
    replayed = await subscription.replay(idem)
    assert replayed["idem"] == idem
    assert replayed["payload"] == {"n": 42}
    with pytest.raises(EnSyncSubscriptionError, match="not found"):
        await subscription.replay("evt-unknown")


async def test_pause_holds_deliveries_until_resume(
    connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    await subscription.pause("maintenance")
    await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await asyncio.sleep(0.2)
    assert box.events == []
    await subscription.resume()
    await box.wait(lambda: len(box.events) == 1)


async def test_unsubscribe_stops_deliveries_and_keeps_the_queue(
    stored: Any, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    await subscription.unsubscribe()
    assert not subscription.active
    assert EVENT not in bob.subscriptions
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await asyncio.sleep(0.2)
    assert box.events == []
    assert stored(idem).status == "ready"
    # Subscribing again receives what was queued meanwhile.
    again = await bob.subscribe(EVENT)
    again.on(box.handler)
    await box.wait(lambda: len(box.events) == 1)


async def test_handler_registered_late_still_gets_queued_events(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    subscription = await bob.subscribe(EVENT)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await eventually(lambda: stored(idem).deliveries >= 1)  # delivered before any handler
    box = inbox()
    subscription.on(box.handler)
    await box.wait(lambda: len(box.events) == 1)


async def test_secret_key_per_subscription(engine: Any, apps: Any, inbox: Any) -> None:
    alice = await engine.create_client(apps[0]["access_key"])
    bob = await engine.create_client(apps[1]["access_key"])
    box = inbox()
    (await bob.subscribe(EVENT, app_secret_key=apps[1]["secret_key"])).on(box.handler)
    await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 1)
    await engine.close()


async def test_async_with_closes_the_client(engine: Any, apps: Any) -> None:
    app = apps[0]
    async with engine.create_client(app["access_key"], {"app_secret_key": app["secret_key"]}) as c:
        assert c.client_id
        assert c.app_id == app["app_id"]
    with pytest.raises(Exception, match="closed"):
        await c.publish(EVENT, [apps[1]["app_id"]], {})


async def test_refused_subscription_is_reported_not_retried(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any, transport: str
) -> None:
    bob = await connect(apps[1])
    node.faults.fail_next(1, status=403)
    if transport == "websocket":  # SUB is answered: the refusal is raised at once
        with pytest.raises(EnSyncSubscriptionError, match="injected fault"):
            await bob.subscribe(EVENT)
        return
    box = inbox()
    subscription = await bob.subscribe(EVENT)  # the gRPC stream is refused once it starts
    subscription.on_error(box.on_error)
    await box.wait(lambda: len(box.errors) == 1)
    error, info = box.errors[0]
    assert isinstance(error, EnSyncSubscriptionError)
    assert "PERMISSION_DENIED" in str(error)
    assert info is None
    assert not subscription.active
    assert EVENT not in bob.subscriptions


async def test_handlers_can_be_removed_and_must_be_callable(
    connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    first, second = inbox(), inbox()
    subscription = await bob.subscribe(EVENT)
    remove = subscription.on(first.handler)
    subscription.on(second.handler)
    remove()
    await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await second.wait(lambda: len(second.events) == 1)
    assert first.events == []
    with pytest.raises(EnSyncValidationError, match="handler must be callable"):
        subscription.on("not callable")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("plaintext", "problem"),
    [(b"not json", "not JSON"), (b"[" * 100_000 + b"]" * 100_000, "not JSON")],
)
async def test_plaintext_that_is_not_json_goes_to_error_callback(
    node: RunningSimulator,
    stored: Any,
    connect: Any,
    apps: Any,
    inbox: Any,
    plaintext: bytes,
    problem: str,
) -> None:
    """A hostile publisher (raw stub, no SDK checks) cannot break the recipient's subscription."""
    import grpc.aio

    from ensync_core import encrypt_payload
    from ensync_sdk._proto import ensync_pb2 as pb
    from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc

    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(EVENT)
    subscription.on(box.handler)
    subscription.on_error(box.on_error)
    target = node.info()["grpc_url"].removeprefix("grpc://")
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.EnSyncServiceStub(channel)
        session = await stub.Connect(pb.ConnectRequest(access_key=apps[0]["access_key"]))
        reply = await stub.PublishMessage(
            pb.PublishMessageRequest(
                client_id=session.client_id,
                message_name=EVENT,
                payload=encrypt_payload(plaintext, [apps[1]["app_id"]]),
                delivery_to=apps[1]["app_id"],
                metadata="{}",
            )
        )
    good = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 2})
    await box.wait(lambda: len(box.events) == 1 and len(box.errors) >= 1)
    error, info = box.errors[0]
    assert isinstance(error, EnSyncDecryptionError)
    assert problem in str(error)
    assert info["idem"] == reply.message_idem
    assert [e["idem"] for e in box.events] == [good]
    assert stored(reply.message_idem).status != "acked"


async def test_concurrent_requests_each_get_their_own_reply(
    stored: Any, connect: Any, apps: Any
) -> None:
    """Many requests in flight at once (WebSocket replies are matched in order)."""
    alice = await connect(apps[0])
    secrets = {app["app_id"]: app["secret_key"] for app in apps}
    recipients = [apps[1]["app_id"], apps[2]["app_id"]]
    results = await asyncio.gather(
        *(
            alice.publish(EVENT, recipients, {"n": n}, use_hybrid_encryption=False)
            for n in range(20)
        )
    )
    for n, joined in enumerate(results):
        ids = joined.split(",")  # several recipients: their ids joined by "," in order
        assert len(ids) == 2
        for recipient, idem in zip(recipients, ids, strict=True):
            event = stored(idem)
            assert event.recipient == recipient
            assert json.loads(decrypt_payload(event.payload, secrets[recipient])) == {"n": n}


async def test_client_error_callback_gets_errors_of_subscriptions_without_one(
    node: RunningSimulator, connect: Any, apps: Any, inbox: Any, on_node: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    bob.on_error(box.on_error)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await on_node(lambda: node.simulator.state.tamper(idem))  # type: ignore[attr-defined]
    (await bob.subscribe(EVENT)).on(box.handler)
    await box.wait(lambda: len(box.errors) >= 1)
    assert isinstance(box.errors[0][0], EnSyncDecryptionError)
    assert box.events == []


async def test_a_recipient_listed_twice_gets_the_event_once(
    stored: Any, connect: Any, apps: Any
) -> None:
    alice = await connect(apps[0])
    bob, carol = apps[1]["app_id"], apps[2]["app_id"]
    ids = await alice.publish_ids(EVENT, [bob, carol, bob], {"n": 1})
    assert [stored(i).recipient for i in ids] == [bob, carol]


async def test_websocket_command_lines_are_the_fact_sheet_syntax(
    node: RunningSimulator, apps: Any, inbox: Any
) -> None:
    """What the client writes on the wire, line by line, as the EnSync engine expects it."""
    from ensync_sdk import EnSyncWebSocketEngine

    engine = EnSyncWebSocketEngine(node.info()["ws_url"])
    alice, bob = apps[0], apps[1]
    a = await engine.create_client(alice["access_key"])
    b = await engine.create_client(bob["access_key"], {"app_secret_key": bob["secret_key"]})
    box = inbox()
    subscription = await b.subscribe(EVENT, auto_ack=False)
    subscription.on(box.handler)
    idem = await a.publish(EVENT, [bob["app_id"]], {"n": 1}, {"k": "v"})
    await box.wait(lambda: len(box.events) == 1)
    block = box.events[0]["block"]
    await subscription.replay(idem)
    await subscription.defer(idem, 60_000, "later")
    await subscription.pause("busy")
    await subscription.resume()
    await subscription.discard(idem, "done")
    other = await a.publish(EVENT, [bob["app_id"]], {"n": 2})
    await box.wait(lambda: len(box.events) == 2)
    await subscription.ack(other, box.events[1]["block"])
    await subscription.unsubscribe()
    a_id, b_id = re.escape(a.client_id or "?"), re.escape(b.client_id or "?")
    await engine.close()

    b64 = r"[A-Za-z0-9+/]+={0,2}"
    expected = [
        rf"CONN;ACCESS_KEY=:{alice['access_key']}",
        rf"CONN;ACCESS_KEY=:{bob['access_key']}",
        rf"SUB;CLIENT_ID=:{b_id};EVENT_NAME=:{EVENT}",
        rf"PUB;CLIENT_ID=:{a_id};EVENT_NAME=:{EVENT};PAYLOAD=:{b64};"
        rf'DELIVERY_TO=:{re.escape(bob["app_id"])};METADATA=:\{{"k":"v"\}}',
        rf"REPLAY;CLIENT_ID=:{b_id};EVENT_IDEM=:{idem};EVENT_NAME=:{EVENT}",
        rf"DEFER;CLIENT_ID=:{b_id};EVENT_IDEM=:{idem};EVENT_NAME=:{EVENT};DELAY=:60000;REASON=:later",
        rf"PAUSE;CLIENT_ID=:{b_id};EVENT_NAME=:{EVENT};REASON=:busy",
        rf"CONTINUE;CLIENT_ID=:{b_id};EVENT_NAME=:{EVENT}",
        rf"DISCARD;CLIENT_ID=:{b_id};EVENT_IDEM=:{idem};EVENT_NAME=:{EVENT};REASON=:done",
        rf"PUB;CLIENT_ID=:{a_id};EVENT_NAME=:{EVENT};PAYLOAD=:{b64};"
        rf"DELIVERY_TO=:{re.escape(bob['app_id'])};METADATA=:\{{\}}",
        rf"ACK;CLIENT_ID=:{b_id};EVENT_IDEM=:{other};BLOCK=:{block + 1};EVENT_NAME=:{EVENT}",
        rf"UNSUB;CLIENT_ID=:{b_id};EVENT_NAME=:{EVENT}",
    ]
    lines = list(node.simulator.ws.lines)  # type: ignore[attr-defined]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


async def test_partial_multi_recipient_failure_names_what_was_delivered(
    node: RunningSimulator, connect: Any, apps: Any
) -> None:
    from ensync_core import generate_key_pair
    from ensync_sdk import EnSyncPublishError

    alice = await connect(apps[0])
    stranger = generate_key_pair().app_id  # a valid key the node does not know
    with pytest.raises(EnSyncPublishError, match="reached 1 of 2 recipients") as info:
        await alice.publish(EVENT, [apps[1]["app_id"], stranger], {"n": 1})
    assert "not registered" in str(info.value)
    assert isinstance(info.value.__cause__, EnSyncPublishError)
    [delivered] = node.simulator.state.pending(apps[1]["app_id"])  # type: ignore[attr-defined]
    assert delivered.idem in str(info.value)
    with pytest.raises(EnSyncPublishError, match="not registered") as alone:
        await alice.publish(EVENT, [stranger], {"n": 1})
    assert "reached" not in str(alone.value)
