"""The executor: polls every configured device concurrently at its own interval.

Each device runs in its own task; a device that fails (broker away, timeouts, bad answers)
is logged and retried at its next interval and never stops the others. Devices on the same
broker share one transport; identical sinks are shared too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Mapping
from typing import IO, Any

import attrs

from power_sdk.errors import (
    BrokerUnavailableError,
    ConnectionLostError,
    PowerSdkError,
)
from power_sdk.runtime.checks import device_options, validate_plugins
from power_sdk.runtime.config import RuntimeConfig, SinkConfig
from power_sdk.runtime.records import Record
from power_sdk.runtime.registry import (
    DeviceSession,
    PluginRegistry,
    TransportPlugin,
    default_registry,
)
from power_sdk.runtime.sinks import Sink, create_sink

__all__ = ["DeviceReport", "Executor", "Record", "validate_plugins"]

logger = logging.getLogger(__name__)


@attrs.define
class DeviceReport:
    """What happened to one device in one poll cycle."""

    device_id: str
    blocks: int = 0
    errors: list[str] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        """True when every block was read."""
        return not self.errors


@attrs.define
class _Device:
    id: str
    profile: str
    interval: float
    session: DeviceSession
    transport: Any
    transport_plugin: TransportPlugin
    sinks: list[Sink]
    cycles: int = 0


class Executor:
    """Runs the configured devices: :meth:`run_once` for one cycle, :meth:`run` until stopped.

    ``overrides`` replace, and ``fallbacks`` fill in where missing, the transport options of
    every device that uses a ``pfx_cert`` certificate: a ``--pfx-password`` flag beats the config,
    a password from the environment or a prompt does not.
    """

    def __init__(
        self,
        config: RuntimeConfig,
        *,
        registry: PluginRegistry | None = None,
        overrides: Mapping[str, Any] | None = None,
        fallbacks: Mapping[str, Any] | None = None,
        stdout: IO[str] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry or default_registry()
        validate_plugins(config, self.registry)
        self._overrides = dict(overrides or {})
        self._fallbacks = dict(fallbacks or {})
        self._stdout = stdout
        self.devices: list[_Device] = []
        self._transports: dict[tuple[str, Hashable], Any] = {}
        self._sinks: dict[SinkConfig, Sink] = {}
        self.failed_to_open: dict[str, str] = {}

    # -- set-up / tear-down -------------------------------------------------------------------

    def _sink(self, config: SinkConfig) -> Sink:
        sink = self._sinks.get(config)
        if sink is None:
            extra = {"stream": self._stdout} if config.type == "stdout" else {}
            sink = self._sinks[config] = create_sink(config, **extra)
        return sink

    def open(self) -> None:
        """Build transports, sinks and device sessions (no network I/O yet)."""
        if self.devices:
            return
        for index, device in enumerate(self.config.devices):
            pipeline = self.config.pipelines[device.pipeline]
            options = device_options(
                self.config,
                index,
                self.registry,
                overrides=self._overrides,
                fallbacks=self._fallbacks,
            )
            transport_plugin = self.registry.transport(pipeline.transport)
            vendor = self.registry.vendor(pipeline.vendor)
            key = (pipeline.transport, transport_plugin.key(options))
            try:
                transport = self._transports.get(key)
                if transport is None:
                    transport = self._transports[key] = transport_plugin.create(options)
                session = vendor.open(
                    device_id=device.id,
                    profile_id=device.profile_id,
                    options=options,
                    transport=transport,
                    protocol=self.registry.protocol(pipeline.protocol),
                    schemas=self.config.block_schemas,
                )
                sinks = [self._sink(s) for s in device.sinks]
            except Exception as exc:
                # One misconfigured device (or a plugin bug) must not keep the others running.
                logger.error("device %s cannot be opened: %s", device.id, exc)
                self.failed_to_open[device.id] = str(exc)
                continue
            self.devices.append(
                _Device(
                    device.id,
                    device.profile_id,
                    self.config.poll_interval(index),
                    session,
                    transport,
                    transport_plugin,
                    sinks,
                )
            )

    async def close(self) -> None:
        """Close sessions, transports and sinks (idempotent)."""
        for device in self.devices:
            await _quietly(device.session.close(), f"closing device {device.id}")
        for (name, _), transport in self._transports.items():
            await _quietly(self.registry.transport(name).close(transport), f"closing {name}")
        for sink in self._sinks.values():
            await _quietly(sink.close(), "closing a sink")
        self.devices.clear()
        self._transports.clear()
        self._sinks.clear()

    async def __aenter__(self) -> Executor:
        self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- polling ------------------------------------------------------------------------------

    async def _emit(self, device: _Device, record: Record) -> None:
        for sink in device.sinks:
            try:
                await sink.emit(record)
            except Exception:  # a broken sink must not stop polling
                logger.exception("device %s: a sink failed", device.id)

    async def poll_device(self, device: _Device) -> DeviceReport:
        """One poll cycle of one device; errors end up in the report, never raised."""
        report = DeviceReport(device.id)
        device.cycles += 1
        try:
            await device.transport_plugin.connect(device.transport)
            for block_id in device.session.block_ids:
                try:
                    block = await device.session.read(block_id)
                except (BrokerUnavailableError, ConnectionLostError):
                    raise
                except PowerSdkError as exc:
                    logger.warning("device %s block %s: %s", device.id, block_id, exc)
                    report.errors.append(f"block {block_id}: {exc}")
                    continue
                report.blocks += 1
                record = Record(
                    device.id,
                    device.session.serial,
                    device.profile,
                    block.block_id,
                    block.name,
                    block.values,
                    block.units,
                )
                await self._emit(device, record)
        except PowerSdkError as exc:
            logger.warning("device %s: %s", device.id, exc)
            report.errors.append(str(exc))
        except Exception as exc:  # a bug in a plugin must not stop the other devices
            logger.exception("device %s: unexpected error", device.id)
            report.errors.append(f"unexpected {type(exc).__name__}: {exc}")
        return report

    async def _start_sinks(self) -> None:
        await asyncio.gather(
            *(_quietly(s.start(), "starting a sink") for s in self._sinks.values())
        )

    async def run_once(self) -> list[DeviceReport]:
        """Poll every device once, concurrently."""
        self.open()
        await self._start_sinks()
        reports = await asyncio.gather(*(self.poll_device(d) for d in self.devices))
        failed = [DeviceReport(d, errors=[e]) for d, e in self.failed_to_open.items()]
        return [*reports, *failed]

    async def _loop(self, device: _Device, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            started = loop.time()
            await self.poll_device(device)
            delay = max(0.0, device.interval - (loop.time() - started))
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except asyncio.TimeoutError:  # not the builtin TimeoutError before 3.11
                continue

    async def run(self, stop: asyncio.Event, *, grace: float = 2.0) -> None:
        """Poll every device at its interval until ``stop`` is set, then close everything."""
        self.open()
        await self._start_sinks()
        tasks = [
            asyncio.create_task(self._loop(d, stop), name=f"poll-{d.id}") for d in self.devices
        ]
        try:
            await stop.wait()
            if tasks:  # let cycles in progress finish, within the grace period
                await asyncio.wait(tasks, timeout=grace)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.close()


async def _quietly(awaitable: Any, what: str) -> None:
    try:
        await awaitable
    except Exception:
        logger.exception("error while %s", what)
