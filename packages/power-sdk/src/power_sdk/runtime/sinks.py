"""Where poll results go: stdout JSON lines, a JSONL file, or an MQTT republish.

The MQTT sink publishes each block as JSON on a per-device/per-block topic, so results can
flow to Home Assistant, Node-RED or any MQTT consumer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import re
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

__all__ = ["JsonlSink", "MqttSink", "Sink", "StdoutSink", "create_sink", "discovery_messages"]

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


class _LineWriter:
    """Lines written to a text stream from a worker thread, one at a time, in order.

    A pipe or a slow disk can block a write; the event loop must not wait for it.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def write(self, stream: IO[str], line: str) -> None:
        async with self._lock:
            await asyncio.to_thread(_write_line, stream, line)


def _write_line(stream: IO[str], line: str) -> None:
    stream.write(line)
    stream.flush()


class StdoutSink:
    """One JSON object per line on stdout."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._writer = _LineWriter()

    async def start(self) -> None:
        """Nothing to prepare."""

    async def emit(self, record: Record) -> None:
        """Print the record as a JSON line."""
        await self._writer.write(self._stream or sys.stdout, record.to_json() + "\n")

    async def close(self) -> None:
        """Flush stdout."""
        await asyncio.to_thread((self._stream or sys.stdout).flush)


class JsonlSink:
    """Append one JSON object per line to a file.

    The file is created, written and flushed by a writer thread of its own, in the order the
    records came: file I/O never runs on the event loop, and a slow disk never holds up polling.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        self._failed = False

    def _thread(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._writer is None:
            self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="jsonl")
        return self._writer

    def _open(self) -> IO[str]:  # writer thread
        if self._file is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            except OSError as exc:
                raise ConfigError(
                    f"cannot open the jsonl sink file {str(self.path)!r}: {exc.strerror}"
                ) from exc
        return self._file

    def _write(self, line: str) -> None:  # writer thread
        try:
            file = self._open()
            file.write(line)
            file.flush()  # a reader sees each record at once
        except (OSError, ConfigError) as exc:
            if not self._failed:  # once, not once per record
                logger.error("jsonl sink %s: records are lost: %s", self.path, exc)
            self._failed = True

    async def start(self) -> None:
        """Create and open the file (on the writer thread); raises :class:`ConfigError`."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread(), self._open)

    async def emit(self, record: Record) -> None:
        """Queue the record for the writer thread."""
        self._thread().submit(self._write, record.to_json() + "\n")

    async def close(self) -> None:
        """Write what is queued, then close the file."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.to_thread(writer.shutdown, wait=True)
        file, self._file = self._file, None
        if file is not None:
            await asyncio.to_thread(file.close)


_SAFE = re.compile(r"[^a-zA-Z0-9_-]")

# unit -> (Home Assistant device_class, state_class)
_HA_CLASSES: dict[str, tuple[str | None, str]] = {
    "W": ("power", "measurement"),
    "kWh": ("energy", "total_increasing"),
    "V": ("voltage", "measurement"),
    "A": ("current", "measurement"),
    "Hz": ("frequency", "measurement"),
    "°C": ("temperature", "measurement"),
    "VA": ("apparent_power", "measurement"),
    "min": ("duration", "measurement"),
    "%": (None, "measurement"),
}


def discovery_messages(prefix: str, state_topic: str, record: Record) -> list[tuple[str, str]]:
    """Home Assistant MQTT discovery configs (topic, JSON) for the numeric values of a record."""
    node = _SAFE.sub("_", f"power_sdk_{record.device_id}")
    messages = []
    for name, value in record.values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        unit = record.units.get(name)
        device_class, state_class = _HA_CLASSES.get(unit or "", (None, "measurement"))
        if unit == "%" and name in ("soc", "battery"):
            device_class = "battery"
        object_id = _SAFE.sub("_", f"{record.block_id}_{name}")
        config: dict[str, Any] = {
            "name": name.replace("_", " "),
            "unique_id": f"{node}_{object_id}",
            "state_topic": state_topic,
            "value_template": f"{{{{ value_json['values']['{name}'] }}}}",
            "state_class": state_class,
            "device": {
                "identifiers": [_SAFE.sub("_", f"power_sdk_{record.serial}")],
                "name": record.device_id,
                "model": record.profile,
                "serial_number": record.serial,
            },
        }
        if unit:
            config["unit_of_measurement"] = unit
        if device_class:
            config["device_class"] = device_class
        messages.append((f"{prefix}/sensor/{node}/{object_id}/config", json.dumps(config)))
    return messages


class MqttSink:
    """Republish each block as JSON on ``topic`` (a template over the record's names).

    With ``discovery_prefix``, the first record of each device and block also publishes
    retained Home Assistant discovery configs, so the values appear as sensors.
    """

    def __init__(
        self,
        broker: str,
        topic: str,
        *,
        qos: int = 0,
        retain: bool = False,
        discovery_prefix: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host, self.port, self._tls = parse_broker_url(broker)
        self.topic = topic
        self.qos, self.retain = qos, retain
        self.discovery_prefix = discovery_prefix
        self._announced: set[tuple[str, int]] = set()
        self.published = 0
        self.dropped = 0
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"power-sdk-sink-{secrets.token_hex(4)}",
            protocol=mqtt.MQTTv311,
        )
        if username:  # "${HA_USER:-}" left empty: connect anonymously
            self._client.username_pw_set(username, password or None)
        self._client.on_connect = self._on_connect
        self._client.reconnect_delay_set(min_delay=1, max_delay=8)
        self._started = False
        self._starting = asyncio.Lock()
        self._inflight: list[mqtt.MQTTMessageInfo] = []

    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:  # e.g. "Not authorized"; never the credentials themselves
            logger.warning(
                "mqtt sink %s:%s refused the connection: %s", self.host, self.port, reason
            )

    async def start(self) -> None:
        """Connect, waiting a few seconds; while the broker is away records are dropped."""
        if not await self.wait_connected():
            logger.warning("mqtt sink %s:%s not reachable yet; retrying", self.host, self.port)

    def _start_client(self) -> None:
        # Blocking (CA certificates read from disk, paho's socket pair): a worker thread's job.
        if self._tls:
            self._client.tls_set()
        self._client.connect_async(self.host, self.port, keepalive=30)
        self._client.loop_start()

    async def _start(self) -> None:
        async with self._starting:
            if not self._started:
                await asyncio.to_thread(self._start_client)
                self._started = True

    async def wait_connected(self, timeout: float = 5.0) -> bool:
        """Start connecting and wait up to ``timeout`` seconds for the broker."""
        await self._start()
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
        await self._start()
        if not self._client.is_connected():
            self.dropped += 1
            logger.warning(
                "mqtt sink %s:%s is not connected; dropped a record", self.host, self.port
            )
            return
        topic = self.topic_for(record)
        key = (record.device_id, record.block_id)
        if self.discovery_prefix and key not in self._announced:
            for config_topic, config in discovery_messages(self.discovery_prefix, topic, record):
                self._client.publish(config_topic, config, qos=1, retain=True)
            self._announced.add(key)
        info = self._client.publish(topic, record.to_json(), qos=self.qos, retain=self.retain)
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
    return MqttSink(
        config.broker or "",
        config.topic,
        qos=config.qos,
        retain=config.retain,
        discovery_prefix=config.discovery_prefix,
        username=config.username,
        password=config.password,
    )
