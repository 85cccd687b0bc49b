"""examples/quickstart.py against a simulator started like ``nox -s demo`` does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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
        result = subprocess.run(
            [sys.executable, str(QUICKSTART), line],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        last = result.stdout.strip().splitlines()[-1]
        assert last.startswith("read 2 sites, 3 equips and 15 points, wrote 108 samples")
    finally:
        server.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        server.wait(10)
