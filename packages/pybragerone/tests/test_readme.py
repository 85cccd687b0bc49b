"""Every code example of README.md runs against the simulator, so README and code cannot drift."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shared_testing.blocking import script_command  # blocking calls on its loop caught
from shared_testing.docs import code_blocks, run_code_block
from shared_testing.simulator import RunningSimulator

from .conftest import cli_command

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON = code_blocks(README, "python")
CLI_LINES = [
    line
    for code in code_blocks(README, "bash")
    for line in code.splitlines()
    if line.startswith("pybragerone-cli ")
]

# What each block prints (a line or a part of one), in README order.
EXPECTED: list[list[str]] = [
    ["FTTCTBSLCE P4.v1 -> 54.5", "FTTCTBSLCF P6.v1 -> 55", "boiler temperature: 54.5"],
    ["prime: 2 modules, families per module {'FTTCTBSLCE': 14, 'FTTCTBSLCF': 14}"],
    [
        "FTTCTBSLCE P4.v1 20.5 {'storable': True, 'updatedAt': 1700000000}",
        "FTTCTBSLCE P4.u1 1 {}",
    ],
    ["Boiler temperature °C °C temperature", "True", "m³/h bar percentage"],
    [
        "Dom Kraków [('FTTCTBSLCE', 'HT DasPell GL 25kW', True), "
        "('FTTCTBSLCF', 'Buffer controller', True)]",
        "installed for Jan Kowalski in Warszawa",
    ],
    ["confirmed P6.v1 = 58", "Boiler temperature 54.5 °C HA: °C temperature", "58 14 families"],
    ["[(1, 20.5), (2, 20.6), (3, 20.7)]", "[2, 3] dropped: 1"],
    ["login refused: login to", "not confirmed: E_DISPATCH_EVENT_TIMEOUT"],
    ["token saved: True expires: ", "after revoke: None"],
]
# The blocks written as the pybragerone README writes its examples: run as scripts too.
SCRIPTS = [0, 1]


def localise(code: str, info: dict[str, Any]) -> str:
    """Point an example at the simulator: its address and account instead of the cloud's."""
    server = f"BragerServer.from_url({info['url']!r})"
    code = code.replace('"you@example.com"', json.dumps(info["email"]))
    code = code.replace('"your-password"', json.dumps(info["password"]))
    code = code.replace("server=BRAGERONE", f"server={server}")
    code = code.replace("BragerApiClient()", f"BragerApiClient(server={server})")
    code = code.replace("asyncio.sleep(30)", "asyncio.sleep(0.5)")
    return "from pybragerone import BragerServer\n" + code


def test_readme_has_the_examples() -> None:
    assert len(PYTHON) == len(EXPECTED)
    assert len(CLI_LINES) == 2


@pytest.mark.no_blocking  # each example runs an event loop of its own
@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_example_runs(
    index: int, simulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0)
    code = localise(PYTHON[index], sim.info())
    run_code_block(code, source=f"README.md python block {index}")
    out = capsys.readouterr().out
    for expected in EXPECTED[index]:
        assert expected in out


@pytest.mark.parametrize("index", SCRIPTS)
def test_readme_style_example_runs_as_a_script_and_leaves_nothing_open(
    index: int, simulator: Any, tmp_path: Path
) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0.1)
    script = tmp_path / f"example_{index}.py"
    script.write_text(localise(PYTHON[index], sim.info()), encoding="utf-8")
    done = subprocess.run(
        script_command(script, python_options=["-W", "error::ResourceWarning"]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no unclosed session, no traceback, no warning
    if index == 0:  # the simulator's values drift: the snapshot's 98 values, then changes
        assert done.stdout.count(" -> ") > 98
        assert re.search(r"^boiler temperature: \d+\.\d$", done.stdout, re.M)
    else:
        assert EXPECTED[index][-1] in done.stdout


@pytest.mark.parametrize("line", CLI_LINES)
def test_cli_example_runs(line: str, simulator: Any) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0.05)
    info = sim.info()
    args = shlex.split(line)[1:]
    args = [
        {"you@example.com": info["email"], "your-password": info["password"]}.get(a, a)
        for a in args
    ]
    done = subprocess.run(
        cli_command(*args, "--duration", "0.5"),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYBRAGERONE_SERVER": info["url"]},
    )
    assert done.returncode == 0, done.stderr
    assert "watching 2 module(s) of object 439 (Dom)" in done.stdout
    assert "app:modules:parameters:change" in done.stderr  # raw events: both flags log them
    if "--debug" in args:
        assert "DEBUG pybragerone.core.client: logged in" in done.stderr
