"""The quick-start example runs against the simulator, as ``nox -s demo`` runs it."""

from __future__ import annotations

from pathlib import Path

from shared_testing import RunningSimulator
from shared_testing.docs import run_quickstart

QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart.py"


def test_quickstart(ensync_sim: RunningSimulator) -> None:
    last = run_quickstart(QUICKSTART, ensync_sim.info())
    assert last.startswith("alice (gRPC) sent 3 encrypted orders")
