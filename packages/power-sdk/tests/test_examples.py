"""The quickstart (what ``nox -s demo`` runs) against the simulator."""

from __future__ import annotations

from pathlib import Path

from shared_testing import RunningSimulator
from shared_testing.docs import run_quickstart

QUICKSTART = Path(__file__).parents[1] / "examples" / "quickstart.py"


def test_quickstart_polls_two_simulated_devices(bluetti_sim: RunningSimulator) -> None:
    last = run_quickstart(QUICKSTART, bluetti_sim.info())
    assert last.startswith("runtime polled 2 devices (EL100V2 SOC ")
    assert "written to JSONL and read back" in last
