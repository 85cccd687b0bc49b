"""The quick-start example runs against the simulator, as ``nox -s demo`` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared_testing import RunningSimulator

QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart.py"


def test_quickstart(ensync_sim: RunningSimulator) -> None:
    result = subprocess.run(
        [sys.executable, str(QUICKSTART), json.dumps(ensync_sim.info())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("alice (gRPC) sent 3 encrypted orders")
