"""Device runtime for power stations: Bluetti V2 over MQTT, Modbus framing, a YAML runtime.

The published package's stable names are all here: ``Client``, ``AsyncClient``,
``MQTTTransport``, ``MQTTConfig``, ``RuntimeRegistry``, ``Executor``.
"""

from importlib.metadata import version as _version

from power_sdk.client import AsyncClient, Client
from power_sdk.devices.profiles import PROFILES, DeviceProfile, get_profile
from power_sdk.errors import (
    BrokerUnavailableError,
    ConfigError,
    ConnectionLostError,
    CrcMismatchError,
    FrameError,
    ModbusExceptionError,
    ParseError,
    PowerSdkError,
    ProtocolError,
    RequestTimeoutError,
    SchemaError,
    ShortBlockError,
    TlsError,
    TransportError,
    UnknownBlockError,
    UnknownGroupError,
    UnknownPluginError,
    UnknownProfileError,
)
from power_sdk.models.device import DeviceState
from power_sdk.models.types import BlockGroup
from power_sdk.parser import BlockSchema, Field, FieldGroup, ParsedBlock, SchemaRegistry
from power_sdk.runtime import Executor, RuntimeRegistry
from power_sdk.transport import MQTTConfig, MQTTTransport, MqttTransport

__all__ = [
    "PROFILES",
    "AsyncClient",
    "BlockGroup",
    "BlockSchema",
    "BrokerUnavailableError",
    "Client",
    "ConfigError",
    "ConnectionLostError",
    "CrcMismatchError",
    "DeviceProfile",
    "DeviceState",
    "Executor",
    "Field",
    "FieldGroup",
    "FrameError",
    "MQTTConfig",
    "MQTTTransport",
    "ModbusExceptionError",
    "MqttTransport",
    "ParseError",
    "ParsedBlock",
    "PowerSdkError",
    "ProtocolError",
    "RequestTimeoutError",
    "RuntimeRegistry",
    "SchemaError",
    "SchemaRegistry",
    "ShortBlockError",
    "TlsError",
    "TransportError",
    "UnknownBlockError",
    "UnknownGroupError",
    "UnknownPluginError",
    "UnknownProfileError",
    "__version__",
    "get_profile",
]

__version__ = _version("power-sdk")
