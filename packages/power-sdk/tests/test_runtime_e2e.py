"""The runtime end to end: CLI modes, every sink, and a broker restart, through a real broker."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from power_sdk.runtime import Executor, parse_config
from power_sdk.runtime.records import Record
from shared_testing import RunningSimulator
from shared_testing.bluetti.broker import MosquittoBroker, ThreadedBroker, mosquitto_available
from shared_testing.waiting import eventually

CLI = [sys.executable, "-m", "power_sdk.runtime.cli", "runtime"]


def runtime_yaml(sim: RunningSimulator, tmp_path: Path, *, interval: float = 0.2) -> str:
    devices = sim.info()["devices"]
    return f"""
version: 1
pipelines:
  bluetti: {{transport: mqtt, vendor: bluetti, protocol: v2}}
defaults:
  poll_interval: {interval}
  transport:
    opts:
      broker: ${{TEST_BROKER}}
      timeout: 1
      retries: 1
      backoff: 0.05
      connect_timeout: 1
devices:
  - id: garage
    pipeline: bluetti
    profile_id: {devices[0]["profile"]}
    transport: {{opts: {{serial: "{devices[0]["serial"]}", groups: [core, grid]}}}}
    sinks:
      - {{type: stdout}}
      - {{type: jsonl, path: "{tmp_path / "out.jsonl"}"}}
      - {{type: mqtt, broker: "${{TEST_BROKER}}", topic: "ha/{{device_id}}/{{block_name}}", qos: 1,
          discovery_prefix: homeassistant}}
  - id: cabin
    pipeline: bluetti
    profile_id: {devices[1]["profile"]}
    transport: {{opts: {{serial: "{devices[1]["serial"]}", blocks: [100, 6000]}}}}
    sinks: [{{type: stdout}}, {{type: jsonl, path: "{tmp_path / "out.jsonl"}"}}]
