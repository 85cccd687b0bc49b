"""The publish -> handler load every bench client runs (standard library only).

Each client process imports this (the published SDK's venv has nothing of ours): it publishes
``events`` events with ``in_flight`` publishes outstanding, waits until the handler saw every
one, and prints one JSON line with the rate and the CPU time its own process spent per event
(user + system of every thread, gRPC's included), measured over that phase only.
"""

from __future__ import annotations

import asyncio
import collections
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

PAYLOAD = {"meter": "m-1", "kwh": 12.75, "ok": True, "tags": ["a", "b"]}


class Tally:
    """Which sequence numbers the handler saw; ``done`` once all ``count`` arrived."""

    def __init__(self) -> None:
        self.expected: set[int] = set()
        self.done = asyncio.Event()

    def expect(self, seqs: range) -> None:
        self.expected = set(seqs)
        self.done.clear()

    def got(self, seq: int) -> None:
        self.expected.discard(seq)
        if not self.expected:
            self.done.set()


class Answers:
    """Calls sent without awaiting them (pipelined acknowledgements), checked in order.

    ``add`` each call as it goes out; one task running ``check`` awaits their answers oldest
    first and stops the process when the node refused one.
    """

    def __init__(self) -> None:
        self._calls: collections.deque[Any] = collections.deque()
        self._added = asyncio.Event()

    def add(self, call: Any) -> None:
        self._calls.append(call)
        self._added.set()

    async def check(self) -> None:
        calls = self._calls
        while True:
            while calls:
                if not (await calls[0]).success:
                    raise SystemExit("the node refused an acknowledgement")
                calls.popleft()
            self._added.clear()
            await self._added.wait()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _phase(
    tally: Tally, publish: Callable[[int], Awaitable[Any]], seqs: range, in_flight: int
) -> None:
    tally.expect(seqs)
    window = asyncio.Semaphore(in_flight)

    async def one(seq: int) -> None:
        async with window:
            await publish(seq)

    await asyncio.gather(*(one(seq) for seq in seqs))
    await asyncio.wait_for(tally.done.wait(), 120)


async def measure(
    tally: Tally,
    publish: Callable[[int], Awaitable[Any]],
    *,
    events: int,
    warmup: int,
    in_flight: int,
) -> dict[str, float]:
    """Warm up, then time ``events`` publish -> handler round trips."""
    await _phase(tally, publish, range(warmup), in_flight)
    cpu, start = _cpu(), time.perf_counter()
    await _phase(tally, publish, range(warmup, warmup + events), in_flight)
    elapsed, spent = time.perf_counter() - start, _cpu() - cpu
    return {"events": events, "rate": events / elapsed, "cpu_us_per_event": spent / events * 1e6}


def arguments() -> tuple[dict[str, Any], int, int, int]:
    """``client.py '<simulator JSON line>' EVENTS WARMUP IN_FLIGHT``."""
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    return json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def report(result: dict[str, float]) -> None:
    """The one JSON line the orchestrating bench reads."""
    print(json.dumps(result), flush=True)
