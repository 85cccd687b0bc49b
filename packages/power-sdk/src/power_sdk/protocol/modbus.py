"""Modbus RTU frames as Bluetti V2 devices carry them in MQTT payloads.

Pure functions, no I/O. Register values are big-endian; the CRC-16/MODBUS trailer is sent low
byte first.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from functools import lru_cache

from power_sdk.errors import CrcMismatchError, FrameError, ModbusExceptionError

__all__ = [
    "DEVICE_ADDRESS",
    "MAX_READ_REGISTERS",
    "MAX_WRITE_REGISTERS",
    "WriteAck",
    "answers",
    "build_read_request",
    "build_write_multiple_request",
    "build_write_single_request",
    "crc16",
    "parse_read_response",
    "parse_write_response",
    "split_read",
]

DEVICE_ADDRESS = 1
MAX_READ_REGISTERS = 125
MAX_WRITE_REGISTERS = 123

READ_HOLDING = 0x03
WRITE_SINGLE = 0x06
WRITE_MULTIPLE = 0x10


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _crc_table()

#: the register after two bytes, indexed by the register XOR the two bytes read as a
#: little-endian word: one lookup per two bytes (128 KiB, built at import). Checking every
#: answer's CRC is the largest per-poll cost of the runtime after paho itself.
_PAIRS = array(
    "H",
    [
        (step >> 8) ^ _TABLE[step & 0xFF]
        for high in range(256)
        for low in range(256)
        for step in (high ^ _TABLE[low],)
    ],
)
_SWAP = sys.byteorder == "big"


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/MODBUS of ``data`` (init 0xFFFF, reflected polynomial 0xA001)."""
    if not isinstance(data, bytes | bytearray):
        data = bytes(data)
    size = len(data)
    words = array("H", data[: size & ~1])
    if _SWAP:
        words.byteswap()
    crc = 0xFFFF
    pairs = _PAIRS
    for word in words:
        crc = pairs[crc ^ word]
    if size & 1:
        crc = (crc >> 8) ^ _TABLE[(crc ^ data[-1]) & 0xFF]
    return crc


def _seal(body: bytes) -> bytes:
    return body + crc16(body).to_bytes(2, "little")


