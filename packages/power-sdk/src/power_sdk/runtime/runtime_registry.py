"""``RuntimeRegistry``: the devices of a ``runtime.yaml``, resolved and checked offline.

The published package's entry point to the runtime: ``RuntimeRegistry.from_config(path)``,
``dry_run()`` for the resolved devices without I/O, ``poll_all_once()`` for one cycle. The
polling itself is the :class:`~power_sdk.runtime.executor.Executor`'s.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import attrs

from power_sdk.runtime.checks import check_devices, validate_plugins
from power_sdk.runtime.config import DeviceConfig, RuntimeConfig, load_config
from power_sdk.runtime.executor import DeviceReport, Executor
from power_sdk.runtime.registry import PluginRegistry, default_registry

__all__ = ["DeviceSummary", "RuntimeRegistry"]


@attrs.frozen
class DeviceSummary:
    """One device as ``dry_run`` resolves it."""

    device_id: str
    pipeline_name: str
    mode: str
    vendor: str
    protocol: str
    transport_key: str
    profile_id: str
    poll_interval: float
    sinks: tuple[str, ...]


class RuntimeRegistry:
    """The configured devices with their plugins; builds the executor that polls them."""

    def __init__(self, config: RuntimeConfig, *, plugins: PluginRegistry | None = None) -> None:
        self.config = config
        self.plugins = plugins or default_registry()
        validate_plugins(config, self.plugins)

    @classmethod
    def from_config(
        cls, path: str | os.PathLike[str], plugin_registry: PluginRegistry | None = None
    ) -> RuntimeRegistry:
        """Read, interpolate and check ``path`` (a :class:`ConfigError` names the key path)."""
        return cls(load_config(path), plugins=plugin_registry)

    def dry_run(self) -> list[DeviceSummary]:
        """Every device resolved and built offline (the checks of ``--dry-run``), no I/O."""
        check_devices(self.config, self.plugins)
        summaries = []
        for index, device in enumerate(self.config.devices):
            pipeline = self.config.pipelines[device.pipeline]
            summaries.append(
                DeviceSummary(
                    device.id,
                    device.pipeline,
                    pipeline.mode,
                    pipeline.vendor,
                    pipeline.protocol,
                    pipeline.transport,
                    device.profile_id,
                    self.config.poll_interval(index),
                    tuple(sink.type for sink in device.sinks),
                )
            )
        return summaries

    def executor(self) -> Executor:
        """An executor for these devices (use it as ``async with``)."""
        return Executor(self.config, registry=self.plugins)

    def poll_all_once(self) -> list[DeviceReport]:
        """One poll cycle of every device, from synchronous code (not inside an event loop)."""

        async def cycle() -> list[DeviceReport]:
            async with self.executor() as executor:
                return await executor.run_once()

        return asyncio.run(cycle())

    def get(self, device_id: str) -> DeviceConfig | None:
        """The configuration of ``device_id``."""
        return next((d for d in self.config.devices if d.id == device_id), None)

    def __iter__(self) -> Iterator[DeviceConfig]:
        return iter(self.config.devices)

    def __len__(self) -> int:
        return len(self.config.devices)
