"""The exception tree: every failure a user can meet is a subclass of :class:`PowerSdkError`."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BrokerUnavailableError",
    "ConfigError",
    "ConnectionLostError",
    "CrcMismatchError",
    "FrameError",
    "ModbusExceptionError",
    "ParseError",
    "PowerSdkError",
    "ProtocolError",
    "RequestTimeoutError",
    "SchemaError",
    "ShortBlockError",
    "TlsError",
    "TransportError",
    "UnknownBlockError",
    "UnknownGroupError",
    "UnknownPluginError",
    "UnknownProfileError",
]


class PowerSdkError(Exception):
    """Base of every error raised by power-sdk."""


class TransportError(PowerSdkError):
    """The transport could not deliver a request or its answer (the only retried kind)."""


class BrokerUnavailableError(TransportError):
    """The MQTT broker cannot be reached or refused the connection."""


class ConnectionLostError(TransportError):
    """The broker connection dropped while a request was waiting for its answer."""


class RequestTimeoutError(TransportError):
    """The device did not answer within the timeout."""


class TlsError(PowerSdkError):
    """The PKCS#12 client certificate could not be loaded (wrong password or damaged file)."""


class ProtocolError(PowerSdkError):
    """A Modbus frame was malformed, failed its CRC, or the device answered with an exception."""


class FrameError(ProtocolError):
    """A Modbus frame is too short, has the wrong function or an inconsistent byte count."""


class CrcMismatchError(ProtocolError):
    """A Modbus frame's CRC-16 does not match its content (corrupted in transit)."""


class ModbusExceptionError(ProtocolError):
    """The device answered with a Modbus exception response."""

    NAMES: ClassVar[dict[int, str]] = {
        1: "illegal function",
        2: "illegal data address",
        3: "illegal data value",
        4: "device failure",
    }

    def __init__(self, function: int, code: int) -> None:
        self.function = function
        self.code = code
        name = self.NAMES.get(code, "unknown exception")
        super().__init__(
            f"device answered function 0x{function:02X} with Modbus exception {code} ({name}); "
            "check the register range and the device's state"
        )


class ParseError(PowerSdkError):
    """Block data could not be decoded with its schema."""


class ShortBlockError(ParseError):
    """A strict block returned fewer bytes than its schema requires."""


class SchemaError(PowerSdkError):
    """A block schema is invalid (unknown transform, bad argument, overlapping name...)."""


class UnknownBlockError(PowerSdkError):
    """No schema is registered for the block id (register one with ``register_schema``)."""


class UnknownGroupError(PowerSdkError):
    """A block group name that is not one of ``BlockGroup``'s."""


class UnknownProfileError(PowerSdkError):
    """The device profile id is not known (see ``power_sdk.PROFILES``)."""


class UnknownPluginError(PowerSdkError):
    """A pipeline names a transport, vendor or protocol that no plugin registered."""


class ConfigError(PowerSdkError):
    """The runtime configuration (or a client's arguments) is invalid; names the key path."""
