from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
from typing import Any

import pytest

from pybragerone.cli import main
from pybragerone.protocol.payloads import values_by_device
from shared_testing.simulator import RunningSimulator

from .conftest import DEVID, cli_command


def base_args(info: dict[str, Any], password: str | None = None) -> list[str]:
    return [
        "--email",
        info["email"],
        "--password",
        password or info["password"],
        "--server",
        info["url"],
    ]


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_once_dumps_the_snapshot_as_json(sim: RunningSimulator) -> None:
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--once", "--object", "439"], out=out) == 0
    dump = json.loads(out.getvalue())
    assert dump["object"]["id"] == 439
    assert dump["modules"] == [DEVID, "FTTCTBSLCF"]
    server = sim.simulator.state.parameters_view(dump["modules"])
    assert dump["parameters"] == values_by_device(server)
    family = dump["families"][DEVID]["P4:1"]
    assert (family["label"], family["unit"], family["ha_unit"]) == (
        "Boiler temperature",
        "°C",
        "°C",
    )


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_module_selection(sim: RunningSimulator) -> None:
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--once", "--module", DEVID, "--no-assets"], out=out) == 0
    dump = json.loads(out.getvalue())
    assert list(dump["parameters"]) == [DEVID]
    assert dump["families"][DEVID]["P4:1"]["label"] == "P4:1"


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_bad_password_exits_2_without_echoing_it(
    sim: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base_args(sim.info(), "hunter2-secret"), "--once"]) == 2
    err = capsys.readouterr().err
    assert "check the e-mail and password" in err
    assert "hunter2-secret" not in err


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_unknown_object_and_module_exit_1(
    sim: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base_args(sim.info()), "--once", "--object", "1"]) == 1
    assert "object 1 is not on this account" in capsys.readouterr().err
    assert main([*base_args(sim.info()), "--once", "--module", "NOPE"]) == 1
    assert "not in this object" in capsys.readouterr().err


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_missing_credentials_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.delenv("PYBRAGERONE_PASSWORD", raising=False)
    monkeypatch.delenv("PYBRAGERONE_EMAIL", raising=False)
    assert main(["--email", "a@b.c"]) == 2
    assert "--password are required" in capsys.readouterr().err


def test_live_view_with_raw_ws(simulator: Any) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0.05)
    done = subprocess.run(
        cli_command(*base_args(sim.info()), "--raw-ws", "--debug", "--duration", "1"),
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


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_interactive_selection(sim: RunningSimulator, monkeypatch: Any) -> None:
    answers = iter(["2", ""])  # object 440 (Garage), then all its modules
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    out = io.StringIO()
    assert main([*base_args(sim.info()), "--duration", "0.3"], out=out) == 0
    assert "watching 1 module(s) of object 440 (Garage)" in out.getvalue()


@pytest.mark.no_blocking  # main() runs an event loop of its own
@pytest.mark.parametrize(
    ("answers", "error"),
    [
        (["0"], "no object number '0'"),  # would have picked the last object
        (["-1"], "no object number '-1'"),
        (["3"], "no object number '3'"),
        (["1", "1,0"], "bad module selection '1,0'"),  # would have added the last module
        (["1", "x"], "bad module selection 'x'"),
    ],
)
def test_interactive_numbers_out_of_range_are_refused(
    sim: RunningSimulator,
    monkeypatch: Any,
    capsys: pytest.CaptureFixture[str],
    answers: list[str],
    error: str,
) -> None:
    replies = iter(answers)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert main([*base_args(sim.info()), "--duration", "0.3"], out=io.StringIO()) == 1
    assert error in capsys.readouterr().err


@pytest.mark.no_blocking  # main() runs an event loop of its own
def test_bad_server_url_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--email", "a@b.c", "--password", "pw", "--server", "ftp://x", "--once"]) == 1
    assert "server URL must be" in capsys.readouterr().err


def interrupted_session(sim: RunningSimulator, *flags: str) -> tuple[int, str, str]:
    """The README's live session, ended with Ctrl-C once a live change was shown.

    Only the address (``PYBRAGERONE_SERVER``) and the credentials point at the simulator;
    the child gets the default Ctrl-C handling a terminal gives it.
    """
    info = sim.info()
    env = {**os.environ, "PYBRAGERONE_SERVER": info["url"]}
    args = ["--email", info["email"], "--password", info["password"], *flags]
    with tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            cli_command(*args),
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        assert child.stdout is not None
        watchdog = threading.Timer(60, child.kill)
        watchdog.start()
        seen: list[str] = []
        try:
            for line in child.stdout:
                seen.append(line)
                if re.match(r"\d\d:\d\d:\d\d \w+ P\d\.\w+ = ", line):  # a live change
                    break
            child.send_signal(signal.SIGINT)
            rest, _ = child.communicate(timeout=30)
        finally:
            watchdog.cancel()
        err.seek(0)
        return child.returncode, "".join(seen) + rest, err.read()


@pytest.mark.parametrize("flag", ["--debug", "--raw-ws"])
def test_ctrl_c_ends_the_live_session_cleanly(simulator: Any, flag: str) -> None:
    sim: RunningSimulator = simulator("brager", drift_interval=0.05)
    code, out, err = interrupted_session(sim, flag)
    assert code == 0, err
    assert "Traceback" not in err
    assert "CancelledError" not in err
    assert "watching 2 module(s) of object 439 (Dom); Ctrl-C stops" in out
    assert re.search(r"FTTCTBSLCE  P4:1   Boiler temperature = [\d.]+ °C", out)
    assert "app:modules:parameters:change" in err  # both flags log the raw events
    if flag == "--debug":
        assert "DEBUG pybragerone.core.client: logged in" in err
    else:
        assert "DEBUG pybragerone.core.client" not in err  # --raw-ws alone: only raw events
