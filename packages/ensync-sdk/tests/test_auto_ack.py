"""Automatic acknowledgements end to end (both transports): sent without holding up deliveries.

Each delivery is still acknowledged by one request of its own; its answer is checked apart from
the delivery loop (``ensync_sdk.ack_pipeline``). What a user can observe must not change: a
refused acknowledgement reaches the error callbacks and the event comes back, and closing the
client does not lose an acknowledgement already on the wire.
"""

from __future__ import annotations

from typing import Any

from ensync_sdk import EnSyncEvent, EnSyncSubscriptionError
from shared_testing import RunningSimulator

EVENT = "meter/reading"


async def test_a_refused_acknowledgement_is_reported_and_the_event_comes_back(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any, eventually: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()
    calls: list[str] = []

    def handler(event: EnSyncEvent) -> None:
        calls.append(event["idem"])
        if len(calls) == 1:
            node.faults.fail_next(1, status=500)  # the next request is this event's ack
        box.handler(event)

    subscription = await bob.subscribe(EVENT)
    subscription.on(handler)
    subscription.on_error(box.on_error)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 2)  # redelivered after the node's ack timeout
    assert calls == [idem, idem]
    [(error, info)] = box.errors
    assert isinstance(error, EnSyncSubscriptionError)
    assert f"acknowledging {idem!r} failed" in str(error)
    assert "injected fault" in str(error)
    assert info == {
        "idem": idem,
        "eventName": EVENT,
        "block": box.events[0]["block"],
        "sender": apps[0]["app_id"],
    }
    await eventually(lambda: stored(idem).status == "acked")


async def test_close_waits_for_the_answer_of_an_acknowledgement_on_the_wire(
    node: RunningSimulator, stored: Any, connect: Any, apps: Any, inbox: Any
) -> None:
    alice, bob = await connect(apps[0]), await connect(apps[1])
    box = inbox()

    def handler(event: EnSyncEvent) -> None:
        node.faults.set_latency(0.3)  # the node answers this event's ack only after 0.3 s
        box.handler(event)

    (await bob.subscribe(EVENT)).on(handler)
    idem = await alice.publish(EVENT, [apps[1]["app_id"]], {"n": 1})
    await box.wait(lambda: len(box.events) == 1)
    assert stored(idem).status != "acked"  # the acknowledgement is still on its way
    await bob.close()
    node.faults.set_latency(0)
    assert stored(idem).status == "acked"
    assert box.errors == []
