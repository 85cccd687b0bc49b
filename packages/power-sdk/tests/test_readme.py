"""Every code example of README.md runs against the simulator, so docs and code cannot drift."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from power_sdk.runtime import default_registry, parse_config
from power_sdk.runtime.executor import validate_plugins
from shared_testing import RunningSimulator
from shared_testing.docs import code_blocks, run_code_block

README = Path(__file__).parents[1] / "README.md"


def blocks(language: str) -> list[str]:
    return code_blocks(README, language)


def test_python_examples_run_against_the_simulator(
    bluetti_on_broker: RunningSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    device = bluetti_on_broker.info()["devices"][0]
    monkeypatch.setenv("BLUETTI_BROKER", bluetti_on_broker.info()["broker"])
    monkeypatch.setenv("BLUETTI_SERIAL", device["serial"])
    examples = blocks("python")
    assert len(examples) == 3
    namespace: dict[str, Any] = {"__name__": "readme"}
    for example in examples:
        run_code_block(example, source=str(README), namespace=namespace)
    out = capsys.readouterr().out
    assert "SOC " in out
    assert "pack voltage" in out
    assert "INV_LOAD_MULTI" in out
    assert "50.0 Hz" in out
    assert "{'total_energy': 123.4}" in out


def test_yaml_example_is_a_valid_runtime_config() -> None:
    (example,) = blocks("yaml")
    config = parse_config(example, env={})
    validate_plugins(config, default_registry())
    assert config.poll_interval(0) == 10
    assert config.options(0)["broker"] == "mqtt://127.0.0.1:1883"
    assert [s.type for s in config.devices[0].sinks] == ["stdout", "jsonl", "mqtt"]
    assert config.devices[0].sinks[2].discovery_prefix == "homeassistant"
    assert [s.block_id for s in config.block_schemas] == [3500]


async def test_yaml_example_polls_the_simulator_once(
    bluetti_on_broker: RunningSimulator, tmp_path: Path
) -> None:
    from power_sdk.runtime import Executor

    (example,) = blocks("yaml")
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
