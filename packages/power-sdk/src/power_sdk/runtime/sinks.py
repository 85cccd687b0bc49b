"""Where poll results go: stdout JSON lines, a JSONL file, or an MQTT republish.

The MQTT sink publishes each block as JSON on a per-device/per-block topic, so results can
flow to Home Assistant, Node-RED or any MQTT consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sys
from pathlib import Path
from typing import IO, Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from power_sdk.errors import ConfigError
from power_sdk.runtime.config import SinkConfig
from power_sdk.runtime.records import Record
from power_sdk.transport.mqtt import parse_broker_url

__all__ = ["JsonlSink", "MqttSink", "Sink", "StdoutSink", "create_sink"]

logger = logging.getLogger(__name__)


class Sink(Protocol):
    """Receives every parsed block."""

    async def start(self) -> None:
        """Get ready before the first record (connect, open)."""
        ...

    async def emit(self, record: Record) -> None:
        """Deliver one record."""
        ...

    async def close(self) -> None:
        """Flush and release resources."""
        ...


class StdoutSink:
    """One JSON object per line on stdout."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    async def start(self) -> None:
        """Nothing to prepare."""

    async def emit(self, record: Record) -> None:
        """Print the record as a JSON line."""
        stream = self._stream or sys.stdout
        stream.write(record.to_json() + "\n")
        stream.flush()

    async def close(self) -> None:
        """Flush stdout."""
        (self._stream or sys.stdout).flush()


class JsonlSink:
    """Append one JSON object per line to a file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] | None = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot open the jsonl sink file {str(path)!r}: {exc.strerror}"
            ) from exc

    async def start(self) -> None:
        """The file is opened at construction."""

    async def emit(self, record: Record) -> None:
        """Append the record and flush, so a reader sees it at once."""
        if self._file is not None:
            self._file.write(record.to_json() + "\n")
            self._file.flush()

    async def close(self) -> None:
        """Close the file."""
        file, self._file = self._file, None
        if file is not None:
            file.close()


class MqttSink:
    """Republish each block as JSON on ``topic`` (a template over the record's names)."""

    def __init__(self, broker: str, topic: str, *, qos: int = 0, retain: bool = False) -> None:
        self.host, self.port, tls = parse_broker_url(broker)
        self.topic = topic
        self.qos, self.retain = qos, retain
        self.published = 0
        self.dropped = 0
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"power-sdk-sink-{secrets.token_hex(4)}",
            protocol=mqtt.MQTTv311,
        )
        if tls:
            self._client.tls_set()
        self._client.reconnect_delay_set(min_delay=1, max_delay=8)
        self._started = False
        self._inflight: list[mqtt.MQTTMessageInfo] = []

    async def start(self) -> None:
        """Connect, waiting a few seconds; while the broker is away records are dropped."""
        if not await self.wait_connected():
            logger.warning("mqtt sink %s:%s not reachable yet; retrying", self.host, self.port)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._client.connect_async(self.host, self.port, keepalive=30)
            self._client.loop_start()

    async def wait_connected(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Start connecting and wait up to ``timeout`` seconds for the broker."""
        self._start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._client.is_connected():
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def topic_for(self, record: Record) -> str:
        """The topic ``record`` is published on."""
        return self.topic.format(
            device_id=record.device_id,
            serial=record.serial,
            profile=record.profile,
            block_id=record.block_id,
            block_name=record.block_name,
        )

    async def emit(self, record: Record) -> None:
        """Publish; while the broker is away the record is dropped (and counted)."""
        self._start()
        if not self._client.is_connected():
            self.dropped += 1
            logger.warning(
                "mqtt sink %s:%s is not connected; dropped a record", self.host, self.port
            )
            return
        info = self._client.publish(
            self.topic_for(record), record.to_json(), qos=self.qos, retain=self.retain
        )
        if info.rc == mqtt.MQTT_ERR_SUCCESS:
            self.published += 1
            if self.qos:
                self._inflight = [i for i in self._inflight if not i.is_published()]
                self._inflight.append(info)
        else:
            self.dropped += 1

    async def close(self) -> None:
        """Disconnect after queued messages went out."""
        if self._started:
            pending, self._inflight = self._inflight, []

            def flush() -> None:
                for info in pending:
                    if self._client.is_connected():
                        info.wait_for_publish(timeout=2.0)

            with contextlib.suppress(RuntimeError, ValueError):
                await asyncio.to_thread(flush)
            self._client.disconnect()
            await asyncio.to_thread(self._client.loop_stop)
            self._started = False


def create_sink(config: SinkConfig, **extra: Any) -> Sink:
    """Build the sink ``config`` describes."""
    if config.type == "stdout":
        return StdoutSink(**extra)
    if config.type == "jsonl":
        return JsonlSink(config.path or "")
    return MqttSink(config.broker or "", config.topic, qos=config.qos, retain=config.retain)
