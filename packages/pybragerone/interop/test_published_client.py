"""The published py-bragerone (2026.10.1) against the standalone brager simulator.

``nox -s interop`` installs py-bragerone in a Python 3.13 venv of its own and names its
interpreter in ``INTEROP_PYTHON``; the scripts beside this file run with it and print what the
published client got, which these tests check. Its pydantic models validate every answer
strictly, so a record that lacks what the cloud sends fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared_testing.interop import run_published
from shared_testing.standalone import serve

HERE = Path(__file__).parent


def published(script: str, *serve_options: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Serve the simulator, run ``script`` with the published client; (its output, the line)."""
    with serve("brager", *serve_options) as served:
        out = run_published(HERE / script, served.line, timeout=120)
    return json.loads(out), served.info


@pytest.fixture(scope="module")
def rest_run() -> tuple[dict[str, Any], dict[str, Any]]:
    """One run of ``published_rest.py``: its REST calls, then its write, in that order."""
    return published("published_rest.py", "--drift-interval", "0")


def test_published_client_logs_in_and_lists_objects_and_modules(
    rest_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    got, info = rest_run
    assert got["token"] == {"user_id": 7, "objects": [439, 440]}
    assert set(got["version"]) == {"version", "devMode"}
    user = got["user"]
    assert (user["id"], user["email"], user["language"]) == (7, info["email"], "en")
    assert user["activated_at"].startswith("2023-11-13T22:13:20")
    assert "PARAM_WRITE" in got["permissions"]
    assert [(o["id"], o["name"], o["addressCountry"]) for o in got["objects"]] == [
        (439, "Dom", "PL"),
        (440, "Garage", "PL"),
    ]
    assert got["object_status"] == "SUCCESS"
    assert got["object_permissions"]
    # every module row validated (the published client skips rows it cannot read)
    modules = got["modules"]
    assert [m["devid"] for m in modules] == ["FTTCTBSLCE", "FTTCTBSLCF"]
    assert all(m["connectedAt"] > 0 and m["moduleTitle"] for m in modules)
    assert modules[0]["gateway"] == {
        "address": "192.0.2.11",
        "interface": "wifi",
        "version": "2.08",
    }
    assert got["card"]["moduleId"] == modules[0]["id"]
    assert got["menu"]["deviceMenu"] == []


def test_published_client_reads_snapshots_counters_and_writes(
    rest_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    got, _ = rest_run
    status, snapshot = got["parameters"]
    assert status == 200
    assert snapshot["FTTCTBSLCE"]["P4"]["v1"]["value"] == 54.5
    assert snapshot["FTTCTBSLCF"]["P4"]["u1"] == 1
    assert got["activity_quantity"] == [
        200,
        {"activityQuantity": {"FTTCTBSLCE": 0, "FTTCTBSLCF": 0}},
    ]
    assert got["alarms_quantity"] == [200, {"alarmsQuantity": {"FTTCTBSLCE": 0, "FTTCTBSLCF": 0}}]
    # its write body {devid, pool, parameter, value} reaches the module
    assert got["write"][0] == 200
    assert got["after_write"]["value"] == 57
    assert got["raw"] == [200, {"status": "OK"}]
    status, activity = got["activity"]
    assert status == 200
    assert [(row["name"], row["value"], row["prevValue"]) for row in activity["data"]] == [
        ("P6.v1", 57, 55)
    ]
    assert got["alarms"] == [200, {"data": []}]


def test_published_gateway_primes_and_receives_live_changes() -> None:
    got, _ = published("published_live.py", "--drift-interval", "0.2")
    assert (got["object"], got["modules"]) == (439, ["FTTCTBSLCE", "FTTCTBSLCF"])
    assert got["primed"] is True
    assert got["session_up"] is True
    assert got["online"] == {"FTTCTBSLCE": True, "FTTCTBSLCF": True}
    assert got["prime_cells"] == 2 * 49  # every cell of both modules
    assert 50 < got["prime_boiler_temperature"] < 60
    # the write's confirmation and the drifting values came over Socket.IO
    assert got["write_status"] == 200
    assert got["write_echoed"] is True
    live = got["live"]
    assert len(live) > 5
    assert {u["devid"] for u in live} == {"FTTCTBSLCE", "FTTCTBSLCF"}
    temperatures = [u for u in live if u["key"].startswith("P4.v")]
    assert temperatures
    assert all("updatedAt" in u["meta"] and "storable" in u["meta"] for u in temperatures)
    assert got["seqs"] == list(range(len(got["seqs"])))  # the published bus lost nothing
