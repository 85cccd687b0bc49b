"""Device runtime for power stations: Bluetti V2 over MQTT, Modbus framing, a YAML runtime."""

from importlib.metadata import version as _version

from power_sdk.client import AsyncClient, Client
from power_sdk.device import PROFILES, BlockGroup, DeviceProfile, DeviceState, get_profile
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
from power_sdk.parser import BlockSchema, Field, ParsedBlock, SchemaRegistry

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
    "Field",
    "FrameError",
    "ModbusExceptionError",
    "ParseError",
    "ParsedBlock",
    "PowerSdkError",
    "ProtocolError",
    "RequestTimeoutError",
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
