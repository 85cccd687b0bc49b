"""The device runtime: a YAML DSL, a plugin registry, a concurrent poller and sinks."""

from power_sdk.runtime.config import RuntimeConfig, load_config, parse_config
from power_sdk.runtime.cycles import CycleSummary
from power_sdk.runtime.executor import Executor
from power_sdk.runtime.records import Record
from power_sdk.runtime.registry import PluginRegistry, default_registry
from power_sdk.runtime.runtime_registry import DeviceSummary, RuntimeRegistry
from power_sdk.runtime.shard import Shard

__all__ = [
    "CycleSummary",
    "DeviceSummary",
    "Executor",
    "PluginRegistry",
    "Record",
    "RuntimeConfig",
    "RuntimeRegistry",
    "Shard",
    "default_registry",
    "load_config",
    "parse_config",
]
