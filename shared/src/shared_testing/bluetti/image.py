"""A device's 65536-register image, written by block id and byte offset (big-endian)."""

from __future__ import annotations

import struct

__all__ = ["RegisterImage", "enable_list"]


class RegisterImage:
    """The registers of one device as bytes; ``block`` is the block's first register."""

    def __init__(self) -> None:
        self.data = bytearray(2 * 65536)

    def put(self, fmt: str, block: int, offset: int, *values: object) -> None:
        """Pack ``values`` (struct format ``fmt``, big-endian) at ``offset`` of ``block``."""
        struct.pack_into(">" + fmt, self.data, 2 * block + offset, *values)

    def text(self, block: int, offset: int, length: int, text: str) -> None:
        """ASCII text, NUL padded to ``length`` bytes."""
        encoded = text.encode("ascii")[:length].ljust(length, b"\x00")
        self.data[2 * block + offset : 2 * block + offset + length] = encoded

    def word(self, block: int, offset: int) -> int:
        """The unsigned 16-bit value at ``offset`` of ``block``."""
        value: int = struct.unpack_from(">H", self.data, 2 * block + offset)[0]
        return value

    def byte(self, block: int, offset: int) -> int:
        """The byte at ``offset`` of ``block``."""
        return self.data[2 * block + offset]

    def registers(self, start: int, count: int) -> bytes:
        """The bytes of ``count`` registers from ``start``."""
        return bytes(self.data[2 * start : 2 * (start + count)])

    def store(self, start: int, data: bytes) -> None:
        """Overwrite registers from ``start`` with ``data``."""
        self.data[2 * start : 2 * start + len(data)] = data


def enable_list(*chunks: int, size: int = 2) -> int:
    """A 16-bit register holding small flag fields the way the vendor app reads them.

    Chunk ``k`` takes the bits from ``15 - k*size`` downwards, least significant bit first
    (the inverse of power-sdk's ``hex_enable_list`` transform, written independently).
    """
    value = 0
    for index, chunk in enumerate(chunks):
        for j in range(size):
            if chunk >> j & 1:
                value |= 1 << (15 - index * size - j)
    return value
