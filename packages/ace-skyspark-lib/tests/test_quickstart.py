"""examples/quickstart.py against a simulator started like ``nox -s demo`` does."""

from __future__ import annotations

from pathlib import Path

from shared_testing.docs import run_quickstart
from shared_testing.standalone import serve

QUICKSTART = Path(__file__).parents[1] / "examples" / "quickstart.py"


def test_quickstart_against_the_cli_simulator() -> None:
    with serve("skyspark") as served:
        assert served.info["system"] == "skyspark"
        assert served.info["url"].endswith("/api")
        last = run_quickstart(QUICKSTART, served.line)
        assert last.startswith("read 2 sites, 3 equips and 15 points, wrote 108 samples")