"""


def env_for(sim: RunningSimulator) -> dict[str, str]:
    return {**os.environ, "TEST_BROKER": sim.info()["broker"]}


class Collector:
    """A raw MQTT subscriber standing in for Home Assistant."""

    def __init__(self, url: str, topic: str) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: self.ready.set()
        self.client.on_message = lambda _c, _u, m: self.messages.append(
            (m.topic, json.loads(m.payload))
        )
        self.client.connect(host, int(port))
        self.client.loop_start()
        assert self.ready.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_once_with_every_sink(bluetti_on_broker: RunningSimulator, tmp_path: Path) -> None:
    config = tmp_path / "runtime.yaml"
    config.write_text(runtime_yaml(bluetti_on_broker, tmp_path))
    collector = Collector(bluetti_on_broker.info()["broker"], "ha/#")
    discovery = Collector(bluetti_on_broker.info()["broker"], "homeassistant/#")
    try:
        done = subprocess.run(
            [*CLI, "--config", str(config), "--once"],
            env=env_for(bluetti_on_broker),
            capture_output=True,
            text=True,
            timeout=60,
        )
        # two subscribers, delivered independently: wait until each has what is asserted
        wanted = {
            "homeassistant/sensor/power_sdk_garage/100_soc/config",
            "homeassistant/sensor/power_sdk_garage/100_total_energy_discharge/config",
        }
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            len(collector.messages) < 2 or not wanted <= {t for t, _ in discovery.messages}
        ):
            time.sleep(0.05)
    finally:
        collector.close()
        discovery.close()
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted((r["device"], r["block_id"]) for r in lines) == [
        ("cabin", 100),
        ("cabin", 6000),
        ("garage", 100),
        ("garage", 1300),
    ]
    assert {r["serial"] for r in lines} == {
        d["serial"] for d in bluetti_on_broker.info()["devices"]
    }
    stored = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(stored) == 4
    garage = next(r for r in stored if r["device"] == "garage" and r["block_id"] == 100)
    assert garage["values"]["device_model"] == "EL100V2"
    assert garage["units"]["soc"] == "%"
    topics = sorted(topic for topic, _ in collector.messages)
    assert topics == ["ha/garage/APP_HOME_DATA", "ha/garage/INV_GRID_INFO"]
    assert collector.messages[0][1]["device"] == "garage"
    configs = dict(discovery.messages)
    soc = configs["homeassistant/sensor/power_sdk_garage/100_soc/config"]
    assert soc["device_class"] == "battery"
    assert soc["unit_of_measurement"] == "%"
    assert soc["state_topic"] == "ha/garage/APP_HOME_DATA"
    assert soc["value_template"] == "{{ value_json['values']['soc'] }}"
    energy = configs["homeassistant/sensor/power_sdk_garage/100_total_energy_discharge/config"]
    assert energy["state_class"] == "total_increasing"
    assert "homeassistant/sensor/power_sdk_garage/100_device_model/config" not in configs


def test_continuous_until_ctrl_c(bluetti_on_broker: RunningSimulator, tmp_path: Path) -> None:
    config = tmp_path / "runtime.yaml"
    config.write_text(runtime_yaml(bluetti_on_broker, tmp_path, interval=0.1))
    process = subprocess.Popen(
        [*CLI, "--config", str(config)],
        env=env_for(bluetti_on_broker),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)  # never hang the suite on a silent child
    watchdog.start()
    try:
        assert process.stdout is not None
        seen: dict[tuple[str, int], int] = {}
        while min(seen.values(), default=0) < 3 or len(seen) < 4:
            record = json.loads(process.stdout.readline())
            key = (record["device"], record["block_id"])
            seen[key] = seen.get(key, 0) + 1
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_dry_run_resolves_without_io(tmp_path: Path) -> None:
    config = tmp_path / "runtime.yaml"
    config.write_text(
        "version: 1\n"
        "pipelines: {p: {transport: mqtt, vendor: bluetti, protocol: v2}}\n"
        "defaults: {transport: {opts: {broker: 'mqtt://192.0.2.1:1', password: '${PW}'}}}\n"
        "devices: [{id: d, pipeline: p, profile_id: EL30V2, sinks: [{type: jsonl, "
        f"path: '{tmp_path / 'never.jsonl'}'}}]}}]\n"
    )
    done = subprocess.run(
        [*CLI, "--config", str(config), "--dry-run"],
        env={**os.environ, "PW": "hunter2"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    effective = json.loads(done.stdout)
    assert effective["devices"][0]["transport"]["opts"] == {
        "broker": "mqtt://192.0.2.1:1",
        "password": "***",
    }
    assert effective["devices"][0]["poll_interval"] == 30.0
    assert "hunter2" not in done.stdout + done.stderr
    assert not (tmp_path / "never.jsonl").exists()


def test_config_error_exit_status(tmp_path: Path) -> None:
    config = tmp_path / "runtime.yaml"
    config.write_text("version: 1\npipelines: {}\ndevices: [{id: a, pipeline: p}]\n")
    done = subprocess.run(
        [*CLI, "--config", str(config), "--once"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert (
        "power-sdk: error: invalid runtime config: required field missing at devices[0].profile_id"
        in done.stderr
    )
    missing = subprocess.run(
        [*CLI, "--config", str(tmp_path / "nope.yaml")], capture_output=True, text=True, timeout=30
    )
    assert missing.returncode == 2
    assert "cannot read runtime config" in missing.stderr


@pytest.mark.parametrize(
    "mode", [[], ["--once"], ["--dry-run"]], ids=["continuous", "once", "dry-run"]
)
def test_a_device_that_cannot_be_opened_is_a_config_error_in_every_mode(
    tmp_path: Path, mode: list[str]
) -> None:
    config = tmp_path / "runtime.yaml"
    config.write_text(
        "version: 1\n"
        "pipelines: {p: {transport: mqtt, vendor: bluetti, protocol: v2}}\n"
        "defaults: {transport: {opts: {broker: 'mqtt://127.0.0.1:9'}}}\n"
        "devices: [{id: typo, pipeline: p, profile_id: EL9000}]\n"
    )
    done = subprocess.run(
        [*CLI, "--config", str(config), *mode], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "devices[0] (typo): unknown device profile 'EL9000'" in done.stderr
    assert done.stdout == ""


async def test_a_bad_device_never_stops_the_others(
    bluetti_on_broker: RunningSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = bluetti_on_broker.info()["devices"][0]
    text = f"""
