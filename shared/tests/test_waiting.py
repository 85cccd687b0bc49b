"""eventually() and RunningSimulator.acall(): the shared ways async tests wait and reach state."""

from __future__ import annotations

import asyncio

import pytest

from shared_testing import RunningSimulator
from shared_testing.waiting import eventually


async def test_eventually_returns_once_the_predicate_holds() -> None:
    ticks: list[int] = []

    async def tick() -> None:
        for n in range(5):
            await asyncio.sleep(0.005)
            ticks.append(n)

    task = asyncio.create_task(tick())
    await eventually(lambda: len(ticks) == 5)
    await task
    assert ticks == [0, 1, 2, 3, 4]


async def test_eventually_accepts_async_predicates() -> None:
    calls = 0

    async def third_time() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 3

    await eventually(third_time)
    assert calls == 3


async def test_eventually_fails_with_the_given_message() -> None:
    with pytest.raises(AssertionError, match=r"nothing happened \(waited 0.05 s\)"):
        await eventually(lambda: False, within=0.05, message="nothing happened")


async def test_acall_reaches_simulator_state_without_blocking_the_test_loop(
    echo_sim: RunningSimulator,
) -> None:
    sim = echo_sim.simulator

    async def bump() -> int:
        sim.counter += 1  # type: ignore[attr-defined]
        return sim.counter  # type: ignore[attr-defined, no-any-return]

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    try:
        assert await echo_sim.acall(bump) == 1
        assert await echo_sim.acall(bump) == 2
    finally:
        task.cancel()
    assert ticks > 0  # the test's loop ran while it waited for the simulator's
