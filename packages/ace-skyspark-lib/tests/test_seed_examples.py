"""The calls of the original README (the seed), one test per section, against the simulator.

Each test makes the same calls with the same names, keywords and return shapes as the seed
shows (``created[0]["id"]["val"]``, ``s.get("refName")``, ``result.samples_written``, ...);
only the address and credentials point at the simulator. The records the seed refers to by id
(``p:demo:r:abc123``, ``p:demo:r:site_id``, ...) are added to the simulator first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ace_skyspark_lib import Equipment, HistorySample, Point, Site, SkysparkClient
from ace_skyspark_lib.exceptions import (
    AuthenticationError,
    CommitError,
    ServerError,
    SkysparkConnectionError,
)
from ace_skyspark_lib.kinds import Marker, Number, Ref
from shared_testing import RunningSimulator


def _add(sim: RunningSimulator, **tags: Any) -> None:
    sim.simulator.store().commit("add", [tags], force=False)


@pytest.fixture
def seed_sim(skyspark_sim: RunningSimulator) -> RunningSimulator:
    """The simulator holding the records the seed's examples name."""
    _add(
        skyspark_sim,
        id=Ref("p:demo:r:site_id"),
        dis="Main Office",
        site=Marker,
        tz="New_York",
        area=Number(45_000, "ft²"),
        refName="main_office",
    )
    _add(
        skyspark_sim,
        id=Ref("p:demo:r:equip_id"),
        dis="Main AHU",
        equip=Marker,
        siteRef=Ref("p:demo:r:site_id"),
    )
    for key in ("abc123", "point1"):
        _add(
            skyspark_sim,
            id=Ref(f"p:demo:r:{key}"),
            dis=f"Zone Temp {key}",
            point=Marker,
            his=Marker,
            sensor=Marker,
            kind="Number",
            unit="°F",
            tz="New_York",
            siteRef=Ref("p:demo:r:site_id"),
            equipRef=Ref("p:demo:r:equip_id"),
            refName=f"zone_temp_{key}",
        )
    _add(skyspark_sim, id=Ref("p:demo:r:entity_id"), dis="Scratch", equip=Marker)
    return skyspark_sim


def _client(sim: RunningSimulator) -> SkysparkClient:
    info = sim.info()
    return SkysparkClient(
        base_url=info["url"],
        project=info["project"],
        username=info["username"],
        password=info["password"],
        timeout=30.0,
    )


async def test_quick_start(seed_sim: RunningSimulator) -> None:
    async with _client(seed_sim) as client:
        sites = await client.read_sites()
        assert len(sites) == 3
        new_site = Site(
            dis="My Building",
            tz="America/New_York",
            refName="building_001",
            area_sqft=50000.0,
            marker_tags=["office"],
        )
        created = await client.create_sites([new_site])
        site_id = created[0]["id"]["val"]
        samples = [
            HistorySample(point_id="p:demo:r:abc123", timestamp=datetime.now(UTC), value=72.5)
        ]
        result = await client.write_history(samples)
        assert result.samples_written == 1
    assert isinstance(site_id, str)
    assert site_id.startswith("p:demo:r:")
    stored = seed_sim.simulator.store().get(site_id)
    assert stored is not None
    assert stored["area"] == Number(50000.0, "ft²")
    assert stored["tz"] == "New_York"  # the IANA name given, the Haystack name on the wire
    assert stored["office"] is Marker
    (ts,) = seed_sim.simulator.store().history["p:demo:r:abc123"]
    assert ts.tzinfo is not None
    assert ts.tzinfo.key == "America/New_York"


async def test_authentication(seed_sim: RunningSimulator) -> None:
    async with _client(seed_sim) as client:
        assert client.username == seed_sim.info()["username"]
    assert seed_sim.simulator.auth.tokens == {}


async def test_creating_entities(seed_sim: RunningSimulator) -> None:
    async with _client(seed_sim) as client:
        sites = await client.create_sites(
            [
                Site(dis="Building A", tz="America/New_York", refName="bldg_a"),
                Site(dis="Building B", tz="America/Chicago", refName="bldg_b"),
            ]
        )
        equipment = await client.create_equipment(
            [
                Equipment(
                    dis="AHU-1",
                    site_ref="p:demo:r:site_id",
                    refName="ahu_1",
                    marker_tags=["ahu", "hvac"],
                )
            ]
        )
        points = await client.create_points(
            [
                Point(
                    dis="Temperature Sensor",
                    kind="Number",
                    unit="°F",
                    site_ref="p:demo:r:site_id",
                    equip_ref="p:demo:r:equip_id",
                    refName="temp_sensor_1",
                    marker_tags=["sensor", "temp"],
                )
            ]
        )
    assert [s["tz"] for s in sites] == ["New_York", "Chicago"]
    assert [s.tz for s in sites] == ["America/New_York", "America/Chicago"]
    assert equipment[0]["siteRef"]["val"] == "p:demo:r:site_id"
    assert equipment[0]["ahu"] is Marker
    assert points[0]["equipRef"]["val"] == "p:demo:r:equip_id"
    assert points[0]["unit"] == "°F"
    assert points[0].get("temp") is Marker


