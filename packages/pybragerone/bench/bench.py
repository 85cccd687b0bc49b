"""pybragerone benchmarks (``nox -s bench``): EventBus fan-out, ParamStore ingest, end to end.

* EventBus updates/s with 1 and 10 subscribers, beside a naive fan-out over one
  ``asyncio.Queue`` per subscriber measured in the same run;
* ParamStore ingest rate, beside a bare dict assignment per update;
* end-to-end events/s from the simulator into ParamStore (through Socket.IO, the payload
  codec, the EventBus and the store), beside a raw python-socketio client receiving the same
  events; goal: at least 0.7 of the raw rate.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import socketio

from pybragerone import BragerApiClient, BragerGateway, BragerServer, EventBus, ParamStore
from pybragerone.models.param import ParamUpdate
from shared_testing import start_simulator
from shared_testing.bench import Figure, print_figures
from shared_testing.simulator import RunningSimulator

BUS_UPDATES = 100_000
INGEST_UPDATES = 200_000
E2E_EVENTS = 4_000
ROUNDS = 2
DEVID = "FTTCTBSLCE"
WAIT_LIMIT = 30.0  # seconds; a lost event fails the bench instead of hanging it


def updates(n: int) -> list[ParamUpdate]:
    return [ParamUpdate(DEVID, "P4", "v", 1 + i % 8, float(i)) for i in range(n)]


async def bus_rate(subscribers: int) -> float:
    bus = EventBus(maxsize=BUS_UPDATES + 1)
    items = updates(BUS_UPDATES)

    async def consume(sub: Any) -> int:
        n = 0
        async for _ in sub:
            n += 1
        return n

    subs = [bus.subscribe() for _ in range(subscribers)]
    tasks = [asyncio.create_task(consume(s)) for s in subs]
    start = time.perf_counter()
    for i, item in enumerate(items):
        bus.publish(item)
        if i % 1000 == 0:
            await asyncio.sleep(0)  # interleave producer and consumers like a live stream
    bus.close()
    counts = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    assert all(c == BUS_UPDATES for c in counts)
    return BUS_UPDATES / elapsed


async def queue_rate(subscribers: int) -> float:
    queues: list[asyncio.Queue[ParamUpdate | None]] = [asyncio.Queue() for _ in range(subscribers)]
    items = updates(BUS_UPDATES)

    async def consume(queue: asyncio.Queue[ParamUpdate | None]) -> int:
        n = 0
        while await queue.get() is not None:
            n += 1
        return n

    tasks = [asyncio.create_task(consume(q)) for q in queues]
    start = time.perf_counter()
    for i, item in enumerate(items):
        item.seq = i + 1
        for queue in queues:
            queue.put_nowait(item)
        if i % 1000 == 0:
            await asyncio.sleep(0)
    for queue in queues:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    return BUS_UPDATES / (time.perf_counter() - start)


def ingest_rates() -> tuple[float, float]:
    items = updates(INGEST_UPDATES)
    store = ParamStore()
    start = time.perf_counter()
    store.ingest_many(items)
    ours = INGEST_UPDATES / (time.perf_counter() - start)
    plain: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    for u in items:
        plain.setdefault(u.devid, {})[f"{u.pool}.{u.chan}{u.idx}"] = u.value
    return ours, INGEST_UPDATES / (time.perf_counter() - start)


async def burst(sim: RunningSimulator, count: int) -> None:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(
        None, lambda: sim.call(lambda: sim.simulator.emit_burst(count, DEVID))
    )


async def e2e_ours(sim: RunningSimulator) -> float:
    info = sim.info()
    server = BragerServer.from_url(info["url"])
    async with BragerApiClient(info["email"], info["password"], server=server) as api:
        gateway = BragerGateway(api, 439, [DEVID])
        store = ParamStore()
        task = asyncio.create_task(store.run(gateway.bus))
        await gateway.start()
        await store.wait_until(gateway.bus.last_seq)
        best = 0.0
        for _ in range(ROUNDS):
            target = gateway.bus.last_seq + E2E_EVENTS  # one cell per burst event
            start = time.perf_counter()
            await burst(sim, E2E_EVENTS)
            async with asyncio.timeout(WAIT_LIMIT):
                await store.wait_until(target)
            best = max(best, E2E_EVENTS / (time.perf_counter() - start))
        await gateway.stop()
        await task
        return best


async def e2e_raw(sim: RunningSimulator) -> float:
    info = sim.info()
    async with aiohttp.ClientSession() as http:
        creds = {"email": info["email"], "password": info["password"]}
        async with http.post(info["url"] + "/auth/user", json=creds) as r:
            token = (await r.json())["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        client = socketio.AsyncClient(reconnection=False)
        received = 0
        done = asyncio.Event()
        target = 0

        def on_change(data: Any) -> None:
            nonlocal received
            received += 1
            if received >= target:
                done.set()

        client.on("app:modules:parameters:change", on_change, namespace="/ws")
        await client.connect(
            info["url"].removesuffix("/v1"),
            headers=headers,
            namespaces=["/ws"],
            transports=["websocket"],
        )
        bind = {"wsid": client.get_sid("/ws"), "modules": [DEVID]}
        async with http.post(info["url"] + "/modules/connect", json=bind, headers=headers) as r:
            assert r.status == 200
        # acknowledged, like the gateway's listen: events flow once this returns
        await client.call("app:modules:parameters:listen", {"modules": [DEVID]}, namespace="/ws")
        best = 0.0
        for _ in range(ROUNDS):
            target = received + E2E_EVENTS
            done.clear()
            start = time.perf_counter()
            await burst(sim, E2E_EVENTS)
            async with asyncio.timeout(WAIT_LIMIT):
                await done.wait()
            best = max(best, E2E_EVENTS / (time.perf_counter() - start))
        await client.disconnect()
        return best


async def main() -> None:
    figures: list[Figure] = []
    for subscribers in (1, 10):
        ours = await bus_rate(subscribers)
        base = await queue_rate(subscribers)
        figures.append(
            Figure(
                f"EventBus fan-out, {subscribers} subscriber(s)",
                ours,
                "updates/s",
                baseline_name="asyncio.Queue per subscriber",
                baseline_value=base,
            )
        )
    ours, plain = ingest_rates()
    figures.append(
        Figure(
            "ParamStore ingest", ours, "updates/s", baseline_name="bare dict", baseline_value=plain
        )
    )
    sim = start_simulator("brager", drift_interval=0)
    try:
        # interleaved, best of each, so warm-up and machine noise hit both sides alike
        raw = mine = 0.0
        for _ in range(3):
            raw = max(raw, await e2e_raw(sim))
            mine = max(mine, await e2e_ours(sim))
    finally:
        sim.stop()
    figures.append(
        Figure(
            "simulator -> gateway -> ParamStore",
            mine,
            "events/s",
            baseline_name="raw python-socketio client",
            baseline_value=raw,
            goal=0.7,
        )
    )
    print_figures("pybragerone", figures)


if __name__ == "__main__":
    asyncio.run(main())
