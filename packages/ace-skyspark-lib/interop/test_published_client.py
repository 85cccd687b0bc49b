"""The published ace-skyspark-lib 0.1.36 runs the seed's whole flow against our simulator.

``nox -s interop`` installs the published client in a venv of its own and sets
``INTEROP_PYTHON``; the scripts beside this file run with that interpreter against the
standalone simulator (``python -m shared_testing serve skyspark``). The tests check what the
published client got back, and what the server holds afterwards (read with this repository's
client over HTTP).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ace_skyspark_lib import SkysparkClient
from shared_testing.interop import run_published
from shared_testing.standalone import ServedSimulator, serve

HERE = Path(__file__).parent


def published(script: str, *args: str) -> dict[str, Any]:
    """Run one script with the published client; its last stdout line is a JSON object."""
    lines = run_published(HERE / script, *args).strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    return result


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSimulator]:
    """The standalone simulator, one for the module (as a user starts it)."""
    with serve("skyspark") as running:
        yield running


@pytest.fixture(scope="module")
def flow(served: ServedSimulator) -> dict[str, Any]:
    """What the published client got running the seed flow (seed_flow.py)."""
    return published("seed_flow.py", served.line)


def server_state(info: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """What the simulator holds for ``ids``, read with this repository's client."""

    async def read() -> dict[str, Any]:
        async with SkysparkClient(
            info["url"], info["project"], info["username"], info["password"]
        ) as client:
            rows = await client.read_by_ids(ids)
            history = await client.read_history(
                ids[-1], (datetime(2000, 1, 1).date(), datetime(2100, 1, 1).date())
            )
            return {"rows": rows, "history": history[0]}

    return asyncio.run(read())


def test_reads_sites_in_haystack_4_json(flow: dict[str, Any]) -> None:
    """Rows come as Hayson objects the published client understands."""
    assert flow["sites_before"] == 2
    assert flow["site_row_kinds"]["id"] == "ref"
    assert flow["site_row_kinds"]["site"] == "marker"
    assert flow["site_row_kinds"]["area"] == "number"
    assert flow["site_row_kinds"]["mod"] == "dateTime"


def test_creates_site_equip_point_with_id_val(flow: dict[str, Any]) -> None:
    """``created[0]["id"]["val"]`` is the new id; refs link the three records."""
    site = flow["site"]["created"]
    assert flow["site"]["id"] == site["id"]["val"]
    assert site["id"] == {"_kind": "ref", "val": flow["site"]["id"], "dis": "My Building"}
    assert site["site"] == {"_kind": "marker"}
    assert site["office"] == {"_kind": "marker"}
    assert site["refName"] == "building_001"
    assert site["mod"]["_kind"] == "dateTime"
    assert site["mod"]["tz"] == "UTC"
    point = flow["point_created"]
    assert point["siteRef"]["val"] == flow["site"]["id"]
    assert point["equipRef"]["val"] == flow["equip_id"]
    assert point["unit"] == "°F"
    assert point["kind"] == "Number"
    assert {"point", "his", "sensor", "temp"} <= {
        name for name, value in point.items() if value == {"_kind": "marker"}
    }


def test_writes_24_samples_by_batch_his_write_and_3_by_eval_all(flow: dict[str, Any]) -> None:
    """Its batch hisWrite and its evalAll hisWrite expressions both succeed."""
    assert flow["write"] == {
        "success": True,
        "samples_written": 24,
        "method": "batch_http",
        "error": None,
    }
    assert flow["write_rpc"] == {
        "success": True,
        "samples_written": 3,
        "method": "rpc",
        "error": None,
    }


def test_reads_points_as_models_and_updates(flow: dict[str, Any]) -> None:
    """read_points_as_models, update_points, get_project_timezone, read_by_ids."""
    assert flow["models"] == [
        {
            "id": flow["point_id"],
            "dis": "Temperature Sensor",
            "kind": "Number",
            "unit": "°F",
            "tz": "UTC",
            "his": True,
            "marker_tags": ["sensor", "temp"],
        }
    ]
    updated = flow["updated"]
    assert updated["critical"] == {"_kind": "marker"}
    assert updated["priority"] == "high"
    assert updated["mod"]["val"] > flow["point_created"]["mod"]["val"]
    assert flow["timezone"] == "UTC"
    assert flow["read_by_ids"][0]["id"]["val"] == flow["site"]["id"]
    assert flow["read_by_ids"][1] == {}


def test_server_holds_what_the_published_client_wrote(
    served: ServedSimulator, flow: dict[str, Any]
) -> None:
    """The simulator stored the samples and tags the published client sent."""
    ids = [flow["site"]["id"], flow["equip_id"], flow["point_id"]]
    state = server_state(served.info, ids)
    site, _, point = state["rows"]
    assert site["tz"] == "America/New_York"  # the published client sends the IANA name as given
    assert point["priority"] == "high"
    samples = state["history"].samples
    assert len(samples) == 27
    first = datetime.fromisoformat(flow["first_sample"])
    recent = [s for s in samples if s.timestamp >= first]
    assert [s.value for s in recent] == [70.0 + i * 0.5 for i in reversed(range(24))]
    assert recent[0].timestamp == first
    assert recent[-1].timestamp == first + timedelta(hours=23)
    assert [s.value for s in samples[:3]] == [62.0, 61.0, 60.0]


def test_deletes(served: ServedSimulator, flow: dict[str, Any]) -> None:
    """delete_entity removes the point, the equip and the site."""
    ids = [flow["point_id"], flow["equip_id"], flow["site"]["id"]]
    result = published("delete_flow.py", served.line, *ids)
    assert result == {"deleted": ids, "left": []}

    async def read() -> list[dict[str, Any]]:
        info = served.info
        async with SkysparkClient(
            info["url"], info["project"], info["username"], info["password"]
        ) as client:
            return await client.read_by_ids(ids)

    assert asyncio.run(read()) == []
