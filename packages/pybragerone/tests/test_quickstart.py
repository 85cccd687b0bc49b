from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_runs_against_the_simulator(simulator: Any) -> None:
    sim = simulator("brager", drift_interval=0.2)
    done = subprocess.run(
        [sys.executable, str(QUICKSTART), json.dumps(sim.info())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("logged in, object 'Dom' with 2 modules")
    assert "saw it echoed" in last
