from __future__ import annotations

import asyncio
import logging

import pytest

from pybragerone.errors import BragerConfigError
from pybragerone.events import EventBus
from pybragerone.models.param import ParamUpdate


def upd(i: int) -> ParamUpdate:
    return ParamUpdate("DEV", "P4", "v", 1, i)


async def test_fan_out_with_strictly_increasing_seq() -> None:
    bus = EventBus()
    a, b = bus.subscribe(), bus.subscribe()
    for i in range(5):
        bus.publish(upd(i))
    bus.publish_many([upd(5), upd(6)])
    bus.close()
    got_a = [u async for u in a]
    got_b = [u async for u in b]
    assert [u.value for u in got_a] == list(range(7))
    assert [u.seq for u in got_a] == [1, 2, 3, 4, 5, 6, 7]
    assert [u.seq for u in got_b] == [u.seq for u in got_a]


async def test_subscriber_waits_for_updates() -> None:
    bus = EventBus()
    sub = bus.subscribe()

    async def later() -> None:
        await asyncio.sleep(0.01)
        bus.publish(upd(1))

    task = asyncio.create_task(later())
    update = await asyncio.wait_for(sub.get(), 2)
    await task
    assert update.value == 1


async def test_overflow_drops_oldest_counts_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus(maxsize=3)
    slow = bus.subscribe(name="slow")
    fast = bus.subscribe(maxsize=100, name="fast")
    with caplog.at_level(logging.WARNING, logger="pybragerone.events"):
        for i in range(10):
            bus.publish(upd(i))
    assert slow.dropped == 7
    assert bus.dropped == 7
    assert fast.dropped == 0
    assert "subscriber slow is too slow" in caplog.text
    bus.close()
    assert [u.value for u in [x async for x in slow]] == [7, 8, 9]
    assert len([x async for x in fast]) == 10


async def test_overflow_via_publish_many() -> None:
    bus = EventBus(maxsize=4)
    sub = bus.subscribe()
    bus.publish_many([upd(i) for i in range(10)])
    assert sub.dropped == 6
    assert sub.pending == 4


async def test_unsubscribe_with_context_manager() -> None:
    bus = EventBus()
    async with bus.subscribe() as sub:
        assert bus.subscribers == 1
        bus.publish(upd(1))
        assert sub.get_nowait() is not None
    assert bus.subscribers == 0


async def test_batches_yield_everything_queued() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    bus.publish_many([upd(i) for i in range(3)])
    bus.close()
    batches = [b async for b in sub.batches()]
    assert [len(b) for b in batches] == [3]


@pytest.mark.parametrize("maxsize", [0, -1])
def test_bad_maxsize_is_rejected(maxsize: int) -> None:
    with pytest.raises(BragerConfigError, match="EventBus maxsize must be >= 1"):
        EventBus(maxsize=maxsize)
    with pytest.raises(BragerConfigError, match="subscription maxsize must be >= 1"):
        EventBus().subscribe(maxsize=maxsize)


def drops_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum("is too slow" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("maxsize", [1, 4, 10])
def test_every_overflow_episode_is_logged(caplog: pytest.LogCaptureFixture, maxsize: int) -> None:
    # Gateway traffic goes through publish_many; a consumer that catches up and falls behind
    # again must be warned about again, whatever the queue size.
    bus = EventBus(maxsize=maxsize)
    sub = bus.subscribe(name="slow")
    with caplog.at_level(logging.WARNING, logger="pybragerone.events"):
        for episode in range(1, 4):
            bus.publish_many([upd(i) for i in range(maxsize)])  # fills the queue, no drop
            bus.publish_many([upd(i) for i in range(2)])  # overflows
            assert drops_logged(caplog) == episode
            while sub.get_nowait() is not None:
                pass  # the consumer catches up
    assert sub.dropped == bus.dropped == 6


async def test_republished_updates_keep_their_seq_for_earlier_consumers() -> None:
    # e.g. an integration forwarding the gateway's bus into its own bus
    first, second = EventBus(), EventBus()
    second.publish(upd(0))  # the buses' counters differ
    a, b = first.subscribe(), second.subscribe()
    one, two = upd(1), upd(2)
    first.publish(one)
    first.publish_many([two])
    second.publish(one)
    second.publish_many([two])
    first.publish(one)  # the same object twice on one bus
    first.close()
    second.close()
    assert [u.seq for u in [x async for x in a]] == [1, 2, 3]
    assert [(u.seq, u.value) for u in [x async for x in b]] == [(2, 1), (3, 2)]
