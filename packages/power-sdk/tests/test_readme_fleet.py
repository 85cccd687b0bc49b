"""The README's fleet section runs: its config in three shards, and its mosquitto bridge."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from power_sdk.runtime import parse_config
from shared_testing.bluetti import fleet_devices
from shared_testing.bluetti.broker import MosquittoBroker, ThreadedBroker
from shared_testing.docs import code_blocks

from .fleet import RecordCollector

README = Path(__file__).parents[1] / "README.md"


def block(info: str) -> str:
    (text,) = code_blocks(README, info)
    return text


def test_fleet_yaml_runs_in_the_three_shards_the_readme_starts(
    mqtt_broker: ThreadedBroker, simulator: Any, tmp_path: Path
) -> None:
    fleet = fleet_devices(3)  # what `serve bluetti --devices 3` serves: the README's serials
    simulator("bluetti", broker=mqtt_broker.url, devices=fleet)
    config = parse_config(block("yaml fleet.yaml"), env={"FLEET_SINK": mqtt_broker.url})
    assert [d.transport.opts["device_sn"] for d in config.devices] == [d["serial"] for d in fleet]
    (tmp_path / "fleet.yaml").write_text(block("yaml fleet.yaml"))
    host, port = mqtt_broker.url.removeprefix("mqtt://").split(":")
    env = {
        **os.environ,
        "BLUETTI_BROKER": host,
        "BLUETTI_PORT": port,
        "FLEET_SINK": mqtt_broker.url,
    }
    commands = [
        shlex.split(line.split("#")[0]) for line in block("bash fleet").splitlines() if line
    ]
    assert [c[-1] for c in commands] == ["1/3", "2/3", "3/3"]
    collector = RecordCollector(mqtt_broker.url, "fleet/#")
    shards = []
    try:
        for command in commands:
            assert command[:2] == ["power-sdk", "runtime"]
            shards.append(
                subprocess.Popen(
                    [sys.executable, "-m", "power_sdk.runtime.cli", *command[1:]],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        deadline = time.monotonic() + 30
        while len(collector.snapshot()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the next cycle is 30 s away: nothing more may come
    finally:
        for shard in shards:
            shard.send_signal(signal.SIGINT)
        errors = [shard.communicate(timeout=20)[1] for shard in shards]
        collector.close()
    assert [shard.returncode for shard in shards] == [0, 0, 0], errors
    polled = Counter((r["device"], r["block_id"]) for r in collector.snapshot())
    assert polled == Counter(
        {("depot-north", 100): 1, ("depot-south", 100): 1, ("cabin-lake", 100): 1}
    )
    assert sum("0 failed" in line for e in errors for line in e.splitlines()) == sum(
        "devices polled" in line for e in errors for line in e.splitlines()
    )


def test_the_mosquitto_bridge_forwards_records_to_the_central_broker() -> None:
    with ThreadedBroker(MosquittoBroker()) as central:
        bridge = block("conf mosquitto-site.conf").replace(
            "central.example.net:1883", f"127.0.0.1:{central.port}"
        )
        with ThreadedBroker(MosquittoBroker(extra_config=bridge)) as site:
            collector = RecordCollector(central.url, "fleet/#")
            publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
            publisher.connect("127.0.0.1", site.port)
            publisher.loop_start()
            try:
                deadline = time.monotonic() + 20
                record = b'{"device": "depot-north", "block_id": 100}'
                while not collector.snapshot() and time.monotonic() < deadline:
                    # until the bridge is up, the site broker has nowhere to forward to yet
                    publisher.publish("fleet/depot-north/APP_HOME_DATA", record, qos=1)
                    time.sleep(0.2)
            finally:
                publisher.disconnect()
                publisher.loop_stop()
                collector.close()
    assert collector.snapshot()[0] == {"device": "depot-north", "block_id": 100}