async def test_reading_entities(
    seed_sim: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async with _client(seed_sim) as client:
        site = await client.read_by_id("p:demo:r:site_id")
        equipment = await client.read_equipment(site_ref="p:demo:r:site_id")
        points = await client.read_points(equip_ref="p:demo:r:equip_id")
        results = await client.read("site and area > 10000")
        models = await client.read_points_as_models(site_ref="p:demo:r:site_id")
        for point in models:
            print(f"{point.dis}: {point.kind} ({point.unit})")
    assert site is not None
    assert site["id"]["val"] == "p:demo:r:site_id"
    assert [e["id"]["val"] for e in equipment] == ["p:demo:r:equip_id"]
    assert len(points) == 2
    assert "p:demo:r:site_id" in [r["id"]["val"] for r in results]
    assert len(results) == 3  # with the simulator's two seeded sites, both larger
    assert all(r["area"]["val"] > 10000 for r in results)
    assert "Zone Temp abc123: Number (°F)" in capsys.readouterr().out


async def test_updating_entities(seed_sim: RunningSimulator) -> None:
    async with _client(seed_sim) as client:
        points = await client.read_points_as_models(site_ref="p:demo:r:site_id")
        point = points[0]
        point.marker_tags.append("critical")
        point.kv_tags["priority"] = "high"
        updated = await client.update_points([point])
    assert updated[0]["critical"] is Marker
    assert updated[0]["priority"] == "high"
    stored = seed_sim.simulator.store().get(point.id or "")
    assert stored is not None
    assert stored["priority"] == "high"
    assert stored["critical"] is Marker


async def test_deleting_entities(seed_sim: RunningSimulator) -> None:
    async with _client(seed_sim) as client:
        await client.delete_entity("p:demo:r:entity_id")
    assert seed_sim.simulator.store().get("p:demo:r:entity_id") is None


async def test_writing_history(seed_sim: RunningSimulator) -> None:
    now = datetime.now(UTC)
    samples = [
        HistorySample(
            point_id="p:demo:r:point1",
            timestamp=now - timedelta(hours=i),
            value=70.0 + i * 0.5,
        )
        for i in range(24)
    ]
    async with _client(seed_sim) as client:
        result = await client.write_history(samples)
    assert (result.success, result.samples_written) == (True, 24)
    stored = seed_sim.simulator.store().history["p:demo:r:point1"]
    assert sorted(v.val for v in stored.values()) == sorted(70.0 + i * 0.5 for i in range(24))


async def test_bulk_writing_with_chunking(seed_sim: RunningSimulator) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    large_batch = [
        HistorySample(point_id=p, timestamp=start + timedelta(minutes=5 * i), value=float(i))
        for i in range(5_000)
        for p in ("p:demo:r:point1", "p:demo:r:abc123")
    ]
    async with _client(seed_sim) as client:
        results = await client.write_history_chunked(
            samples=large_batch,
            chunk_size=1000,
            max_concurrent=3,
        )
    total_written = sum(r.samples_written for r in results)
    assert (total_written, len(results)) == (10_000, 10)
    assert all(r.success for r in results)


def test_configuration_options(seed_sim: RunningSimulator) -> None:
    info = seed_sim.info()
    client = SkysparkClient(
        base_url=info["url"],
        project=info["project"],
        username=info["username"],
        password=info["password"],
        timeout=30.0,
        max_retries=3,
        pool_size=10,
    )
    assert client.base_url == info["url"]


async def test_error_handling(seed_sim: RunningSimulator) -> None:
    info = seed_sim.info()
    caught: list[type[Exception]] = []
    try:
        async with SkysparkClient(
            info["url"], info["project"], info["username"], "wrong"
        ) as client:
            await client.read_sites()
    except AuthenticationError:
        caught.append(AuthenticationError)
    except (ServerError, SkysparkConnectionError, CommitError):  # pragma: no cover
        caught.append(ServerError)
    assert caught == [AuthenticationError]


async def test_idempotent_operations(seed_sim: RunningSimulator) -> None:
    async def find_or_create(client: SkysparkClient) -> tuple[str, str]:
        all_sites = await client.read("site")
        existing = [s for s in all_sites if s.get("refName") == "my_site"]
        if existing:
            return "found", existing[0]["id"]["val"]
        new_site = Site(dis="My Site", refName="my_site", tz="America/Denver")
        created = await client.create_sites([new_site])
        return "created", created[0]["id"]["val"]

    async with _client(seed_sim) as client:
        first = await find_or_create(client)
        second = await find_or_create(client)
    assert first[0] == "created"
    assert second == ("found", first[1])