version: 1
pipelines: {{p: {{transport: mqtt, vendor: bluetti, protocol: v2}}}}
defaults:
  transport: {{opts: {{broker: "{bluetti_on_broker.info()["broker"]}", timeout: 0.3, retries: 0,
    username: user, password: "pw-never-logged"}}}}
devices:
  - {{id: ghost, pipeline: p, profile_id: EL30V2, transport: {{opts: {{serial: "NOPE"}}}},
     sinks: [{{type: jsonl, path: "{tmp_path / "o.jsonl"}"}}]}}
  - {{id: typo, pipeline: p, profile_id: EL9000, sinks: []}}
  - {{id: real, pipeline: p, profile_id: {good["profile"]},
     transport: {{opts: {{serial: "{good["serial"]}", groups: [battery]}}}},
     sinks: [{{type: jsonl, path: "{tmp_path / "o.jsonl"}"}}]}}
"""
    async with Executor(parse_config(text, env={})) as executor:
        reports = {r.device_id: r for r in await executor.run_once()}
    assert reports["real"].ok
    assert reports["real"].blocks == 1
    assert "did not answer" in reports["ghost"].errors[0]
    assert "unknown device profile 'EL9000'" in reports["typo"].errors[0]
    stored = (await asyncio.to_thread((tmp_path / "o.jsonl").read_text)).splitlines()
    assert [json.loads(line)["device"] for line in stored] == ["real"]
    assert "pw-never-logged" not in caplog.text


async def test_broker_restart_mid_run(
    mqtt_broker: ThreadedBroker, simulator: Any, tmp_path: Path
) -> None:
    sim = simulator("bluetti", broker=mqtt_broker.url)
    text = runtime_yaml(sim, tmp_path, interval=0.1)
    out = tmp_path / "out.jsonl"

    def count() -> int:
        return len(out.read_text().splitlines()) if out.exists() else 0

    async def reached(target: int) -> bool:
        return await asyncio.to_thread(count) >= target

    async def wait_for(target: int, seconds: float) -> None:
        await eventually(
            lambda: reached(target), within=seconds, interval=0.05, message="records stalled"
        )

    executor = Executor(parse_config(text, env={"TEST_BROKER": mqtt_broker.url}))
    stop = asyncio.Event()
    task = asyncio.create_task(executor.run(stop))
    try:
        await wait_for(8, 10)
        await asyncio.to_thread(mqtt_broker.restart)
        before = await asyncio.to_thread(count)
        await wait_for(before + 8, 30)
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    assert task.exception() is None


def test_once_exit_status_when_a_device_fails(
    bluetti_on_broker: RunningSimulator, tmp_path: Path
) -> None:
    good = bluetti_on_broker.info()["devices"][0]
    config = tmp_path / "runtime.yaml"
    config.write_text(
        "version: 1\n"
        "pipelines: {p: {transport: mqtt, vendor: bluetti, protocol: v2}}\n"
        "defaults: {transport: {opts: {broker: '${TEST_BROKER}', timeout: 0.3, retries: 0}}}\n"
        "devices:\n"
        "  - {id: ghost, pipeline: p, profile_id: EL30V2, transport: {opts: {serial: X, "
        "blocks: [100]}}, sinks: [{type: stdout}]}\n"
        f"  - {{id: real, pipeline: p, profile_id: {good['profile']}, transport: {{opts: "
        f"{{serial: '{good['serial']}', blocks: [100]}}}}, sinks: [{{type: stdout}}]}}\n"
    )
    done = subprocess.run(
        [*CLI, "--config", str(config), "--once"],
        env=env_for(bluetti_on_broker),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert [json.loads(line)["device"] for line in done.stdout.splitlines()] == ["real"]
    assert "device ghost" in done.stderr
    assert "did not answer" in done.stderr


async def test_runtime_polls_a_block_defined_in_the_config(
    bluetti_on_broker: RunningSimulator, tmp_path: Path
) -> None:
    device = bluetti_on_broker.info()["devices"][0]
    text = f"""
