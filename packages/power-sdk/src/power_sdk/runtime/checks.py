"""Everything the runtime can check about a configuration before any network I/O.

``--dry-run`` and ``--once`` run the same checks, so a configuration that ``--dry-run``
accepts is not refused later by ``--once`` (and the other way round): plugin and option
names, option aliases, each device's transport and session built offline, certificate files,
sink files.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from power_sdk.errors import ConfigError
from power_sdk.runtime.config import RuntimeConfig, mask_secrets
from power_sdk.runtime.registry import PluginRegistry

__all__ = [
    "CERTIFICATE",
    "CERTIFICATE_PASSWORD",
    "check_devices",
    "device_options",
    "effective_config",
    "validate_plugins",
]

logger = logging.getLogger(__name__)

#: the option naming a device's PKCS#12 certificate, and the one holding its password
CERTIFICATE = "pfx_cert"
CERTIFICATE_PASSWORD = "cert_password"


def _aliases(registry: PluginRegistry, config: RuntimeConfig, index: int) -> dict[str, str]:
    pipeline = config.pipelines[config.devices[index].pipeline]
    table: dict[str, str] = {}
    for plugin in (
        registry.transport(pipeline.transport),
        registry.vendor(pipeline.vendor),
    ):
        table.update(getattr(plugin, "aliases", {}))
    return table


def _canonical(
    options: Mapping[str, Any], aliases: Mapping[str, str], where: str
) -> dict[str, Any]:
    """``options`` with alias keys renamed; an alias and its name disagreeing is an error."""
    result: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, value in options.items():
        name = aliases.get(key, key)
        if name in result and result[name] != value:
            raise ConfigError(
                f"{given[name]!r} and {key!r} at {where} are the same option ({name}) with "
                "different values; keep one"
            )
        result[name] = value
        given[name] = key
    return result


def device_options(
    config: RuntimeConfig,
    index: int,
    registry: PluginRegistry,
    *,
    overrides: Mapping[str, Any] | None = None,
    fallbacks: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Effective options of device ``index``: defaults, then its own, aliases resolved.

    For a device with a certificate, ``overrides`` replace and ``fallbacks`` fill in (where
    missing or empty) its options: a ``--pfx-password`` flag beats the config, a password
    from the environment or a prompt does not.
    """
    aliases = _aliases(registry, config, index)
    options = {
        **_canonical(config.defaults.transport.opts, aliases, "defaults.transport.opts"),
        **_canonical(
            config.devices[index].transport.opts, aliases, f"devices[{index}].transport.opts"
        ),
    }
    if options.get(CERTIFICATE):
        missing = {k: v for k, v in (fallbacks or {}).items() if not options.get(k)}
        options = {**options, **missing, **(overrides or {})}
    return options


def validate_plugins(config: RuntimeConfig, registry: PluginRegistry) -> None:
    """Check every plugin name and option the config uses, without any I/O."""
    for name, pipeline in config.pipelines.items():
        where = f"pipelines.{name}"
        registry.transport(pipeline.transport, f"{where}.transport")
        vendor = registry.vendor(pipeline.vendor, f"{where}.vendor")
        registry.protocol(pipeline.protocol, f"{where}.protocol")
        if pipeline.mode != "pull":
            raise ConfigError(
                f"pipeline mode {pipeline.mode!r} at {where}.mode is not supported yet: the "
                "executor polls devices; use mode: pull"
            )
        if pipeline.protocol not in vendor.protocols:
            raise ConfigError(
                f"vendor {pipeline.vendor!r} does not speak protocol {pipeline.protocol!r} "
                f"(at {where}.protocol); it speaks {', '.join(sorted(vendor.protocols))}"
            )
    for index, device in enumerate(config.devices):
        pipeline = config.pipelines[device.pipeline]
        aliases = _aliases(registry, config, index)
        allowed = (
            registry.transport(pipeline.transport).options
            | registry.vendor(pipeline.vendor).options
        )
        levels = (
            ("defaults", config.defaults.transport.opts),
            (f"devices[{index}]", device.transport.opts),
        )
        for where, options in levels:
            for key in options:
                if aliases.get(key, key) not in allowed:
                    also = f" (or their aliases {', '.join(sorted(aliases))})" if aliases else ""
                    raise ConfigError(
                        f"unknown option {key!r} at {where}.transport.opts; "
                        f"{pipeline.transport}/{pipeline.vendor} accept "
                        f"{', '.join(sorted(allowed))}{also}"
                    )
        device_options(config, index, registry)  # alias conflicts


def _check_file_target(path: str, where: str) -> None:
    """Whether a sink could create or append to ``path`` (without creating anything)."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"{where} {path!r} is a directory, not a file")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{where} {path!r} cannot be created: {str(parent)!r} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise ConfigError(f"{where} {path!r} is not writable")


def check_devices(
    config: RuntimeConfig,
    registry: PluginRegistry,
    *,
    overrides: Mapping[str, Any] | None = None,
    fallbacks: Mapping[str, Any] | None = None,
) -> list[str]:
    """Build every device's transport and session offline; return warnings.

    Raises :class:`ConfigError` naming ``devices[i]`` for the first device ``--once`` could
    not open: a bad broker or port, a profile, group or block that does not exist, a
    certificate that cannot be read or opened, a sink file that cannot be written.
    """
    validate_plugins(config, registry)
    schemas = config.block_schemas
    warnings: list[str] = []
    for index, device in enumerate(config.devices):
        where = f"devices[{index}] ({device.id})"
        pipeline = config.pipelines[device.pipeline]
        transport_plugin = registry.transport(pipeline.transport)
        options = device_options(config, index, registry, overrides=overrides, fallbacks=fallbacks)
        try:
            transport = transport_plugin.create(options)
            check = getattr(transport_plugin, "check", None)
            if check is not None:
                warnings.extend(f"{where}: {w}" for w in check(options))
            registry.vendor(pipeline.vendor).open(
                device_id=device.id,
                profile_id=device.profile_id,
                options=options,
                transport=transport,
                protocol=registry.protocol(pipeline.protocol),
                schemas=schemas,
            )
        except Exception as exc:  # whatever --once would meet opening this device
            raise ConfigError(f"{where}: {exc}") from exc
        for number, sink in enumerate(device.sinks):
            if sink.type == "jsonl" and sink.path:
                _check_file_target(sink.path, f"devices[{index}].sinks[{number}].path")
    for warning in warnings:
        logger.warning("%s", warning)
    return warnings


def effective_config(
    config: RuntimeConfig, registry: PluginRegistry, *, mask: bool = True
) -> dict[str, Any]:
    """What ``--dry-run`` prints: the resolved config, option aliases resolved, secrets masked."""
    effective = config.effective(mask=mask)
    for index, device in enumerate(effective["devices"]):
        options = device_options(config, index, registry)
        device["transport"]["opts"] = mask_secrets(options) if mask else options
    return effective
