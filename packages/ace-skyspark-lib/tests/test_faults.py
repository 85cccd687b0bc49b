"""Faults against the simulator: 5xx bursts, dropped connections, expired tokens, slow server."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ace_skyspark_lib import (
    HistorySample,
    ServerError,
    Site,
    SkysparkClient,
    SkysparkConnectionError,
    SkysparkTimeoutError,
)
from shared_testing import RunningSimulator


async def test_503_burst_is_retried(client: SkysparkClient, skyspark_sim: RunningSimulator) -> None:
    skyspark_sim.faults.fail_next(3, status=503)
    assert len(await client.read_sites()) == 2
    assert skyspark_sim.faults.faults_applied == 3


async def test_502_and_504_are_retried(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.fail_next(1, status=502)
    skyspark_sim.faults.fail_next(1, status=504)
    assert len(await client.read_sites()) == 2


async def test_long_503_burst_gives_up_with_server_error(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.fail_next(10, status=503)
    with pytest.raises(ServerError, match="HTTP 503 after 4 attempts") as info:
        await client.read_sites()
    assert info.value.status == 503
    assert skyspark_sim.faults.pending == 6


async def test_4xx_is_never_retried(client: SkysparkClient, skyspark_sim: RunningSimulator) -> None:
    skyspark_sim.faults.fail_next(2, status=400)
    with pytest.raises(ServerError, match="HTTP 400"):
        await client.read_sites()
    assert skyspark_sim.faults.pending == 1


async def test_dropped_connections_on_reads_are_retried(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.drop_next(2)
    assert len(await client.read_points()) == 15


async def test_dropped_commit_is_not_repeated_blindly(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.drop_next(1)
    with pytest.raises(SkysparkConnectionError, match="op 'commit' failed") as info:
        await client.create_sites([Site(dis="Depot", refName="depot")])
    assert "(not repeated)" in str(info.value)
    assert "may have applied it" in str(info.value)
    assert skyspark_sim.faults.pending == 0
    # The idempotent helper is the safe way to try again.
    made = await client.find_or_create_sites([Site(dis="Depot", refName="depot")])
    again = await client.find_or_create_sites([Site(dis="Depot", refName="depot")])
    assert made[0].id == again[0].id
    assert len(await client.read('site and refName == "depot"')) == 1


async def test_commit_is_not_repeated_after_502(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.fail_next(2, status=502)
    with pytest.raises(ServerError, match=r"op 'commit': HTTP 502 \(not repeated\)"):
        await client.create_sites([Site(dis="Depot", refName="depot")])
    assert skyspark_sim.faults.pending == 1


async def test_commit_is_retried_on_503(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.fail_next(2, status=503)
    (site,) = await client.create_sites([Site(dis="Depot", refName="depot")])
    assert len(await client.read('site and refName == "depot"')) == 1
    assert site.id is not None


async def test_token_expiry_mid_run_reauthenticates_once(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    await client.read_sites()
    skyspark_sim.faults.expire_sessions()
    assert skyspark_sim.simulator.auth.tokens == {}
    assert len(await client.read_sites()) == 2
    assert len(skyspark_sim.simulator.auth.tokens) == 1


async def test_injected_401_triggers_one_reauthentication(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    skyspark_sim.faults.fail_next(1, status=401)
    assert len(await client.read_sites()) == 2


async def test_slow_server_past_timeout(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    async with client_factory(skyspark_sim.info(), timeout=0.2, max_retries=1) as client:
        skyspark_sim.faults.set_latency(0.6)
        with pytest.raises(SkysparkTimeoutError, match=r"op 'read' timed out after 0.2s"):
            await client.read_sites()


async def test_server_restart_is_survived(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    await client.read_sites()
    skyspark_sim.faults.restart()
    assert len(await client.read_sites()) == 2


def _samples(points: list[str], per_point: int) -> list[HistorySample]:
    start = datetime(2022, 6, 1, tzinfo=UTC)
    return [
        HistorySample(point_id=p, timestamp=start + timedelta(minutes=i), value=i + n / 10)
        for i in range(per_point)
        for n, p in enumerate(points)
    ]


def _stored(sim: RunningSimulator, point: str) -> dict[datetime, Any]:
    start = datetime(2022, 6, 1, tzinfo=UTC)
    history = sim.simulator.store().history.get(point, {})
    return {ts: v for ts, v in history.items() if start <= ts < start + timedelta(days=30)}


async def test_chunked_write_under_faults_stores_each_sample_exactly_once(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    faults = skyspark_sim.faults
    # Enough retries that even a chunk hit by every armed fault in a row gets through.
    async with client_factory(skyspark_sim.info(), max_retries=10) as client:
        points = [p.id for p in await client.read_points_as_models() if p.kind == "Number"][:4]
        samples = _samples(points, 2500)
        assert len(samples) == 10_000
        chunks_done = 0

        def progress(done: int, total: int) -> None:
            nonlocal chunks_done
            chunks_done += 1
            if chunks_done == 1:
                faults.fail_next(3, status=503)
                faults.drop_next(2)
            elif chunks_done == 3:
                faults.expire_sessions()
            elif chunks_done == 5:
                faults.fail_next(2, status=504)

        results = await client.write_history_chunked(
            samples, chunk_size=500, max_concurrent=3, progress=progress
        )
    assert all(r.success for r in results), [r.error for r in results if not r.success]
    assert sum(r.samples_written for r in results) == 10_000
    assert faults.faults_applied >= 7
    for n, point in enumerate(points):
        stored = _stored(skyspark_sim, point)
        assert len(stored) == 2500
        assert sorted(v.val for v in stored.values()) == [i + n / 10 for i in range(2500)]


async def test_chunk_whose_outcome_is_unknown_is_resent_without_duplicates(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    faults = skyspark_sim.faults
    retries = 0

    class HealAfterThreeTimeouts(logging.Handler):
        # Driven by the client's own retry events, not by wall-clock time.
        def emit(self, record: logging.LogRecord) -> None:
            nonlocal retries
            if "retrying" in record.getMessage() and "Timeout" in record.getMessage():
                retries += 1
                if retries == 3:
                    faults.reset()

    handler = HealAfterThreeTimeouts()
    logger = logging.getLogger("ace_skyspark_lib")
    logger.addHandler(handler)
    try:
        async with client_factory(skyspark_sim.info(), timeout=0.25, max_retries=8) as client:
            (point,) = [p.id for p in await client.read_points_as_models()][:1]
            samples = _samples([point], 1000)
            # The server is slower than the timeout for a while: it still stores what it
            # received after the client gave up, and the client sends those chunks again.
            faults.set_latency(0.4)
            results = await client.write_history_chunked(samples, chunk_size=250)
    finally:
        logger.removeHandler(handler)
    assert retries >= 3
    assert all(r.success for r in results)
    stored = _stored(skyspark_sim, point)
    assert len(stored) == 1000
    assert sorted(v.val for v in stored.values()) == [float(i) for i in range(1000)]


async def test_chunk_that_keeps_failing_is_reported_not_raised(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    point = (await client.read_points_as_models())[0].id
    samples = _samples([point], 300)
    skyspark_sim.faults.fail_next(4, status=503)
    results = await client.write_history_chunked(samples, chunk_size=100, max_concurrent=1)
    assert [r.success for r in results] == [False, True, True]
    assert [r.samples_written for r in results] == [0, 100, 100]
    assert "HTTP 503" in (results[0].error or "")
    # The caller can tell exactly which samples were not written ...
    not_written = [s for r in results for s in r.failed_samples]
    assert not_written == samples[:100]
    assert [r.failed_samples for r in results[1:]] == [[], []]
    stored = _stored(skyspark_sim, point)
    assert set(stored) == {s.timestamp for s in samples[100:]}
    # ... and writing them again completes the history.
    (again,) = await client.write_history_chunked(not_written, chunk_size=100)
    assert again.success
    assert again.samples_written == 100
    assert set(_stored(skyspark_sim, point)) == {s.timestamp for s in samples}


async def test_failing_progress_callback_stops_every_chunk(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    point = (await client.read_points_as_models())[0].id

    def progress(done: int, total: int) -> None:
        raise RuntimeError("progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        await client.write_history_chunked(
            _samples([point], 400), chunk_size=100, max_concurrent=1, progress=progress
        )
    # The other chunks were cancelled and awaited, not left writing in the background.
    left = [
        t
        for t in asyncio.all_tasks()
        if "write_history_chunked" in getattr(t.get_coro(), "__qualname__", "")
    ]
    assert left == []
    assert len(_stored(skyspark_sim, point)) < 400
