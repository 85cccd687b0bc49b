"""The quickstart (what ``nox -s demo`` runs) against the simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared_testing import RunningSimulator

ROOT = Path(__file__).parents[1]


def test_quickstart_polls_two_simulated_devices(bluetti_sim: RunningSimulator) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py"), json.dumps(bluetti_sim.info())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("runtime polled 2 devices (EL100V2 SOC ")
    assert "written to JSONL and read back" in last
