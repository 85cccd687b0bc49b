"""examples/quickstart.py (what ``nox -s demo`` runs) against the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared_testing.docs import run_quickstart

QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_runs_against_the_simulator(simulator: Any) -> None:
    sim = simulator("brager", drift_interval=0.2)
    last = run_quickstart(QUICKSTART, sim.info())
    assert last.startswith("logged in, object 'Dom' with 2 modules")
    assert "saw it echoed" in last
