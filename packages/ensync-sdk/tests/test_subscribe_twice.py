"""Two subscriptions to one event name on one client, over gRPC and WebSocket.

Each gets every event with its own options (handlers, ``auto_ack``, ``app_secret_key``); the node
has one stream and one delivery, acknowledged once every subscription settled it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ensync_sdk import EnSyncDecryptionError, generate_key_pair
from shared_testing import RunningSimulator

EVENT = "orders/status/updated"


def streams_of(node: RunningSimulator, name: str) -> int:
    state = node.simulator.state  # type: ignore[attr-defined]
    return sum(1 for handle in list(state.streams) if handle.name == name)


async def test_the_second_subscribe_with_options_works_as_the_seed_writes_it(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, eventually: Any
) -> None:
    """The seed: subscribe, attach a handler that acks through ``subscription``, subscribe
    again with ``auto_ack=False`` and the app secret key (rebinding ``subscription``)."""
    alice, bob = await connect(apps[0]), await connect(apps[1])
    seen: list[Any] = []
    subscription = await bob.subscribe(EVENT)

    async def handle_event(event: Any) -> None:
        seen.append(event["payload"]["order_id"])
        await subscription.ack(event["idem"], event["block"])  # the rebound name: the second

    subscription.on(handle_event)
    subscription = await bob.subscribe(EVENT, auto_ack=False, app_secret_key=apps[1]["secret_key"])
    assert not subscription.auto_ack
    assert len(bob.subscriptions[EVENT]) == 2
    await eventually(lambda: streams_of(node, EVENT) == 1)  # one node-side subscription

    ids = [await alice.publish(EVENT, [apps[1]["app_id"]], {"order_id": n}) for n in range(3)]
    await eventually(lambda: all(stored(i).status == "acked" for i in ids))
    assert streams_of(node, EVENT) == 1
    assert seen == [0, 1, 2]
    assert all(stored(i).deliveries == 1 for i in ids)  # acked once, never redelivered


async def test_each_subscription_gets_every_event_and_the_node_waits_for_both(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    auto_box, manual_box = inbox(), inbox()
    automatic = await bob.subscribe(EVENT)
    automatic.on(auto_box.handler)
    manual = await bob.subscribe(EVENT, auto_ack=False)
    manual.on(manual_box.handler)

    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"order_id": "o-1"}, {"k": "v"})
    await auto_box.wait(lambda: len(auto_box.events) == 1)
    await manual_box.wait(lambda: len(manual_box.events) == 1)
    for box in (auto_box, manual_box):
        assert box.events[0]["idem"] == idem
        assert box.events[0]["payload"] == {"order_id": "o-1"}
        assert box.events[0]["metadata"] == {"k": "v"}
    await asyncio.sleep(0.1)
    assert stored(idem).status == "inflight"  # the manual one has not settled yet
    await manual.ack(idem, manual_box.events[0]["block"])
    await eventually(lambda: stored(idem).status == "acked")
    assert stored(idem).deliveries == 1


async def test_each_subscription_decrypts_with_its_own_key(
    connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    own, foreign = inbox(), inbox()
    (await bob.subscribe(EVENT)).on(own.handler)
    wrong_key = await bob.subscribe(EVENT, app_secret_key=generate_key_pair().secret_key)
    wrong_key.on(foreign.handler)
    wrong_key.on_error(foreign.on_error)

    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"order_id": "o-2"})
    await own.wait(lambda: len(own.events) == 1)
    await foreign.wait(lambda: len(foreign.errors) == 1)
    assert own.events[0]["payload"] == {"order_id": "o-2"}
    assert foreign.events == []
    error, info = foreign.errors[0]
    assert isinstance(error, EnSyncDecryptionError)
    assert info["idem"] == idem


async def test_unsubscribing_one_keeps_the_other_and_the_last_ends_the_stream(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    first_box, second_box = inbox(), inbox()
    first = await bob.subscribe(EVENT)
    first.on(first_box.handler)
    second = await bob.subscribe(EVENT, auto_ack=False)
    second.on(second_box.handler)

    await second.unsubscribe()
    assert not second.active
    assert first.active
    assert bob.subscriptions[EVENT] == [first]
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"order_id": "o-3"})
    await first_box.wait(lambda: len(first_box.events) == 1)
    await eventually(lambda: stored(idem).status == "acked")  # only `first` is left
    assert second_box.events == []

    await first.unsubscribe()
    assert EVENT not in bob.subscriptions
    await eventually(lambda: streams_of(node, EVENT) == 0)


async def test_a_defer_through_one_settles_it_for_both_and_both_see_it_again(
    stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    first_box, second_box = inbox(), inbox()
    first = await bob.subscribe(EVENT)
    deferred: list[str] = []

    async def defer_once(event: Any) -> None:
        first_box.handler(event)
        if not deferred:
            deferred.append(event["idem"])
            await first.defer(event["idem"], 50, "later")

    first.on(defer_once)
    second = await bob.subscribe(EVENT)
    second.on(second_box.handler)

    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"order_id": "o-4"})
    await first_box.wait(lambda: len(first_box.events) == 2)  # delivered, deferred, redelivered
    await eventually(lambda: stored(idem).status == "acked")
    assert stored(idem).deliveries == 2
    # The second saw the redelivery (and the first delivery too, unless the defer came first).
    assert [e["idem"] for e in first_box.events] == [idem, idem]
    assert [e["idem"] for e in second_box.events] in ([idem], [idem, idem])
