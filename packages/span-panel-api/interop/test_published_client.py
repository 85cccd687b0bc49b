"""The published span-panel-api 1.1.3 against our standalone span simulator (``nox -s interop``).

The simulator answers as the real panel does (its recorded answers are in ``tests/data``); here
the real upstream client proves it can authenticate, read status, panel, circuits and storage,
build its unmapped-tab virtual circuits, and switch a relay. Every check is on what the
published client got.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from shared_testing.interop import run_published
from shared_testing.standalone import serve

FLOW = Path(__file__).with_name("published_flow.py")
CIRCUIT = "kitchen_outlets"


@pytest.fixture(scope="module")
def got() -> tuple[dict[str, Any], dict[str, Any]]:
    """Serve a panel, run the published client's flow once, return (info, result)."""
    with serve("span") as served:
        url = urlsplit(served.info["url"])
        assert url.hostname is not None
        assert url.port is not None
        out = run_published(FLOW, url.hostname, str(url.port), CIRCUIT, timeout=120)
    return served.info, json.loads(out.strip().splitlines()[-1])


def test_authenticate_and_status(got: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """A token came back and the status names the served panel."""
    info, result = got
    assert result["token_type"] == "str"
    assert result["token_length"] >= 16
    assert result["serial"] == info["serial"]
    assert result["door_state"] == "CLOSED"
    assert result["firmware"]


def test_panel_state(got: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """32 branches with relay states, the main relay and the grid power."""
    _, result = got
    branches = result["branches"]
    assert [b["id"] for b in branches] == list(range(1, 33))
    assert {b["relay"] for b in branches} <= {"OPEN", "CLOSED"}
    assert result["main_relay"] == "CLOSED"
    assert isinstance(result["grid_power"], float)


def test_circuits_with_unmapped_tab_virtual_circuits(
    got: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Every tab no circuit covers became a virtual circuit carrying its branch's power."""
    _, result = got
    circuits = result["circuits"]
    real = {cid: c for cid, c in circuits.items() if not cid.startswith("unmapped_tab_")}
    assert CIRCUIT in real
    mapped = {tab for c in real.values() for tab in c["tabs"]}
    unmapped = set(range(1, 33)) - mapped
    assert unmapped  # the default panel leaves tabs unmapped: 1.1.3 turns each into a circuit
    virtual = {cid: c for cid, c in circuits.items() if cid.startswith("unmapped_tab_")}
    assert set(virtual) == {f"unmapped_tab_{tab}" for tab in unmapped}
    power = {b["id"]: b["power"] for b in result["branches"]}
    for tab in unmapped:
        circuit = virtual[f"unmapped_tab_{tab}"]
        assert circuit["tabs"] == [tab]
        assert circuit["name"] == f"Unmapped Tab {tab}"
        assert circuit["relay"] == "UNKNOWN"
        assert circuit["controllable"] is False
        assert circuit["power"] == pytest.approx(power[tab])


def test_storage(got: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The state of energy is a percentage."""
    _, result = got
    assert 0 <= result["soe"] <= 100


def test_relay_switch(got: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The relay the client opened reads back OPEN."""
    _, result = got
    assert result["circuits"][CIRCUIT]["relay"] == "CLOSED"
    assert result["relay_after"] == "OPEN"