version: 1
pipelines: {{p: {{transport: mqtt, vendor: bluetti, protocol: v2}}}}
defaults: {{transport: {{opts: {{broker: "{bluetti_on_broker.info()["broker"]}"}}}}}}
schemas:
  - block_id: 2000
    name: MY_BASE_SETTINGS
    min_length: 4
    fields:
      - {{name: address, offset: 0, type: u8}}
      - {{name: mode, offset: 1, type: "enum:u8", mapping: {{0: standby, 1: normal}}}}
devices:
  - {{id: d, pipeline: p, profile_id: {device["profile"]},
     transport: {{opts: {{serial: "{device["serial"]}", blocks: [2000]}}}},
     sinks: [{{type: jsonl, path: "{tmp_path / "o.jsonl"}"}}]}}
"""
    async with Executor(parse_config(text, env={})) as executor:
        (report,) = await executor.run_once()
    assert report.ok, report.errors
    (line,) = (await asyncio.to_thread((tmp_path / "o.jsonl").read_text)).splitlines()
    record = json.loads(line)
    assert record["block"] == "MY_BASE_SETTINGS"
    assert record["values"] == {"address": 1, "mode": "normal"}


@pytest.mark.skipif(not mosquitto_available(), reason="mosquitto is not installed")
async def test_mqtt_sink_logs_in_with_username_and_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    from power_sdk.runtime.sinks import MqttSink

    caplog.set_level(logging.DEBUG)
    passwd = await asyncio.to_thread(shutil.which, "mosquitto_passwd")
    if passwd is None:
        pytest.skip("mosquitto_passwd is not installed")
    password_file = tmp_path / "passwords"
    command = [passwd, "-c", "-b", str(password_file), "ha", "sink-s3cret"]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=30)
    extra = f"password_file {password_file}\n"
    if os.geteuid() == 0:  # mosquitto would drop to a user that cannot read tmp_path
        extra = "user root\n" + extra
    record = Record("d", "SN", "EL100V2", 100, "APP_HOME_DATA", {"soc": 50}, {"soc": "%"})
    mosquitto = await asyncio.to_thread(MosquittoBroker, extra_config=extra)  # makes a temp dir
    with ThreadedBroker(mosquitto) as broker:
        collector = await asyncio.to_thread(Collector, broker.url, "t/#")
        good = MqttSink(broker.url, "t/{device_id}", qos=1, username="ha", password="sink-s3cret")
        bad = MqttSink(broker.url, "t/{device_id}", username="ha", password="wrong-pw")
        try:
            assert await good.wait_connected(10)
            assert not await bad.wait_connected(1.0)
            await good.emit(record)
            await bad.emit(record)
            await good.close()
            deadline = asyncio.get_running_loop().time() + 10
            while not collector.messages:
                assert asyncio.get_running_loop().time() < deadline, "nothing arrived"
                await asyncio.sleep(0.02)
        finally:
            await bad.close()
            await asyncio.to_thread(collector.close)  # joins paho's thread: not on the loop
    assert (good.published, bad.published, bad.dropped) == (1, 0, 1)
    assert collector.messages[0][0] == "t/d"
    assert "refused the connection" in caplog.text
    assert "sink-s3cret" not in caplog.text
    assert "wrong-pw" not in caplog.text
