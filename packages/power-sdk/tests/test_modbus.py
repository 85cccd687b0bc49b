from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from power_sdk import CrcMismatchError, FrameError, ModbusExceptionError, PowerSdkError
from power_sdk.protocol import modbus


def test_crc16_check_value() -> None:
    assert modbus.crc16(b"123456789") == 0x4B37


def test_read_request_layout() -> None:
    frame = modbus.build_read_request(100, 66)
    assert frame[:6] == bytes([1, 0x03, 0x00, 0x64, 0x00, 0x42])
    assert int.from_bytes(frame[6:], "little") == modbus.crc16(frame[:6])


def seal(body: bytes) -> bytes:
    return body + modbus.crc16(body).to_bytes(2, "little")


def test_parse_read_response_returns_data() -> None:
    frame = seal(bytes([1, 3, 4, 0, 1, 0, 2]))
    assert modbus.parse_read_response(frame, expected_count=2) == b"\x00\x01\x00\x02"


def test_crc_mismatch_is_typed() -> None:
    frame = bytearray(seal(bytes([1, 3, 2, 0, 1])))
    frame[-1] ^= 0xFF
    with pytest.raises(CrcMismatchError, match="CRC mismatch"):
        modbus.parse_read_response(bytes(frame))


def test_exception_response_is_typed() -> None:
    with pytest.raises(ModbusExceptionError, match="illegal data address") as info:
        modbus.parse_read_response(seal(bytes([1, 0x83, 2])))
    assert info.value.code == 2
    assert info.value.function == 0x03


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"\x01\x03", "too short"),
        (seal(bytes([1, 3, 4, 0, 1])), "announces 4 data bytes but carries 2"),
        (seal(bytes([2, 3, 2, 0, 1])), "device address 2"),
        (seal(bytes([1, 4, 2, 0, 1])), "function 0x04"),
    ],
)
def test_malformed_frames(frame: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        modbus.parse_read_response(frame)


def test_wrong_register_count_is_detected() -> None:
    with pytest.raises(FrameError, match="expected 4"):
        modbus.parse_read_response(seal(bytes([1, 3, 2, 0, 1])), expected_count=2)


def test_write_single_echo() -> None:
    frame = modbus.build_write_single_request(2000, 1)
    assert frame[:6] == bytes([1, 6, 0x07, 0xD0, 0, 1])
    assert modbus.parse_write_response(frame) == modbus.WriteAck(2000, 1)


def test_write_multiple_request_and_reply() -> None:
    frame = modbus.build_write_multiple_request(2000, [1, 2, 3])
    assert frame[:7] == bytes([1, 0x10, 0x07, 0xD0, 0, 3, 6])
    assert frame[7:13] == bytes([0, 1, 0, 2, 0, 3])
    reply = seal(bytes([1, 0x10, 0x07, 0xD0, 0, 3]))
    assert modbus.parse_write_response(reply) == modbus.WriteAck(2000, 3)


def test_write_ack_must_confirm_the_request() -> None:
    single = modbus.build_write_single_request(2000, 1)
    assert modbus.parse_write_response(single, request=single) == modbus.WriteAck(2000, 1)
    with pytest.raises(FrameError, match=r"acknowledged 07d00000 .* but 07d00001 was written"):
        modbus.parse_write_response(seal(bytes([1, 6, 0x07, 0xD0, 0, 0])), request=single)
    multiple = modbus.build_write_multiple_request(2000, [1, 2, 3])
    reply = seal(bytes([1, 0x10, 0x07, 0xD0, 0, 3]))
    assert modbus.parse_write_response(reply, request=multiple) == modbus.WriteAck(2000, 3)
    with pytest.raises(FrameError, match="count"):
        modbus.parse_write_response(seal(bytes([1, 0x10, 0x07, 0xD0, 0, 2])), request=multiple)
    with pytest.raises(ModbusExceptionError, match="exception 2"):
        modbus.parse_write_response(seal(bytes([1, 0x90, 2])), request=multiple)


def test_write_exception() -> None:
    with pytest.raises(ModbusExceptionError, match="exception 4"):
        modbus.parse_write_response(seal(bytes([1, 0x90, 4])))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: modbus.build_read_request(0, 126), "1..125"),
        (lambda: modbus.build_read_request(70000, 1), "0..65535"),
        (lambda: modbus.build_write_single_request(1, 70000), "value"),
        (lambda: modbus.build_write_multiple_request(1, []), "1..123"),
        (lambda: modbus.split_read(0, 0), ">= 1"),
        (lambda: modbus.split_read(0, 1.5), "register count must be an integer, got 1.5"),
        (lambda: modbus.build_read_request(100.0, 1), "start register must be an integer"),
        (lambda: modbus.build_read_request(100, True), "register count must be an integer"),
        (lambda: modbus.build_write_single_request(1, "7"), "value must be an integer"),
        (lambda: modbus.build_write_multiple_request(1, [1, None]), "value must be an integer"),
        (lambda: modbus.build_read_request(1, 1, address=256), "address must be within 0..255"),
        (
            lambda: modbus.build_write_single_request(1, 1, address=256),
            "address must be within 0..255",
        ),
        (
            lambda: modbus.build_write_multiple_request(1, [1], address=-1),
            "address must be within 0..255",
        ),
        (
            lambda: modbus.build_write_single_request(1, 1, address="1"),
            "device address must be an integer",
        ),
    ],
)
def test_bad_requests(call: object, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        call()  # type: ignore[operator]


def test_split_read_chunks_at_125() -> None:
    assert modbus.split_read(6100, 300) == [(6100, 125), (6225, 125), (6350, 50)]


@given(start=st.integers(0, 0xFFFF), count=st.integers(1, 125))
def test_read_request_round_trips_through_crc(start: int, count: int) -> None:
    frame = modbus.build_read_request(start, count)
    assert modbus.crc16(frame) == 0  # CRC over data + its own CRC is zero for CRC-16/MODBUS


@given(data=st.binary(max_size=250))
def test_read_response_round_trip(data: bytes) -> None:
    frame = seal(bytes([1, 3, len(data)]) + data)
    assert modbus.parse_read_response(frame) == data


def outcome(parse: Callable[[bytes], object], frame: bytes) -> object:
    try:
        return parse(frame)
    except PowerSdkError as exc:
        return exc


def check_only_package_errors(frame: bytes) -> None:
    data = outcome(modbus.parse_read_response, frame)
    assert isinstance(data, PowerSdkError) or len(data) == frame[2]  # type: ignore[arg-type]
    ack = outcome(modbus.parse_write_response, frame)
    assert isinstance(ack, (PowerSdkError, modbus.WriteAck))
    for request in WRITES:
        ack = outcome(lambda f, r=request: modbus.parse_write_response(f, request=r), frame)
        assert isinstance(ack, (PowerSdkError, modbus.WriteAck))


WRITES = (
    modbus.build_write_single_request(2000, 1),
    modbus.build_write_multiple_request(2000, [1, 2]),
)


@settings(max_examples=300)
@given(frame=st.binary(max_size=300))
def test_random_frames_raise_only_package_errors(frame: bytes) -> None:
    check_only_package_errors(frame)


@settings(max_examples=200)
@given(body=st.binary(min_size=1, max_size=260))
def test_random_sealed_frames_raise_only_package_errors(body: bytes) -> None:
    frame = seal(bytes([1]) + body)
    check_only_package_errors(frame)


def test_answers_tells_late_answers_apart() -> None:
    read_100 = modbus.build_read_request(100, 66)
    read_1300 = modbus.build_read_request(1300, 16)
    answer_1300 = seal(bytes([1, 3, 32]) + bytes(32))
    assert modbus.answers(read_1300, answer_1300)
    assert not modbus.answers(read_100, answer_1300)
    assert modbus.answers(read_100, seal(bytes([1, 0x83, 2])))
    write = modbus.build_write_single_request(2000, 1)
    assert modbus.answers(write, write)
    assert not modbus.answers(modbus.build_write_single_request(2001, 1), write)
    assert not modbus.answers(read_100, write)
    assert not modbus.answers(read_100, b"\x01")


@given(frame=st.binary(max_size=40), start=st.integers(0, 0xFFFF), count=st.integers(1, 125))
def test_answers_never_raises(frame: bytes, start: int, count: int) -> None:
    assert modbus.answers(modbus.build_read_request(start, count), frame) in (True, False)
