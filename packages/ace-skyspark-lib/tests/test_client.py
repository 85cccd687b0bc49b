"""Every public method of SkysparkClient against the simulator over real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ace_skyspark_lib import (
    AuthenticationError,
    CommitError,
    Equipment,
    FilterSyntaxError,
    HistorySample,
    InvalidInputError,
    Number,
    Point,
    Ref,
    ServerError,
    Site,
    SkysparkClient,
    SkysparkConnectionError,
)
from shared_testing import RunningSimulator

NY = ZoneInfo("America/New_York")


async def test_about_and_eval(client: SkysparkClient) -> None:
    about = await client.about()
    assert about["productName"] == "SkySpark"
    assert about["whoami"] == client.username
    grid = await client.eval("readCount(point)")
    assert grid.rows == [{"val": Number(15)}]
    sites = await client.eval("readAll(site)")
    assert {row["dis"] for row in sites.rows} == {"Headquarters", "Annex"}


async def test_eval_error_grid_raises_server_error(client: SkysparkClient) -> None:
    with pytest.raises(ServerError, match="Unknown func: bogusFunc") as info:
        await client.eval("bogusFunc()")
    assert info.value.dis == "Unknown func: bogusFunc"
    assert info.value.err_trace


async def test_reads(client: SkysparkClient) -> None:
    sites = await client.read_sites()
    assert len(sites) == 2
    hq = next(s for s in sites if s["dis"] == "Headquarters")
    assert hq["id"].dis == "Headquarters"
    equips = await client.read_equipment(site_ref=hq["id"])
    assert len(equips) == 2
    assert len(await client.read_equipment()) == 3
    points = await client.read_points(site_ref=hq["id"].id, equip_ref=equips[0]["id"])
    assert len(points) == 5
    assert len(await client.read_points()) == 15
    assert len(await client.read("point", limit=3)) == 3
    via_path = await client.read('point and equipRef->siteRef->dis == "Annex"')
    assert len(via_path) == 5
    assert await client.read_by_id(hq["id"]) == hq
    assert await client.read_by_id("p:demo:r:nope") is None
    both = await client.read_by_ids([hq["id"].id, "p:demo:r:nope", equips[0]["id"]])
    assert [row["id"] for row in both] == [hq["id"], equips[0]["id"]]


async def test_points_as_models(client: SkysparkClient) -> None:
    models = await client.read_points_as_models()
    assert len(models) == 15
    dat = next(p for p in models if p.refName == "hq-ahu1-dat")
    assert dat.unit == "°F"
    assert dat.tz == "America/New_York"  # IANA on the model
    assert dat["tz"] == "New_York"  # Haystack on the wire
    assert dat.his
    assert "temp" in dat.marker_tags


async def test_invalid_filter_fails_before_any_request(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    before = dict(skyspark_sim.simulator.op_counts)
    with pytest.raises(FilterSyntaxError, match="use '==' to compare"):
        await client.read('dis = "x"')
    assert skyspark_sim.simulator.op_counts == before


async def test_create_update_delete(client: SkysparkClient) -> None:
    (site,) = await client.create_sites([Site(dis="Lab", refName="lab", tz="Berlin", area=500)])
    assert site.id is not None
    assert site.mod is not None
    (equip,) = await client.create_equipment(
        [Equipment(dis="Lab AHU", refName="lab-ahu", site_ref=site.id, marker_tags=["ahu"])]
    )
    (point,) = await client.create_points(
        [
            Point(
                dis="Lab DAT",
                refName="lab-dat",
                site_ref=site.id,
                equip_ref=equip.id,
                unit="°C",
                tz="Berlin",
                marker_tags=["sensor", "temp"],
            )
        ]
    )
    assert (await client.read_by_id(point.id))["unit"] == "°C"  # type: ignore[index]

    (renamed,) = await client.update_sites([site.model_copy(update={"dis": "Lab 2"})])
    assert renamed.dis == "Lab 2"
    assert renamed.mod != site.mod
    (equip2,) = await client.update_equipment([equip.model_copy(update={"kv_tags": {"n": 1}})])
    assert equip2.kv_tags == {"n": Number(1)}
    (point2,) = await client.update_points([point.model_copy(update={"unit": "°F"})])
    assert point2.unit == "°F"

    with pytest.raises(CommitError, match=f"record {site.id} 'Lab'") as info:
        await client.update_sites([site])  # stale mod
    assert info.value.record_id == site.id
    assert "stale mod" in info.value.dis

    assert await client.delete_entities([point.id, equip.id]) == 2  # type: ignore[list-item]
    await client.delete_entity(site.id)  # type: ignore[arg-type]
    assert await client.read_by_ids([site.id, equip.id, point.id]) == []  # type: ignore[list-item]
    with pytest.raises(CommitError, match="no such record"):
        await client.delete_entity(site.id)  # type: ignore[arg-type]
    hq = (await client.read('site and dis == "Headquarters"'))[0]["id"]
    with pytest.raises(CommitError, match="cannot delete p:demo:r:nope: no such record"):
        await client.delete_entities([hq, "p:demo:r:nope"])
    assert await client.read_by_id(hq) is not None  # nothing was removed


async def test_bad_commit_inputs(client: SkysparkClient) -> None:
    with pytest.raises(InvalidInputError, match="already has id"):
        await client.create_sites([Site(id="p:demo:r:1", dis="x")])
    with pytest.raises(InvalidInputError, match="needs id and mod"):
        await client.update_sites([Site(dis="x")])
    with pytest.raises(InvalidInputError, match="no refName"):
        await client.find_or_create_sites([Site(dis="x")])
    with pytest.raises(InvalidInputError, match="invalid id 'not a ref'"):
        await client.read_by_id("not a ref")


async def test_wrongly_shaped_arguments(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    before = dict(skyspark_sim.simulator.op_counts)
    site = Site(dis="x", refName="x")
    with pytest.raises(InvalidInputError, match="create_sites takes a list of Site, got Site"):
        await client.create_sites(site)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="update_points takes Point models, got Site"):
        await client.update_points([site])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="find_or_create_equipment takes Equipment"):
        await client.find_or_create_equipment([{"dis": "x"}])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="read_by_ids takes a list of ids, got the single"):
        await client.read_by_ids("p:demo:r:1")
    with pytest.raises(InvalidInputError, match="delete_entities takes a list of ids"):
        await client.delete_entities(Ref("p:demo:r:1"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="limit must be an int >= 1, got '5'"):
        await client.read("site", limit="5")  # type: ignore[arg-type]
    assert skyspark_sim.simulator.op_counts == before  # nothing reached the server


async def test_find_or_create_is_idempotent(client: SkysparkClient) -> None:
    wanted = [Site(dis="Headquarters", refName="hq"), Site(dis="Depot", refName="depot")]
    first = await client.find_or_create_sites(wanted)
    second = await client.find_or_create_sites(wanted)
    assert [s.id for s in first] == [s.id for s in second]
    assert len(await client.read_sites()) == 3
    depot = first[1]
    equips = await client.find_or_create_equipment(
        [Equipment(dis="Depot AHU", refName="depot-ahu", site_ref=depot.id)]
    )
    again = await client.find_or_create_equipment(
        [Equipment(dis="Depot AHU", refName="depot-ahu", site_ref=depot.id)]
    )
    assert equips[0].id == again[0].id
    point = Point(dis="P", refName="depot-p", site_ref=depot.id, equip_ref=equips[0].id)
    made = await client.find_or_create_points([point])
    assert (await client.find_or_create_points([point]))[0].id == made[0].id


async def test_history_round_trip(client: SkysparkClient) -> None:
    (point,) = [p for p in await client.read_points_as_models() if p.refName == "hq-ahu1-dat"]
    start = datetime(2024, 3, 1, tzinfo=NY)
    samples = [
        HistorySample(point_id=point.id, timestamp=start + timedelta(minutes=15 * i), value=i)
        for i in range(96)
    ]
    result = await client.write_history(samples)
    assert result.success
    assert result.samples_written == 96
    (series,) = await client.read_history(point.id, date(2024, 3, 1))
    assert len(series.samples) == 96
    first = series.samples[0]
    assert first.timestamp == start
    assert first.timestamp.tzinfo == NY
    assert (first.value, first.unit) == (0.0, "°F")
    span = (start, start + timedelta(hours=1))
    (hour,) = await client.read_history([point.id], span)
    assert [s.value for s in hour.samples] == [0.0, 1.0, 2.0, 3.0]
    (tail,) = await client.read_history(point.id, start + timedelta(hours=23, minutes=30))
    assert [s.value for s in tail.samples][:2] == [94.0, 95.0]
    (days,) = await client.read_history(point.id, (date(2024, 3, 1), date(2024, 3, 2)))
    assert len(days.samples) == 96
    # A pair of dates includes the whole end day; a pair of datetimes excludes its end.
    (upto,) = await client.read_history(point.id, (date(2024, 2, 29), date(2024, 3, 1)))
    assert len(upto.samples) == 96
    (before,) = await client.read_history(point.id, (start - timedelta(days=1), start))
    assert before.samples == []


async def test_batch_write_and_read_of_many_points(client: SkysparkClient) -> None:
    points = [p for p in await client.read_points_as_models() if p.kind == "Number"][:4]
    ts = datetime(2024, 5, 1, 12, tzinfo=UTC)
    samples = [
        HistorySample(point_id=p.id, timestamp=ts + timedelta(hours=h), value=h + n / 10)
        for n, p in enumerate(points)
        for h in range(3)
    ]
    result = await client.write_history(samples)
    assert result.samples_written == 12
    series = await client.read_history([p.id for p in points], "2024-05-01")
    assert [s.point_id for s in series] == [p.id for p in points]
    assert [[x.value for x in s.samples] for s in series][1] == [0.1, 1.1, 2.1]


async def test_bool_and_str_history_and_seeded_week(client: SkysparkClient) -> None:
    run = next(p for p in await client.read_points_as_models() if p.kind == "Bool")
    mode = next(p for p in await client.read_points_as_models() if p.kind == "Str")
    (run_series, mode_series) = await client.read_history([run.id, mode.id], "yesterday")
    assert len(run_series.samples) == 96
    assert {s.value for s in run_series.samples} <= {True, False}
    assert {s.value for s in mode_series.samples} <= {"occupied", "unoccupied"}
    (today,) = await client.read_history(run.id, "today")
    assert all(s.timestamp.date() == today.samples[0].timestamp.date() for s in today.samples)


async def test_write_history_type_mismatch_is_server_error(client: SkysparkClient) -> None:
    run = next(p for p in await client.read_points_as_models() if p.kind == "Bool")
    bad = HistorySample(point_id=run.id, timestamp=datetime.now(UTC), value="text")
    with pytest.raises(
        ServerError, match=r"Mismatched value type, rec kind \"Bool\" != item type \"sys::Str\""
    ):
        await client.write_history([bad])


async def test_write_history_chunked_reports_progress(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    point = (await client.read_points_as_models())[0]
    ts = datetime(2023, 1, 1, tzinfo=UTC)
    samples = [
        HistorySample(point_id=point.id, timestamp=ts + timedelta(minutes=i), value=float(i))
        for i in range(2500)
    ]
    seen: list[tuple[int, int]] = []
    results = await client.write_history_chunked(
        samples, chunk_size=1000, max_concurrent=2, progress=lambda d, t: seen.append((d, t))
    )
    assert [r.samples_written for r in results] == [1000, 1000, 500]
    assert sorted(seen)[-1] == (2500, 2500)
    assert len(seen) == 3
    stored = skyspark_sim.simulator.store().history[point.id]
    assert sum(1 for t in stored if t >= ts and t < ts + timedelta(days=3)) == 2500


async def test_write_history_chunked_bounds_concurrency(client: SkysparkClient) -> None:
    point = (await client.read_points_as_models())[0]
    ts = datetime(2023, 2, 1, tzinfo=UTC)
    samples = [
        HistorySample(point_id=point.id, timestamp=ts + timedelta(minutes=i), value=float(i))
        for i in range(1000)
    ]
    real_call = client._transport.call
    in_flight = peak = 0

    async def counting_call(op: str, grid: Any = None, **kwargs: Any) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await real_call(op, grid, **kwargs)
        finally:
            in_flight -= 1

    client._transport.call = counting_call  # type: ignore[method-assign]
    results = await client.write_history_chunked(samples, chunk_size=100, max_concurrent=3)
    assert [r.samples_written for r in results] == [100] * 10
    assert peak == 3


async def test_history_range_errors(client: SkysparkClient) -> None:
    point = (await client.read_points_as_models())[0]
    with pytest.raises(InvalidInputError, match="invalid history range"):
        await client.read_history(point.id, (1, 2))  # type: ignore[arg-type]
    with pytest.raises(ServerError, match="invalid range 'last week'"):
        await client.read_history(point.id, "last week")
    with pytest.raises(InvalidInputError, match="chunk_size must be >= 1"):
        await client.write_history_chunked([], chunk_size=0)
    with pytest.raises(InvalidInputError, match="takes HistorySample objects, got dict"):
        await client.write_history_chunked([{"point_id": point.id}])  # type: ignore[list-item]


async def test_wrong_password(skyspark_sim: RunningSimulator, client_factory: Any) -> None:
    info = {**skyspark_sim.info(), "password": "wrong-password-123"}
    with pytest.raises(AuthenticationError, match="login refused for user 'su'") as exc:
        async with client_factory(info):
            pass
    assert "wrong-password-123" not in str(exc.value)


@pytest.fixture
def lying_sim(simulator: Any) -> RunningSimulator:
    """A server whose SCRAM signature is wrong (started outside the event loop)."""
    sim: RunningSimulator = simulator("skyspark", tamper_signature=True, seed=False)
    return sim


async def test_server_signature_is_verified(
    lying_sim: RunningSimulator, client_factory: Any
) -> None:
    with pytest.raises(AuthenticationError, match="signature does not match"):
        async with client_factory(lying_sim.info()):
            pass


async def test_close_ends_the_session(skyspark_sim: RunningSimulator, client_factory: Any) -> None:
    client = client_factory(skyspark_sim.info())
    await client.connect()
    assert len(skyspark_sim.simulator.auth.tokens) == 1
    await client.close()
    assert skyspark_sim.simulator.auth.tokens == {}
    await client.close()


async def test_unknown_project_is_a_server_error(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    info = {**skyspark_sim.info(), "project": "nope"}
    with pytest.raises(ServerError, match=r"login: HTTP 404 from .*/api/nope/about") as exc:
        async with client_factory(info):
            pass
    assert exc.value.status == 404
    assert "check the base URL" in str(exc.value)


async def test_4xx_during_login_is_not_retried(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    skyspark_sim.faults.fail_next(3, status=429)
    with pytest.raises(ServerError, match="login: HTTP 429") as exc:
        async with client_factory(skyspark_sim.info()):
            pass
    assert exc.value.status == 429
    assert skyspark_sim.faults.pending == 2


def test_ref_type_is_exported() -> None:
    assert Ref("@a") == Ref("a")


async def test_using_a_closed_client_is_a_clear_error(
    skyspark_sim: RunningSimulator, client_factory: Any
) -> None:
    async with client_factory(skyspark_sim.info()) as client:
        await client.read_sites()
    with pytest.raises(SkysparkConnectionError, match="the client is closed"):
        await client.read_sites()


def test_bad_constructor_arguments() -> None:
    with pytest.raises(InvalidInputError, match="max_retries must be an int >= 0, got -1"):
        SkysparkClient("http://x/api", "p", "u", "pw", max_retries=-1)
    with pytest.raises(InvalidInputError, match="pool_size must be an int >= 1, got 0"):
        SkysparkClient("http://x/api", "p", "u", "pw", pool_size=0)
    with pytest.raises(InvalidInputError, match="pool_size must be an int >= 1, got '2'"):
        SkysparkClient("http://x/api", "p", "u", "pw", pool_size="2")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"base_url must be an http.s. URL ending in /api"):
        SkysparkClient("localhost:8080/api", "p", "u", "pw")
    with pytest.raises(InvalidInputError, match=r"project must be a project name.*got ''"):
        SkysparkClient("http://x/api", "", "u", "pw")
    with pytest.raises(InvalidInputError, match="username must be a non-empty str"):
        SkysparkClient("http://x/api", "p", "", "pw")
    with pytest.raises(InvalidInputError, match="password must be a str, got NoneType"):
        SkysparkClient("http://x/api", "p", "u", None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="timeout must be a number of seconds > 0, got -1"):
        SkysparkClient("http://x/api", "p", "u", "pw", timeout=-1)
    with pytest.raises(InvalidInputError, match=r"timeout must be .* got '3'"):
        SkysparkClient("http://x/api", "p", "u", "pw", timeout="3")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"backoff must be .* >= 0, got -1"):
        SkysparkClient("http://x/api", "p", "u", "pw", backoff=-1)
    with pytest.raises(InvalidInputError, match="invalid ref id 'a b'"):
        Ref("a b")


async def test_history_across_a_fall_back_hour_keeps_every_sample(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    points = [p for p in await client.read_points_as_models() if p.kind == "Number"]
    ny = next(p for p in points if p.tz == "America/New_York")
    edt = datetime(2022, 11, 6, 5, 30, tzinfo=UTC)  # 01:30 EDT; an hour later 01:30 EST
    stamps = [edt + timedelta(minutes=m) for m in (60, 0, 20)]
    samples = [
        HistorySample(point_id=ny.id, timestamp=ts, value=float(i)) for i, ts in enumerate(stamps)
    ]
    assert (await client.write_history(samples)).samples_written == 3
    (series,) = await client.read_history(ny.id or "", (edt, edt + timedelta(hours=2)))
    # Datetimes in a repeated hour never equal those of another zone (PEP 495): compare in UTC.
    assert [(s.timestamp.astimezone(UTC), s.value) for s in series.samples] == [
        (edt, 1.0),
        (edt + timedelta(minutes=20), 2.0),
        (edt + timedelta(minutes=60), 0.0),
    ]


async def test_history_goes_in_each_points_zone(
    client: SkysparkClient, skyspark_sim: RunningSimulator
) -> None:
    points = [p for p in await client.read_points_as_models() if p.kind == "Number"]
    ny = next(p for p in points if p.tz == "America/New_York")
    chicago = next(p for p in points if p.tz == "America/Chicago")
    ts = datetime(2022, 6, 1, 12, tzinfo=UTC)
    result = await client.write_history(
        [HistorySample(point_id=p.id, timestamp=ts, value=1.0) for p in (ny, chicago)]
    )
    assert result.samples_written == 2
    history = skyspark_sim.simulator.store().history
    stored = {p.id: next(t for t in history[p.id or ""] if t == ts) for p in (ny, chicago)}
    assert stored[ny.id].tzinfo.key == "America/New_York"  # type: ignore[union-attr]
    assert stored[chicago.id].tzinfo.key == "America/Chicago"  # type: ignore[union-attr]
    # The point moves to another zone behind the client's back: it learns the zone again.
    skyspark_sim.simulator.store().get(ny.id or "")["tz"] = "Denver"  # type: ignore[index]
    again = await client.write_history([HistorySample(point_id=ny.id, timestamp=ts, value=2.0)])
    assert again.samples_written == 1
    assert history[ny.id or ""][ts].val == 2.0
