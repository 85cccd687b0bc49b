"""examples/quickstart.py against a simulator started like ``nox -s demo`` does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from shared_testing.docs import run_quickstart

QUICKSTART = Path(__file__).parents[1] / "examples" / "quickstart.py"


def test_quickstart_against_the_cli_simulator() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "shared_testing", "serve", "skyspark"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        info = json.loads(line)
        assert info["system"] == "skyspark"
        assert info["url"].endswith("/api")
        last = run_quickstart(QUICKSTART, line)
        assert last.startswith("read 2 sites, 3 equips and 15 points, wrote 108 samples")
    finally:
        server.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        server.wait(10)
