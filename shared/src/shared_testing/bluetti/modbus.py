"""The device side of Modbus RTU as Bluetti V2 devices speak it (independent of power-sdk)."""

from __future__ import annotations

__all__ = ["crc16", "exception_frame", "seal"]


def _bitwise(value: int) -> int:
    for _ in range(8):
        value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
    return value


#: the CRC of each byte value: one lookup per byte instead of eight shifts (a fleet of
#: simulated devices spends its time here otherwise)
_TABLE = tuple(_bitwise(byte) for byte in range(256))


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001)."""
    crc = 0xFFFF
    table = _TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def seal(body: bytes) -> bytes:
    """Append the CRC, low byte first."""
    return body + crc16(body).to_bytes(2, "little")


def exception_frame(address: int, function: int, code: int) -> bytes:
    """An exception response: function | 0x80 and one exception code."""
    return seal(bytes((address, (function | 0x80) & 0xFF, code & 0xFF)))
