"""The calls the published README shows, made the way it makes them, over gRPC and WebSocket.

Our own flows, not the README's code: each test makes the same calls with the same arguments
and return shapes (event id strings, the event dict's keys, controls with keyword arguments,
``async with engine.create_client(...)``, ``EnSyncError`` from ensync_core).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ensync_core import EnSyncError

ORDERS = "orders/status/updated"


async def test_publish_returns_the_event_id_with_and_without_metadata(
    stored: Any, engine: Any, apps: Any
) -> None:
    client = await engine.create_client(apps[0]["access_key"])  # publishing needs no secret
    event_id = await client.publish(
        "notifications/email/sent", [apps[1]["app_id"]], {"to": "a@example.com"}
    )
    with_metadata = await client.publish(
        "notifications/email/sent",
        [apps[1]["app_id"]],
        {"to": "a@example.com", "subject": "Hi"},
        {"source": "email-service", "priority": "high"},
    )
    await client.close()
    for idem in (event_id, with_metadata):
        assert isinstance(idem, str)
        assert stored(idem).recipient == apps[1]["app_id"]
    assert stored(with_metadata).metadata == '{"source":"email-service","priority":"high"}'


async def test_a_handler_replies_to_the_sender_with_the_event_name(
    engine: Any, apps: Any, inbox: Any
) -> None:
    alice = await engine.create_client(
        apps[0]["access_key"], {"app_secret_key": apps[0]["secret_key"]}
    )
    bob = await engine.create_client(
        apps[1]["access_key"], {"app_secret_key": apps[1]["secret_key"]}
    )
    replies = inbox()

    async def handle_event(event: Any) -> None:
        sender_public_key = event.get("sender")
        if sender_public_key:
            await bob.publish(event.get("eventName"), [sender_public_key], {"status": "received"})

    (await bob.subscribe("company/service/event-type")).on(handle_event)
    (await alice.subscribe("company/service/event-type")).on(replies.handler)
    await alice.publish("company/service/event-type", [apps[1]["app_id"]], {"data": "x"})
    await replies.wait(lambda: len(replies.events) == 1)
    reply = replies.events[0]
    assert reply["payload"] == {"status": "received"}
    assert reply["sender"] == apps[1]["app_id"]
    assert set(reply) >= {"idem", "eventName", "block", "timestamp", "payload", "sender"}
    assert reply["metadata"] == {}
    await engine.close()


async def test_subscription_controls_with_the_readme_keywords(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    subscription = await bob.subscribe(ORDERS, auto_ack=False)
    deferred: list[str] = []

    async def handle_event(event: Any) -> None:
        box.handler(event)
        if event["payload"]["order_id"] == "defer-me" and not deferred:
            deferred.append(event["idem"])
            await subscription.defer(event["idem"], delay_ms=50, reason="Temporary unavailability")
        elif event["payload"]["order_id"] == "drop-me":
            await subscription.discard(event["idem"], reason="Invalid data")
        else:
            await subscription.ack(event["idem"], event["block"])

    subscription.on(handle_event)
    await subscription.pause("Maintenance in progress")
    ids = [
        await alice.publish(ORDERS, [apps[1]["app_id"]], {"order_id": order})
        for order in ("defer-me", "drop-me", "ok")
    ]
    await asyncio.sleep(0.2)
    assert box.events == []  # paused
    await subscription.resume()
    await box.wait(lambda: len(box.events) == 4)  # the deferred one came back
    await eventually(lambda: [stored(i).status for i in ids] == ["acked", "discarded", "acked"])

    replayed_event = await subscription.replay(ids[2])
    assert replayed_event["payload"] == {"order_id": "ok"}
    assert replayed_event["idem"] == ids[2]
    await subscription.unsubscribe()
    assert not subscription.active


async def test_async_with_create_client_closes_it(engine: Any, apps: Any) -> None:
    async with engine.create_client(apps[0]["access_key"]) as client:
        event_id = await client.publish("event/name", [apps[1]["app_id"]], {"data": "value"})
    assert isinstance(event_id, str)
    with pytest.raises(EnSyncError, match="the client is closed"):
        await client.publish("event/name", [apps[1]["app_id"]], {"data": "value"})


async def test_errors_are_ensync_errors_from_ensync_core(engine: Any, apps: Any) -> None:
    client = await engine.create_client(apps[0]["access_key"])
    try:
        with pytest.raises(EnSyncError) as caught:  # "appId" as written: not a real app id
            await client.publish("orders/created", ["appId"], {"order_id": "123"})
        assert "appId" in str(caught.value)
    finally:
        await client.close()
