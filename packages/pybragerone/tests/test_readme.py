"""Every code example of README.md runs against the simulator, so README and code cannot drift."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared_testing.docs import code_blocks, run_code_block
from shared_testing.simulator import RunningSimulator

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON = code_blocks(README, "python")
CLI_LINES = [
    line
    for code in code_blocks(README, "bash")
    for line in code.splitlines()
    if line.startswith("pybragerone-cli ")
]


def localise(code: str, info: dict[str, Any]) -> str:
    """Point an example at the simulator: its account and URL instead of the real cloud's."""
    code = code.replace('"you@example.com"', json.dumps(info["email"]))
    code = code.replace('"your-password"', json.dumps(info["password"]))
    code = code.replace("server=BRAGERONE", f"server=BragerServer.from_url({info['url']!r})")
    return "from pybragerone import BragerServer\n" + code


def test_readme_has_the_examples() -> None:
    assert len(PYTHON) >= 5
    assert len(CLI_LINES) >= 2


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_example_runs(
    index: int, simulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0)
    code = localise(PYTHON[index], sim.info())
    run_code_block(code, source=f"README.md python block {index}")
    out = capsys.readouterr().out
    assert out.strip(), "every example prints what it did"
    expected = {
        0: "boiler temperature: 54.5",
        1: "confirmed P6.v1 = 58",
        -1: "Boiler temperature 54.5 °C HA unit: °C",
        2: "[(1, 20.5), (2, 20.6), (3, 20.7)]",
        3: "Boiler temperature °C °C",
        4: "not confirmed: E_DISPATCH_EVENT_TIMEOUT",
        5: "after revoke: None",
    }
    assert expected[index] in out
    if index == 1:
        assert expected[-1] in out


@pytest.mark.parametrize("line", CLI_LINES)
def test_cli_example_runs(line: str, simulator: Any) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0)
    info = sim.info()
    args = shlex.split(line)[1:]
    args = [
        {"you@example.com": info["email"], "your-password": info["password"]}.get(a, a)
        for a in args
    ]
    args += ["--server", info["url"]]
    if "--once" not in args:
        args += ["--duration", "0.5"]
    done = subprocess.run(
        [sys.executable, "-m", "pybragerone", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "FTTCTBSLCE" in done.stdout
