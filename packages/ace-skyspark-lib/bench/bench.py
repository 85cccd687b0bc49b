"""ace-skyspark-lib benchmarks (``nox -s bench``).

1. Zinc parse and dump of a 10-column, 10,000-row point grid, beside hszinc (the Python
   reference Zinc parser) on a 500-row slice of the same grid, and Zinc parse beside decoding
   the same grid sent as Haystack 4 JSON (C ``json.loads`` plus turning ``_kind`` objects into
   our kinds: ``ace_skyspark_lib.hayson.loads``).
2. ``write_history_chunked`` of 100,000 samples against the simulator, beside raw httpx posting
   the same pre-encoded chunks with the same concurrency: medians of rounds that alternate who
   goes first, after an untimed write, so every timed round replaces stored samples.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx

from ace_skyspark_lib import (
    Equipment,
    Grid,
    HistorySample,
    Marker,
    Number,
    Point,
    Ref,
    Site,
    SkysparkClient,
    hayson,
    zinc,
)
from ace_skyspark_lib.auth import scram_login
from ace_skyspark_lib.his_write import his_write_body
from ace_skyspark_lib.kinds import zone_for
from shared_testing import start_simulator
from shared_testing.bench import Figure, print_figures, time_call

ROWS = 10_000
HSZINC_ROWS = 500
SAMPLES = 100_000
CHUNK = 1000
CONCURRENCY = 3
WRITE_ROUNDS = 4


def point_grid(rows: int) -> Grid:
    ny = zone_for("New_York")
    base = datetime(2024, 1, 1, tzinfo=UTC).astimezone(ny)
    site = Ref("p:demo:r:site0001", "Headquarters")
    data = []
    for i in range(rows):
        equip = Ref(f"p:demo:r:equip{i // 20:04d}", f"AHU-{i // 20}")
        data.append(
            {
                "id": Ref(f"p:demo:r:pt{i:06d}", f"AHU-{i // 20} Point {i}"),
                "dis": f"AHU-{i // 20} Point {i}",
                "point": Marker,
                "his": Marker,
                "kind": "Number",
                "unit": "°F",
                "siteRef": site,
                "equipRef": equip,
                "curVal": Number(55.0 + (i % 100) / 10, "°F"),
                "mod": base + timedelta(seconds=i),
            }
        )
    return Grid.from_rows(data)


def codec_figures() -> list[Figure]:
    grid = point_grid(ROWS)
    text = zinc.dumps(grid)
    assert zinc.loads(text) == grid
    parse = ROWS / time_call(lambda: zinc.loads(text))
    dump = ROWS / time_call(lambda: zinc.dumps(grid))
    json_text = hayson.dumps(grid)
    assert hayson.loads(json_text) == grid
    json_parse = ROWS / time_call(lambda: hayson.loads(json_text))
    baseline_name = "hszinc 1.3 (500-row slice)"
    try:
        import hszinc  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - only in a session without the bench group
        hszinc = None
        baseline_name = "hszinc not installed"
    ref_parse = ref_dump = None
    if hszinc is not None:
        small = zinc.dumps(point_grid(HSZINC_ROWS))
        parsed = hszinc.parse(small, mode=hszinc.MODE_ZINC)
        assert len(parsed) == HSZINC_ROWS
        ref_parse = HSZINC_ROWS / time_call(
            lambda: hszinc.parse(small, mode=hszinc.MODE_ZINC), min_seconds=2.0, min_runs=1
        )
        ref_dump = HSZINC_ROWS / time_call(
            lambda: hszinc.dump(parsed, mode=hszinc.MODE_ZINC), min_seconds=1.0, min_runs=1
        )
    return [
        Figure(
            f"zinc.loads, {ROWS:,} x 10 point grid",
            parse,
            "rows/s",
            baseline_name,
            ref_parse,
            goal=100,
        ),
        Figure(f"zinc.dumps, {ROWS:,} x 10 point grid", dump, "rows/s", baseline_name, ref_dump),
        Figure(
            f"zinc.loads, {ROWS:,} x 10 point grid",
            parse,
            "rows/s",
            "the same grid as Haystack 4 JSON: json.loads + _kind conversion",
            json_parse,
            goal=1.0,
        ),
    ]


async def history_figure(info: dict[str, str]) -> Figure:
    async with SkysparkClient(
        info["url"], info["project"], info["username"], info["password"], pool_size=CONCURRENCY
    ) as client:
        (site,) = await client.create_sites([Site(dis="Bench", refName="bench", tz="UTC")])
        (equip,) = await client.create_equipment(
            [Equipment(dis="Bench AHU", refName="bench-ahu", site_ref=site.id)]
        )
        points = await client.create_points(
            [
                Point(
                    dis=f"Bench {n}",
                    refName=f"bench-{n}",
                    site_ref=site.id,
                    equip_ref=equip.id,
                    unit="kW",
                )
                for n in range(10)
            ]
        )
        start = datetime(2020, 1, 1, tzinfo=zone_for("UTC"))
        per_point = SAMPLES // len(points)
        samples = [
            HistorySample(
                point_id=p.id, timestamp=start + timedelta(minutes=i), value=i / 10, unit="kW"
            )
            for i in range(per_point)
            for p in points
        ]
        # Same chunks, encoded beforehand (the baseline does no per-sample work at all).
        bodies = [
            his_write_body(samples[i : i + CHUNK]).text.encode() for i in range(0, SAMPLES, CHUNK)
        ]
        url = f"{info['url']}/{info['project']}/"
        token = await scram_login(
            url + "about", info["username"], info["password"], http_timeout=30
        )
        headers = {
            "Authorization": f"BEARER authToken={token}",
            "Content-Type": "text/zinc; charset=utf-8",
            "Accept": "text/zinc",
        }
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as raw:
            gate = asyncio.Semaphore(CONCURRENCY)

            async def post(body: bytes) -> None:
                async with gate:
                    response = await raw.post("hisWrite", content=body, headers=headers)
                    response.raise_for_status()

            async def write_raw() -> float:
                began = time.perf_counter()
                await asyncio.gather(*(post(body) for body in bodies))
                return SAMPLES / (time.perf_counter() - began)

            async def write_ours() -> float:
                began = time.perf_counter()
                results = await client.write_history_chunked(
                    samples, chunk_size=CHUNK, max_concurrent=CONCURRENCY
                )
                rate = SAMPLES / (time.perf_counter() - began)
                assert sum(r.samples_written for r in results) == SAMPLES
                return rate

            await write_raw()  # untimed: every timed round then replaces stored samples
            ours: list[float] = []
            baseline: list[float] = []
            for round_ in range(WRITE_ROUNDS):
                # Alternate who goes first, so drift of the shared machine cancels out.
                if round_ % 2:
                    baseline.append(await write_raw())
                    ours.append(await write_ours())
                else:
                    ours.append(await write_ours())
                    baseline.append(await write_raw())
    return Figure(
        f"write_history_chunked, {SAMPLES:,} samples, chunks of {CHUNK} "
        f"(medians of {WRITE_ROUNDS})",
        statistics.median(ours),
        "samples/s",
        "raw httpx, pre-encoded chunks",
        statistics.median(baseline),
        goal=0.5,
    )


def main() -> None:
    figures = codec_figures()
    with start_simulator("skyspark", seed=False) as sim:
        figures.append(asyncio.run(history_figure(sim.info())))
    print_figures("ace-skyspark-lib", figures)


if __name__ == "__main__":
    main()
