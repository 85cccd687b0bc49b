"""Helpers for fleet tests: a runtime.yaml for many devices, and an MQTT record collector."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def fleet_yaml(
    devices: Sequence[dict[str, str]],
    broker_url: str,
    *,
    interval: float = 30,
    timeout: float = 2,
    retries: int = 0,
    blocks: Sequence[int] = (100,),
    topic: str = "fleet/{device_id}/{block_name}",
) -> str:
    """A runtime.yaml in the published option names (broker host + port, device_sn).

    Device ids are ``site-<serial>``; every record goes to the MQTT sink on the same broker.
    """
    host, port = broker_url.removeprefix("mqtt://").split(":")
    lines = [
        "version: 1",
        "pipelines:",
        "  bluetti_pull: {mode: pull, transport: mqtt, vendor: bluetti, protocol: v2}",
        "defaults:",
        f"  poll_interval: {interval}",
        "  transport:",
        "    opts:",
        f"      broker: {host}",
        f"      port: {port}",
        f"      timeout: {timeout}",
        f"      retries: {retries}",
        f"      blocks: [{', '.join(str(b) for b in blocks)}]",
        "devices:",
    ]
    for device in devices:
        lines += [
            f"  - id: site-{device['serial']}",
            "    pipeline: bluetti_pull",
            f"    profile_id: {device['profile']}",
            f"    transport: {{opts: {{device_sn: '{device['serial']}'}}}}",
            f"    sinks: [{{type: mqtt, broker: '{broker_url}', topic: '{topic}', qos: 1}}]",
        ]
    return "\n".join(lines) + "\n"


class RecordCollector:
    """Subscribes to ``topic`` and keeps every JSON record published there."""

    def __init__(self, broker_url: str, topic: str) -> None:
        host, port = broker_url.removeprefix("mqtt://").split(":")
        self.records: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(host, int(port))
        self.client.loop_start()
        if not subscribed.wait(10):
            raise TimeoutError(f"no subscription to {topic}")

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.records.append(json.loads(message.payload))

    def snapshot(self) -> list[dict[str, Any]]:
        """The records so far."""
        with self._lock:
            return list(self.records)

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()
