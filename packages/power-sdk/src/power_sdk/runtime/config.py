"""``runtime.yaml`` (version 1): parsed with PyYAML, interpolated, structured by cattrs.

Environment references ``${VAR}`` and ``${VAR:-default}`` are resolved in every string value
before structuring. Every error is a :class:`~power_sdk.errors.ConfigError` whose message
names the key path (``devices[1].transport.opts.broker``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs
import yaml

from power_sdk.errors import ConfigError, SchemaError
from power_sdk.parser.schema import BlockSchema
from power_sdk.transport.mqtt import parse_broker_url

__all__ = [
    "DefaultsConfig",
    "DeviceConfig",
    "PipelineConfig",
    "RuntimeConfig",
    "SinkConfig",
    "TransportConfig",
    "interpolate",
    "load_config",
    "parse_config",
]

_SECRET = re.compile(r"pass(word)?|secret|token|credential|private", re.IGNORECASE)
_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


@attrs.frozen
class PipelineConfig:
    """How devices of a pipeline are reached: plugin names for each layer."""

    transport: str
    vendor: str
    protocol: str
    mode: Literal["pull", "push"] = "pull"


@attrs.frozen
class TransportConfig:
    """Options handed to the transport and vendor plugins."""

    opts: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class DefaultsConfig:
    """Values every device inherits unless it overrides them."""

    poll_interval: float = 30.0
    transport: TransportConfig = attrs.field(factory=TransportConfig)


@attrs.frozen
class SinkConfig:
    """Where results go: ``stdout``, ``jsonl`` (``path``) or ``mqtt`` (``broker``, ``topic``).

    The mqtt sink logs in with ``username``/``password`` when given (an empty username means
    anonymous). With ``discovery_prefix`` (usually ``homeassistant``) it also announces every
    numeric value through Home Assistant's MQTT discovery.
    """

    type: Literal["stdout", "jsonl", "mqtt"]
    path: str | None = None
    broker: str | None = None
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    topic: str = "power_sdk/{device_id}/{block_name}"
    qos: int = 0
    retain: bool = False
    discovery_prefix: str | None = None


@attrs.frozen
class DeviceConfig:
    """One device: its pipeline, profile, transport options, interval and sinks."""

    id: str
    pipeline: str
    profile_id: str
    transport: TransportConfig = attrs.field(factory=TransportConfig)
    poll_interval: float | None = None
    sinks: list[SinkConfig] = attrs.field(factory=list)


@attrs.frozen
class RuntimeConfig:
    """The whole runtime file.

    ``schemas`` adds block layouts as data (``BlockSchema.from_dict`` form), so a device can
    poll a block the package does not know yet.
    """

    version: Literal[1]
    pipelines: dict[str, PipelineConfig]
    devices: list[DeviceConfig]
    defaults: DefaultsConfig = attrs.field(factory=DefaultsConfig)
    schemas: list[dict[str, Any]] = attrs.field(factory=list)

    @property
    def block_schemas(self) -> tuple[BlockSchema, ...]:
        """The ``schemas`` section as block schemas (validated when the file was parsed)."""
        return tuple(BlockSchema.from_dict(data) for data in self.schemas)

    def options(self, index: int) -> dict[str, Any]:
        """Effective transport options of device ``index`` (defaults, then its own)."""
        return {**self.defaults.transport.opts, **self.devices[index].transport.opts}

    def poll_interval(self, index: int) -> float:
        """Effective poll interval of device ``index`` in seconds."""
        own = self.devices[index].poll_interval
        return self.defaults.poll_interval if own is None else own

    def effective(self, *, mask: bool = True) -> dict[str, Any]:
        """The resolved configuration per device, secrets masked (what ``--dry-run`` prints)."""
        return {
            "version": self.version,
            "pipelines": {name: attrs.asdict(p) for name, p in self.pipelines.items()},
            "devices": [
                {
                    "id": device.id,
                    "pipeline": device.pipeline,
                    "profile_id": device.profile_id,
                    "poll_interval": self.poll_interval(index),
                    "transport": {
                        "opts": mask_secrets(self.options(index)) if mask else self.options(index)
                    },
                    "sinks": [
                        mask_secrets(attrs.asdict(s)) if mask else attrs.asdict(s)
                        for s in device.sinks
                    ],
                }
                for index, device in enumerate(self.devices)
            ],
            "schemas": [dict(data) for data in self.schemas],
        }


def mask_secrets(options: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the values of secret-looking keys (passwords, tokens...) with ``***``.

    Binary values (a certificate given inline) are shown by their size only.
    """
    return {
        k: "***"
        if _SECRET.search(k) and v is not None
        else (f"<{len(v)} bytes>" if isinstance(v, bytes) else v)
        for k, v in options.items()
    }


