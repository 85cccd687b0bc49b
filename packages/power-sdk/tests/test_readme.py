"""Every code example of README.md runs against the simulator, so docs and code cannot drift."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from power_sdk.runtime import default_registry, parse_config
from power_sdk.runtime.checks import check_devices
from shared_testing import RunningSimulator
from shared_testing.docs import code_blocks, run_code_block

from .pki import PASSWORD, Pki

README = Path(__file__).parents[1] / "README.md"


def blocks(language: str) -> list[str]:
    return code_blocks(README, language)


@pytest.mark.no_blocking
def test_python_examples_run_against_the_simulator(
    bluetti_on_broker: RunningSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    device = bluetti_on_broker.info()["devices"][0]
    monkeypatch.setenv("BLUETTI_BROKER", bluetti_on_broker.info()["broker"])
    monkeypatch.setenv("BLUETTI_SERIAL", device["serial"])
    examples = blocks("python")
    assert len(examples) == 5
    namespace: dict[str, Any] = {"__name__": "readme"}
    for example in examples:
        run_code_block(example, source=str(README), namespace=namespace)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PACK_MAIN_INFO (block 6000): SOC ")
    assert out[1].startswith("SOC ")
    assert out[2].endswith("A (negative while charging)")
    assert out[3].startswith("pack voltage ")
    assert out[3].endswith(" V")
    assert [line.split()[0] for line in out[4:7]] == [
        "INV_BASE_INFO",
        "INV_LOAD_INFO",
        "INV_LOAD_MULTI",
    ]
    assert out[7] == "GRID_SUMMARY {'hz': 50.0, 'watts': 0, 'volts': 230.0} Hz"
    assert out[8:] == ["{'current': 12.3}", "{'energy': 123.4}"]


def test_the_vendor_cloud_client_call_is_a_tls_client_on_the_given_port() -> None:
    # the README shows this call as text (it needs the vendor's cloud and a real .pfx): run
    # it as written; the constructor does no I/O, so what it built can be checked offline
    from power_sdk import AsyncClient

    (call,) = [block for block in blocks("text") if block.startswith("AsyncClient(")]
    scope = {"AsyncClient": AsyncClient, "serial": "2430200000002", "password": PASSWORD}
    client = run_code_block(f"client = {call}", source=str(README), namespace=scope)["client"]
    assert client.serial == "2430200000002"
    assert client.profile.id == "ELITE200V2"
    assert client.transport.tls  # a certificate makes the connection TLS
    assert client.transport.broker == "mqtts://iot.bluettipower.com:18760"


def run_cli(config: Path, mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "power_sdk.runtime.cli", "runtime", "--config", str(config), mode],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_quick_start_runtime_yaml_against_a_certificate_broker(
    mutual_tls: tuple[int, RunningSimulator], pki: Pki, tmp_path: Path
) -> None:
    tls_port, sim = mutual_tls
    garage = next(d for d in sim.info()["devices"] if d["profile"] == "ELITE200V2")
    config = tmp_path / "runtime.yaml"
    config.write_text(blocks("yaml")[0])
    env = {
        "BLUETTI_HOST": "127.0.0.1",
        "BLUETTI_PORT": str(tls_port),
        "GARAGE_SN": garage["serial"],
        "GARAGE_PFX": str(pki.pfx),
        "GARAGE_CERT_PASSWORD": PASSWORD,
    }
    # the example names the vendor cloud's CA (the system's); this broker has its own
    config.write_text(
        config.read_text().replace(
            '        cert_password: "${GARAGE_CERT_PASSWORD}"\n',
            f'        cert_password: "${{GARAGE_CERT_PASSWORD}}"\n        ca_file: "{pki.ca}"\n',
        )
    )
    device = sim.simulator.devices[garage["serial"]]  # type: ignore[attr-defined]
    dry = run_cli(config, "--dry-run", env)
    assert dry.returncode == 0, dry.stderr
    assert device.requests == 0
    once = run_cli(config, "--once", env)
    assert once.returncode == 0, once.stderr
    assert device.requests == 7  # the five published groups of an Elite 200 V2
    assert PASSWORD not in dry.stdout + dry.stderr + once.stderr


def test_yaml_reference_example_is_a_valid_runtime_config(tmp_path: Path) -> None:
    example = blocks("yaml")[1]
    config = parse_config(example, env={})
    # the sink file's directory is the machine's; the rest is checked as written
    local = example.replace("/var/lib/power/garage.jsonl", str(tmp_path / "garage.jsonl"))
    check_devices(parse_config(local, env={}), default_registry())
    assert config.poll_interval(0) == 10
    assert config.options(0)["broker"] == "mqtt://127.0.0.1:1883"
    assert [s.type for s in config.devices[0].sinks] == ["stdout", "jsonl", "mqtt"]
    assert config.devices[0].sinks[2].discovery_prefix == "homeassistant"
    assert [s.block_id for s in config.block_schemas] == [4200]


async def test_yaml_reference_example_polls_the_simulator_once(
    bluetti_on_broker: RunningSimulator, tmp_path: Path
) -> None:
    from power_sdk.runtime import Executor

    example = blocks("yaml")[1]
    out = tmp_path / "garage.jsonl"
    text = example.replace("/var/lib/power/garage.jsonl", str(out))  # the only change
    broker = bluetti_on_broker.info()["broker"]
    assert {"serial": "2430200000002", "profile": "ELITE200V2"} in bluetti_on_broker.info()[
        "devices"
    ]
    config = parse_config(text, env={"BLUETTI_BROKER": broker, "HA_BROKER": broker})
    async with Executor(config) as executor:
        (report,) = await executor.run_once()
    assert report.ok, report.errors
    records = [line for line in (await asyncio.to_thread(out.read_text)).splitlines() if line]
    assert len(records) == report.blocks == 3  # groups core, battery, grid
