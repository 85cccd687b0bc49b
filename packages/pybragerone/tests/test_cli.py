from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from pybragerone.cli import main
from pybragerone.protocol.payloads import flatten_parameters
from shared_testing.simulator import RunningSimulator

from .conftest import DEVID


def base_args(info: dict[str, Any], password: str | None = None) -> list[str]:
    return [
        "--email",
        info["email"],
        "--password",
        password or info["password"],
        "--server",
        info["url"],
    ]


def test_once_dumps_the_snapshot_as_json(sim: RunningSimulator) -> None:
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--once", "--object", "439"], out=out) == 0
    dump = json.loads(out.getvalue())
    assert dump["object"]["id"] == 439
    assert dump["modules"] == [DEVID, "FTTCTBSLCF"]
    server = sim.simulator.state.parameters_view(dump["modules"])
    assert dump["parameters"] == flatten_parameters(server)
    family = dump["families"][DEVID]["P4:1"]
    assert (family["label"], family["unit"], family["ha_unit"]) == (
        "Boiler temperature",
        "°C",
        "°C",
    )


def test_module_selection(sim: RunningSimulator) -> None:
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--once", "--module", DEVID, "--no-assets"], out=out) == 0
    dump = json.loads(out.getvalue())
    assert list(dump["parameters"]) == [DEVID]
    assert dump["families"][DEVID]["P4:1"]["label"] == "P4:1"


def test_bad_password_exits_2_without_echoing_it(
    sim: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base_args(sim.info(), "hunter2-secret"), "--once"]) == 2
    err = capsys.readouterr().err
    assert "check the e-mail and password" in err
    assert "hunter2-secret" not in err


def test_unknown_object_and_module_exit_1(
    sim: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base_args(sim.info()), "--once", "--object", "1"]) == 1
    assert "object 1 is not on this account" in capsys.readouterr().err
    assert main([*base_args(sim.info()), "--once", "--module", "NOPE"]) == 1
    assert "not in this object" in capsys.readouterr().err


def test_missing_credentials_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.delenv("PYBRAGERONE_PASSWORD", raising=False)
    monkeypatch.delenv("PYBRAGERONE_EMAIL", raising=False)
    assert main(["--email", "a@b.c"]) == 2
    assert "--password are required" in capsys.readouterr().err


def test_live_view_with_raw_ws(simulator: Any) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0.05)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pybragerone",
            *base_args(sim.info()),
            "--raw-ws",
            "--debug",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "watching 2 module(s) of object 439 (Dom)" in done.stdout
    assert re.search(r"FTTCTBSLCE  P4:1   Boiler temperature = [\d.]+ °C\n", done.stdout)
    changes = [line for line in done.stdout.splitlines() if line.count(" = ") and "(" in line]
    assert changes, "drifting values show up as live change lines"
    assert "app:modules:parameters:change" in done.stderr  # the raw events
    assert sim.info()["password"] not in done.stdout + done.stderr
    tokens = list(sim.simulator.state.tokens)
    assert tokens, "the CLI's session is still open on the server"
    assert not any(token in done.stdout + done.stderr for token in tokens)


def test_interactive_selection(sim: RunningSimulator, monkeypatch: Any) -> None:
    answers = iter(["2", ""])  # object 440 (Garage), then all its modules
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--duration", "0.3"], out=out) == 0
    assert "watching 1 module(s) of object 440 (Garage)" in out.getvalue()


def test_bad_server_url_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--email", "a@b.c", "--password", "pw", "--server", "ftp://x", "--once"]) == 1
    assert "server URL must be" in capsys.readouterr().err
