"""Parsing: recorded panel answers, generated models, and the unmapped-tab virtual circuits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from span_panel_api.generated_client.models import (
    BatteryStorage,
    Branch,
    Circuit,
    CircuitsOut,
    PanelState,
    StatusOut,
)
from span_panel_api.model_check import check_model
from span_panel_api.simulation import SimulationEngine
from span_panel_api.unmapped import add_unmapped_tab_circuits, is_unmapped_circuit_id

# Answers recorded from a real panel (copied into the package so a fresh clone has them).
RECORDED = Path(__file__).resolve().parent / "data"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def test_recorded_status_parses() -> None:
    status = StatusOut.from_dict(recorded("status.json"))
    check_model(status)  # a real panel's answer passes the client's type checks
    assert status.system.serial == "sim-serial-123"
    assert status.system.door_state == "CLOSED"
    assert status.to_dict() == recorded("status.json")


def test_recorded_panel_parses() -> None:
    panel = PanelState.from_dict(recorded("panel.json"))
    check_model(panel)
    assert len(panel.branches) == 32
    assert panel.branches[29].imported_active_energy_wh == pytest.approx(3803558.75)
    assert panel.to_dict() == recorded("panel.json")


def test_recorded_circuits_parse_and_unmapped_tabs_appear() -> None:
    circuits = CircuitsOut.from_dict(recorded("circuits.json"))
    check_model(circuits)
    assert len(circuits.circuits.additional_properties) == 22
    assert circuits.to_dict() == recorded("circuits.json")
    panel = PanelState.from_dict(recorded("panel.json"))
    add_unmapped_tab_circuits(circuits, panel, now_s=1_700_000_000)
    virtual = sorted(k for k in circuits.circuits.additional_keys if is_unmapped_circuit_id(k))
    assert virtual == ["unmapped_tab_27", "unmapped_tab_28", "unmapped_tab_30", "unmapped_tab_32"]
    solar = circuits.circuits["unmapped_tab_30"]
    assert solar.instant_power_w == pytest.approx(1795.173095703125)
    assert solar.produced_energy_wh == pytest.approx(3803558.75)  # imported = production
    assert solar.consumed_energy_wh == pytest.approx(3022.763427734375)


def test_recorded_soe_parses() -> None:
    soe = BatteryStorage.from_dict(recorded("soe.json"))
    check_model(soe)
    assert soe.soe.percentage == 95


def test_engine_answers_parse_and_round_trip() -> None:
    engine = SimulationEngine(seed=3)
    for model, answer in (
        (StatusOut, engine.status()),
        (PanelState, engine.panel_state()),
        (CircuitsOut, engine.circuits()),
        (BatteryStorage, engine.storage_soe()),
    ):
        parsed = model.from_dict(answer)
        check_model(parsed)
        assert parsed.to_dict() == answer


relay = st.sampled_from(["OPEN", "CLOSED", "UNKNOWN"])
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
branch_dicts = st.builds(
    lambda i, r, p, imp, exp: {
        "id": i,
        "relayState": r,
        "instantPowerW": p,
        "importedActiveEnergyWh": imp,
        "exportedActiveEnergyWh": exp,
        "measureStartTsMs": 1,
        "measureDurationMs": 2,
        "isMeasureValid": True,
    },
    st.integers(1, 64),
    relay,
    finite,
    finite,
    finite,
)


@settings(max_examples=60, deadline=None)
@given(branch_dicts)
def test_branch_parse_round_trips(raw: dict[str, Any]) -> None:
    assert Branch.from_dict(raw).to_dict() == raw


def _panel(branches: list[Branch]) -> PanelState:
    return PanelState.from_dict(
        {
            "mainRelayState": "CLOSED",
            "mainMeterEnergy": {"producedEnergyWh": 0, "consumedEnergyWh": 0},
            "instantGridPowerW": 0,
            "feedthroughPowerW": 0,
            "feedthroughEnergy": {"producedEnergyWh": 0, "consumedEnergyWh": 0},
            "gridSampleStartMs": 0,
            "gridSampleEndMs": 0,
            "dsmGridState": "DSM_GRID_UP",
            "dsmState": "DSM_ON_GRID",
            "currentRunConfig": "PANEL_ON_GRID",
            "branches": [b.to_dict() for b in branches],
        }
    )


def _circuit(circuit_id: str, tabs: list[int]) -> Circuit:
    return Circuit.from_dict(
        {
            "id": circuit_id,
            "name": circuit_id,
            "relayState": "CLOSED",
            "instantPowerW": -1.0,
            "instantPowerUpdateTimeS": 0,
            "producedEnergyWh": 0,
            "consumedEnergyWh": 0,
            "energyAccumUpdateTimeS": 0,
            "tabs": tabs,
            "priority": "MUST_HAVE",
            "isUserControllable": True,
            "isSheddable": False,
            "isNeverBackup": False,
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(1, 40),
    mapped=st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=2), max_size=12),
    data=st.data(),
)
def test_every_tab_is_covered_exactly_once(
    total: int, mapped: list[list[int]], data: st.DataObject
) -> None:
    powers = data.draw(st.lists(finite, min_size=total, max_size=total))
    branches = [
        Branch.from_dict(
            {
                "id": tab,
                "relayState": "CLOSED",
                "instantPowerW": power,
                "importedActiveEnergyWh": abs(power) * 2,
                "exportedActiveEnergyWh": abs(power) * 3,
                "measureStartTsMs": 0,
                "measureDurationMs": 0,
                "isMeasureValid": True,
            }
        )
        for tab, power in enumerate(powers, start=1)
    ]
    circuits = CircuitsOut.from_dict({"circuits": {}})
    for index, tabs in enumerate(mapped):
        circuits.circuits[f"c{index}"] = _circuit(f"c{index}", tabs)
    add_unmapped_tab_circuits(circuits, _panel(branches), now_s=5)
    covered = {
        tab for c in circuits.circuits.additional_properties.values() for tab in c.tabs or []
    }
    assert set(range(1, total + 1)) <= covered
    for tab in range(1, total + 1):
        virtual = circuits.circuits.additional_properties.get(f"unmapped_tab_{tab}")
        is_mapped = any(tab in tabs for tabs in mapped)
        assert (virtual is None) == is_mapped
        if virtual is not None:
            branch = branches[tab - 1]
            assert virtual.instant_power_w == branch.instant_power_w
            assert virtual.produced_energy_wh == branch.imported_active_energy_wh
            assert virtual.consumed_energy_wh == branch.exported_active_energy_wh
            assert virtual.tabs == [tab]