def interpolate(value: Any, env: Mapping[str, str], path: str = "$") -> Any:
    """Resolve ``${VAR}``/``${VAR:-default}`` in every string of a parsed YAML tree."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match["name"], match["default"]
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(
                f"environment variable {name} is not set (used at {path}); "
                f"set it or give a default with ${{{name}:-value}}"
            )

        return _REFERENCE.sub(replace, value)
    if isinstance(value, dict):
        return {k: interpolate(v, env, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


_converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


_converter.register_structure_hook(float, _structure_float)


def _first_error(exc: BaseException) -> str:
    messages = cattrs.transform_error(exc, path="$")
    text = messages[0] if messages else str(exc)
    text = text.replace("unknown error (", "invalid value (")
    return text.replace("@ $.", "at ").replace("@ $", "at the top level")


def parse_config(text: str, *, env: Mapping[str, str] | None = None) -> RuntimeConfig:
    """Parse runtime YAML text into a validated :class:`RuntimeConfig`."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"runtime config is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError("runtime config must be a mapping with version, pipelines and devices")
    raw = interpolate(raw, os.environ if env is None else env)
    try:
        config = _converter.structure(raw, RuntimeConfig)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        raise ConfigError(f"invalid runtime config: {_first_error(exc)}") from exc
    _check(config)
    return config


def load_config(
    path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None
) -> RuntimeConfig:
    """Read and parse the runtime file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read runtime config {os.fspath(path)!r}: {exc.strerror}"
        ) from exc
    return parse_config(text, env=env)


def _check(config: RuntimeConfig) -> None:
    for index, data in enumerate(config.schemas):
        try:
            BlockSchema.from_dict(data).validate()
        except SchemaError as exc:
            raise ConfigError(f"invalid runtime config: {exc} at schemas[{index}]") from exc
    _check_interval(config.defaults.poll_interval, "defaults.poll_interval")
    if not config.devices:
        raise ConfigError("invalid runtime config: at least one device is needed at devices")
    seen: set[str] = set()
    for index, device in enumerate(config.devices):
        where = f"devices[{index}]"
        if device.id in seen:
            raise ConfigError(
                f"invalid runtime config: duplicate device id {device.id!r} at {where}.id"
            )
        seen.add(device.id)
        if device.pipeline not in config.pipelines:
            known = ", ".join(sorted(config.pipelines)) or "none"
            raise ConfigError(
                f"invalid runtime config: unknown pipeline {device.pipeline!r} at "
                f"{where}.pipeline (defined: {known})"
            )
        if device.poll_interval is not None:
            _check_interval(device.poll_interval, f"{where}.poll_interval")
        for number, sink in enumerate(device.sinks):
            _check_sink(sink, f"{where}.sinks[{number}]")


def _check_interval(seconds: float, where: str) -> None:
    # NaN would poll in a busy loop and infinity never again: both are typos, not intervals
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(
            f"invalid runtime config: poll interval must be > 0 seconds, got {seconds} at {where}"
        )


def _check_sink(sink: SinkConfig, where: str) -> None:
    if sink.type == "jsonl" and not sink.path:
        raise ConfigError(f"invalid runtime config: a jsonl sink needs a path at {where}.path")
    if sink.type == "mqtt":
        if not sink.broker:
            raise ConfigError(
                f"invalid runtime config: an mqtt sink needs a broker at {where}.broker"
            )
        try:
            parse_broker_url(sink.broker)
        except ConfigError as exc:
            raise ConfigError(f"invalid runtime config: {exc} at {where}.broker") from None
        try:
            sink.topic.format(device_id="d", serial="s", profile="p", block_id=1, block_name="b")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(
                f"invalid runtime config: topic template {sink.topic!r} at {where}.topic uses "
                f"unknown placeholder {exc}; use device_id, serial, profile, block_id, block_name"
            ) from None
        if sink.qos not in (0, 1, 2):
            raise ConfigError(f"invalid runtime config: qos must be 0, 1 or 2 at {where}.qos")