def _check_integer(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FrameError(f"{name} must be an integer, got {value!r}")


def _check_register(name: str, value: int) -> None:
    _check_integer(name, value)
    if not 0 <= value <= 0xFFFF:
        raise FrameError(f"{name} must be within 0..65535, got {value}")


def _check_address(address: int) -> None:
    _check_integer("device address", address)
    if not 0 <= address <= 0xFF:
        raise FrameError(f"device address must be within 0..255, got {address}")


def build_read_request(start: int, count: int, *, address: int = DEVICE_ADDRESS) -> bytes:
    """Frame a read-holding-registers request (function 0x03) for ``count`` registers."""
    _check_register("start register", start)
    _check_integer("register count", count)
    if not 1 <= count <= MAX_READ_REGISTERS:
        raise FrameError(f"a read covers 1..{MAX_READ_REGISTERS} registers, got {count}")
    _check_address(address)
    return _read_frame(start, count, address)


@lru_cache(maxsize=4096)
def _read_frame(start: int, count: int, address: int) -> bytes:
    # a fleet asks for the same few blocks over and over: each is framed once
    head = bytes((address, READ_HOLDING))
    return _seal(head + start.to_bytes(2, "big") + count.to_bytes(2, "big"))


def build_write_single_request(
    register: int, value: int, *, address: int = DEVICE_ADDRESS
) -> bytes:
    """Frame a write-single-register request (function 0x06)."""
    _check_register("register", register)
    _check_register("value", value)
    _check_address(address)
    head = bytes((address, WRITE_SINGLE))
    return _seal(head + register.to_bytes(2, "big") + value.to_bytes(2, "big"))


def build_write_multiple_request(
    start: int, values: list[int] | tuple[int, ...], *, address: int = DEVICE_ADDRESS
) -> bytes:
    """Frame a write-multiple-registers request (function 0x10)."""
    _check_register("start register", start)
    if not 1 <= len(values) <= MAX_WRITE_REGISTERS:
        raise FrameError(f"a write covers 1..{MAX_WRITE_REGISTERS} registers, got {len(values)}")
    for value in values:
        _check_register("value", value)
    _check_address(address)
    data = b"".join(v.to_bytes(2, "big") for v in values)
    head = bytes((address, WRITE_MULTIPLE)) + start.to_bytes(2, "big")
    return _seal(head + len(values).to_bytes(2, "big") + bytes((len(data),)) + data)


def _open(frame: bytes, function: int, address: int) -> bytes:
    """Check length, CRC, address and function; raise the device's exception if it sent one."""
    if len(frame) < 5:
        raise FrameError(f"Modbus frame too short: {len(frame)} bytes, need at least 5")
    body = frame[:-2]
    if crc16(frame) != 0:  # the CRC over a frame and its own CRC is zero when they agree
        expected = crc16(body)
        received = int.from_bytes(frame[-2:], "little")
        raise CrcMismatchError(
            f"Modbus CRC mismatch: frame says 0x{received:04X}, content gives 0x{expected:04X}; "
            "the answer was corrupted, read again"
        )
    if body[0] != address:
        raise FrameError(f"answer from device address {body[0]}, expected {address}")
    if body[1] == function | 0x80:
        raise ModbusExceptionError(function, body[2])
    if body[1] != function:
        raise FrameError(f"answer has function 0x{body[1]:02X}, expected 0x{function:02X}")
    return body


def parse_read_response(
    frame: bytes, *, expected_count: int | None = None, address: int = DEVICE_ADDRESS
) -> bytes:
    """Return the data bytes of a read response (function 0x03), checking CRC and byte count."""
    frame = bytes(frame)
    body = _open(frame, READ_HOLDING, address)
    byte_count = body[2]
    data = frame[3:-2]
    if len(data) != byte_count:
        raise FrameError(f"read answer announces {byte_count} data bytes but carries {len(data)}")
    if expected_count is not None and byte_count != 2 * expected_count:
        raise FrameError(
            f"read answer carries {byte_count} bytes, expected {2 * expected_count} "
            f"for {expected_count} registers"
        )
    return data


@dataclass(frozen=True, slots=True)
class WriteAck:
    """A device's acknowledgement of a write: the first register and how many were written."""

    register: int
    count: int


def parse_write_response(
    frame: bytes, *, request: bytes | None = None, address: int = DEVICE_ADDRESS
) -> WriteAck:
    """Decode the acknowledgement of a 0x06 (echo) or 0x10 write.

    With ``request``, the acknowledgement must confirm exactly that write: a 0x06 echo must
    repeat the register and value, a 0x10 reply the first register and count.
    """
    frame = bytes(frame)
    if request is not None and len(request) > 1:
        function = request[1]
    else:
        function = frame[1] & 0x7F if len(frame) > 1 else WRITE_SINGLE
    if function not in (WRITE_SINGLE, WRITE_MULTIPLE):
        function = WRITE_SINGLE
    body = _open(frame, function, address)
    if len(body) != 6:
        raise FrameError(f"write answer must have 8 bytes, got {len(body) + 2}")
    if request is not None and body[2:6] != request[2:6]:
        raise FrameError(
            f"the device acknowledged {body[2:6].hex()} (register, "
            f"{'value' if function == WRITE_SINGLE else 'count'}) but {request[2:6].hex()} "
            "was written; read the registers back to check their state"
        )
    register = int.from_bytes(body[2:4], "big")
    second = int.from_bytes(body[4:6], "big")
    return WriteAck(register, 1 if function == WRITE_SINGLE else second)


def answers(request: bytes, frame: bytes) -> bool:
    """Whether ``frame`` can be the device's answer to ``request`` (same function and shape).

    Modbus RTU has no transaction id; this is how a late answer to an earlier, timed-out
    request is told apart from the answer awaited now. Exception responses always match
    their function; damaged frames still match when their header does, so that the CRC
    check can report them.
    """
    if len(frame) < 3 or len(request) < 6 or frame[0] != request[0]:
        return False
    function = request[1]
    if frame[1] == function | 0x80:
        return True
    if frame[1] != function:
        return False
    if function == READ_HOLDING:
        return frame[2] == 2 * int.from_bytes(request[4:6], "big")
    return frame[2:4] == request[2:4]


def split_read(start: int, count: int) -> list[tuple[int, int]]:
    """Split a read of ``count`` registers into chunks a single Modbus read can carry."""
    _check_integer("register count", count)
    if count < 1:
        raise FrameError(f"register count must be >= 1, got {count}")
    chunks = []
    offset = 0
    while offset < count:
        size = min(MAX_READ_REGISTERS, count - offset)
        chunks.append((start + offset, size))
        offset += size
    return chunks
