"""The device side of Modbus RTU as Bluetti V2 devices speak it (independent of power-sdk)."""

from __future__ import annotations

__all__ = ["crc16", "exception_frame", "seal"]


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def seal(body: bytes) -> bytes:
    """Append the CRC, low byte first."""
    return body + crc16(body).to_bytes(2, "little")


def exception_frame(address: int, function: int, code: int) -> bytes:
    """An exception response: function | 0x80 and one exception code."""
    return seal(bytes((address, (function | 0x80) & 0xFF, code & 0xFF)))
