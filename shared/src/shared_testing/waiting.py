"""Waiting in async tests for state that changes elsewhere (a simulator, a background task)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

__all__ = ["eventually"]


async def eventually(
    predicate: Callable[[], bool | Awaitable[bool]],
    *,
    within: float = 10.0,
    interval: float = 0.01,
    message: str = "condition not reached in time",
) -> None:
    """Poll ``predicate`` (sync, or async such as a ``RunningSimulator.acall``) until it is true.

    Raises :class:`AssertionError` with ``message`` once ``within`` seconds passed: a bound for a
    broken system, not a timing assertion, so make it generous.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        outcome = predicate()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{message} (waited {within:g} s)")
        await asyncio.sleep(interval)
