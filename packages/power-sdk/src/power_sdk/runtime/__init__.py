"""The device runtime: a YAML DSL, a plugin registry, a concurrent poller and sinks."""

from power_sdk.runtime.config import RuntimeConfig, load_config, parse_config
from power_sdk.runtime.executor import Executor
from power_sdk.runtime.records import Record
from power_sdk.runtime.registry import PluginRegistry, default_registry
from power_sdk.runtime.runtime_registry import DeviceSummary, RuntimeRegistry

__all__ = [
    "DeviceSummary",
    "Executor",
    "PluginRegistry",
    "Record",
    "RuntimeConfig",
    "RuntimeRegistry",
    "default_registry",
    "load_config",
    "parse_config",
]
