"""``enableLogging: True`` shows the SDK's lines on the console of a program that configured no
logging (a child process, as a user's script), never a secret, and never twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared_testing import RunningSimulator

PROGRAM = """
import asyncio, json, logging, sys
from ensync_sdk import EnSyncEngine

info, enable, configure = json.loads(sys.argv[1]), sys.argv[2] == "on", sys.argv[3] == "app"
if configure:
    logging.basicConfig(level=logging.DEBUG, format="APP %(name)s %(levelname)s %(message)s")

async def main():
    engine = EnSyncEngine(info["grpc_url"], {"enableLogging": enable})
    me, peer = info["apps"][:2]
    alice = await engine.create_client(me["access_key"])
    bob = await engine.create_client(peer["access_key"], {"app_secret_key": peer["secret_key"]})
    got = asyncio.Queue()
    (await bob.subscribe("logs/demo")).on(got.put)
    event_id = await alice.publish("logs/demo", [peer["app_id"]], {"n": 1})
    event = await asyncio.wait_for(got.get(), 10)
    await asyncio.sleep(0.2)  # let the acknowledgement go out
    print(json.dumps({"event_id": event_id, "seen": event["idem"]}))
    await engine.close()

asyncio.run(main())
"""


def run(node: RunningSimulator, tmp_path: Path, enable: str, configure: str) -> tuple[str, str]:
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(node.info()), enable, configure],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout, done.stderr


def secrets_of(node: RunningSimulator) -> list[str]:
    apps = node.info()["apps"]
    sessions = list(node.simulator.state.sessions)  # type: ignore[attr-defined]
    return [a["access_key"] for a in apps] + [a["secret_key"] for a in apps] + sessions


def test_enable_logging_prints_debug_lines_without_logging_configured(
    node: RunningSimulator, tmp_path: Path
) -> None:
    stdout, stderr = run(node, tmp_path, "on", "none")
    ids = json.loads(stdout)
    assert ids["event_id"] == ids["seen"]
    lines = stderr.splitlines()
    assert any("ensync_sdk INFO: connected over grpc as client" in line for line in lines)
    assert any("ensync_sdk DEBUG: published 'logs/demo' to 1" in line for line in lines)
    assert any(f"ensync_sdk DEBUG: received {ids['seen']}" in line for line in lines)
    assert any(f"ensync_sdk DEBUG: acknowledged {ids['seen']}" in line for line in lines)
    for secret in secrets_of(node):
        assert secret not in stderr


@pytest.mark.parametrize("enable", ["on", "off"])
def test_an_application_that_configured_logging_gets_each_line_once(
    node: RunningSimulator, tmp_path: Path, enable: str
) -> None:
    _, stderr = run(node, tmp_path, enable, "app")
    lines = [line for line in stderr.splitlines() if "ensync_sdk" in line]
    received = [line for line in lines if "DEBUG received" in line]
    if enable == "on":
        assert len(received) == 1  # through the application's handler only
        assert all(line.startswith("APP ensync_sdk") for line in lines)
    else:
        assert received == []  # the SDK's own lines are off without enableLogging
    for secret in secrets_of(node):
        assert secret not in stderr


def test_without_enable_logging_nothing_is_printed(node: RunningSimulator, tmp_path: Path) -> None:
    _, stderr = run(node, tmp_path, "off", "none")
    assert "ensync_sdk" not in stderr
