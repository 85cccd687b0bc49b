"""The executor: polls every configured device concurrently, in cycles.

Devices with the same poll interval form a group whose cycles start on a fixed schedule (every
``interval`` seconds). Each cycle polls every device of the group in a task of its own, so
requests to different devices overlap while each device keeps one request in flight. A cycle
never waits for a slow or dead device: the next one starts on time, and a device whose earlier
poll still runs is skipped (and named) until it is done. Each cycle ends with one summary line.
A device that fails is logged and retried next cycle and never stops the others. Devices on the
same broker share one transport; identical sinks are shared too.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Hashable, Mapping
from typing import IO, Any

import attrs

from power_sdk.errors import (
    PowerSdkError,
    TransportError,
)
from power_sdk.runtime.checks import device_options, validate_plugins
from power_sdk.runtime.config import RuntimeConfig, SinkConfig
from power_sdk.runtime.cycles import CycleSummary
from power_sdk.runtime.records import Record
from power_sdk.runtime.registry import (
    DeviceSession,
    PluginRegistry,
    TransportPlugin,
    default_registry,
)
from power_sdk.runtime.shard import Shard
from power_sdk.runtime.sinks import Sink, create_sink

__all__ = ["CycleSummary", "DeviceReport", "Executor", "Record", "validate_plugins"]

logger = logging.getLogger(__name__)
#: the cycle summaries: one line per cycle of each interval group
cycle_logger = logging.getLogger("power_sdk.runtime.cycles")


@attrs.define
class DeviceReport:
    """What happened to one device in one poll cycle."""

    device_id: str
    blocks: int = 0
    errors: list[str] = attrs.field(factory=list)
    #: how long the poll took
    seconds: float = 0.0

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

    With ``shard``, only the devices of that shard are polled (see :mod:`power_sdk.runtime.shard`).
    ``on_cycle`` is called with each :class:`CycleSummary` of :meth:`run` and
    :meth:`run_once`, after it was logged.
    """

    def __init__(
        self,
        config: RuntimeConfig,
        *,
        registry: PluginRegistry | None = None,
        overrides: Mapping[str, Any] | None = None,
        fallbacks: Mapping[str, Any] | None = None,
        stdout: IO[str] | None = None,
        shard: Shard | None = None,
        on_cycle: Callable[[CycleSummary], None] | None = None,
    ) -> None:
        self.registry = registry or default_registry()
        validate_plugins(config, self.registry)  # the whole fleet: every shard refuses alike
        self.fleet_size = len(config.devices)
        self.shard = shard
        self.config = config if shard is None else shard.select(config)
        self._on_cycle = on_cycle
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
        # built once: every device's registry shares them (validated, parse plans cached)
        schemas = self.config.block_schemas
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
                    schemas=schemas,
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
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            if not getattr(device.transport, "connected", False):  # the hot path skips it
                await device.transport_plugin.connect(device.transport)
            for block_id in device.session.block_ids:
                try:
                    block = await device.session.read(block_id)
                except TransportError:
                    # broker away, connection lost, or no answer after the retries: the next
                    # block would wait just as long, so this device's cycle ends here
                    raise
                except PowerSdkError as exc:
                    logger.warning("device %s block %s: %s", device.id, block_id, exc)
                    report.errors.append(f"block {block_id}: {exc}")
                    continue
                report.blocks += 1
                if device.sinks:  # a record only for someone to hand it to
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
        report.seconds = loop.time() - started
        return report

    async def _start_sinks(self) -> None:
        await asyncio.gather(
            *(_quietly(s.start(), "starting a sink") for s in self._sinks.values())
        )

    async def run_once(self) -> list[DeviceReport]:
        """Poll every device once, concurrently; logs one summary line per interval group."""
        self.open()
        await self._start_sinks()
        reports = await asyncio.gather(*(self.poll_device(d) for d in self.devices))
        by_id = {r.device_id: r for r in reports}
        for interval, group in self._groups().items():
            mine = [by_id[d.id] for d in group]
            failed = tuple(r.device_id for r in mine if not r.ok)
            seconds = max(r.seconds for r in mine)  # all started together
            self._summarise(CycleSummary(1, interval, len(group), len(group), failed, (), seconds))
        failed_open = [DeviceReport(d, errors=[e]) for d, e in self.failed_to_open.items()]
        return [*reports, *failed_open]

    def _groups(self) -> dict[float, list[_Device]]:
        groups: dict[float, list[_Device]] = {}
        for device in self.devices:
            groups.setdefault(device.interval, []).append(device)
        return groups

    def _summarise(self, summary: CycleSummary) -> None:
        level = logging.WARNING if summary.failed else logging.INFO
        cycle_logger.log(level, "%s", summary.line())
        if self._on_cycle is not None:
            try:
                self._on_cycle(summary)
            except Exception:  # an observer's bug must not stop polling
                logger.exception("the on_cycle callback failed")

    async def _cycle(
        self,
        number: int,
        interval: float,
        group: list[_Device],
        idle: list[_Device],
        skipped: tuple[str, ...],
        busy: set[str],
    ) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def poll(device: _Device) -> DeviceReport:
            try:
                return await self.poll_device(device)
            finally:  # free for the next cycle as soon as its own poll ends, not the slowest's
                busy.discard(device.id)

        reports = await asyncio.gather(*(poll(d) for d in idle))
        failed = tuple(r.device_id for r in reports if not r.ok)
        seconds = loop.time() - started
        self._summarise(
            CycleSummary(number, interval, len(group), len(idle), failed, skipped, seconds)
        )

    async def _schedule(self, interval: float, group: list[_Device], stop: asyncio.Event) -> None:
        """Start a cycle of ``group`` every ``interval`` seconds until ``stop`` is set."""
        loop = asyncio.get_running_loop()
        busy: set[str] = set()  # ids of devices whose poll from an earlier cycle still runs
        cycles: set[asyncio.Task[None]] = set()
        tick = loop.time()
        number = 0
        try:
            while not stop.is_set():
                number += 1
                idle = [d for d in group if d.id not in busy]
                skipped = tuple(d.id for d in group if d.id in busy)
                busy.update(d.id for d in idle)
                task = loop.create_task(self._cycle(number, interval, group, idle, skipped, busy))
                cycles.add(task)
                task.add_done_callback(cycles.discard)
                tick += interval
                behind = loop.time() - tick
                if behind > 0:  # the loop stalled past whole ticks: skip them, keep the phase
                    tick += math.ceil(behind / interval) * interval
                try:
                    await asyncio.wait_for(stop.wait(), tick - loop.time())
                except asyncio.TimeoutError:  # not yet the built-in TimeoutError on 3.10
                    continue
        finally:
            if cycles:  # cycles in progress finish (run() bounds this by its grace period)
                await asyncio.gather(*cycles, return_exceptions=True)

    async def run(self, stop: asyncio.Event, *, grace: float = 2.0) -> None:
        """Poll in cycles until ``stop`` is set, then close everything.

        Cycles in progress get ``grace`` seconds to finish before they are cancelled.
        """
        self.open()
        await self._start_sinks()
        tasks = [
            asyncio.create_task(self._schedule(interval, group, stop), name=f"cycles-{interval:g}s")
            for interval, group in self._groups().items()
        ]
        try:
            await stop.wait()
            if tasks:
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
