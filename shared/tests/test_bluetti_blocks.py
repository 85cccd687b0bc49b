"""The bluetti simulator's register images: every block of every model, with realistic signs.

Read straight from the model (no client, no broker): the offsets are the published V2
layouts', decoded here with ``struct``.
"""

from __future__ import annotations

import struct

import pytest

from shared_testing.bluetti.image import enable_list
from shared_testing.bluetti.profiles import BLOCK_REGISTERS, PROFILES
from shared_testing.bluetti.registers import GRID_CHARGE_START, GRID_CHARGE_TARGET, DeviceModel


def model(profile: str, **changes: float) -> DeviceModel:
    device = DeviceModel(f"T-{profile}", PROFILES[profile], speed=3600.0, seed=7)
    for name, value in changes.items():
        setattr(device, name, value)
    return device


def block(device: DeviceModel, block_id: int) -> bytes:
    return device.read(block_id, device.spec.blocks[block_id])


def value(fmt: str, data: bytes, offset: int) -> int | float:
    result: int | float = struct.unpack_from(">" + fmt, data, offset)[0]
    return result


def test_the_catalogue_has_45_blocks_and_the_largest_model_serves_them_all() -> None:
    assert len(BLOCK_REGISTERS) == 45
    assert PROFILES["ELITE200V2"].blocks == BLOCK_REGISTERS
    assert len(PROFILES["EL100V2"].blocks) == 31
    assert len(PROFILES["EL30V2"].blocks) == 22
    assert PROFILES["EL30V2"].blocks[100] == 60  # protocol 2000: no power flows
    for spec in PROFILES.values():
        assert all(count <= 125 for count in spec.blocks.values())  # one Modbus read each


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_served_block_is_readable_and_others_are_not(profile: str) -> None:
    device = model(profile)
    for block_id, count in BLOCK_REGISTERS.items():
        if block_id in device.spec.blocks:
            assert device.readable(block_id, device.spec.blocks[block_id]), block_id
            assert any(block(device, block_id)), f"block {block_id} is all zeros"
        elif not 2000 <= block_id < 2300:  # the settings range is always readable
            assert not device.readable(block_id, count), block_id
            assert not device.readable(block_id, 1), block_id


def test_identity_strings_are_text() -> None:
    device = model("ELITE200V2")
    for block_id, offset, size in ((100, 20, 12), (1100, 2, 12), (6100, 2, 12), (11000, 0, 12),
                                   (14500, 0, 12), (15500, 0, 12), (17000, 0, 12)):  # fmt: skip
        text = block(device, block_id)[offset : offset + size].split(b"\x00", 1)[0]
        assert text.isascii()
        assert text.decode().isprintable()
        assert text


def test_charging_from_the_grid_reads_negative_pack_currents() -> None:
    device = model("ELITE200V2")  # starts at 8 %
    assert device.spec.initial_soc <= GRID_CHARGE_START
    device.tick(device._last + 0.01)
    assert device.grid_charging
    home, main, pack = block(device, 100), block(device, 6000), block(device, 6100)
    assert value("h", home, 2) < 0  # pack_current
    assert value("I", home, 84) > 0  # ac_input_power
    assert value("i", home, 92) > 0  # grid_power: drawn from the grid
    assert value("h", main, 8) < 0  # 6000 current
    assert main[17] == 1  # running_status: charging
    assert value("h", pack, 24) < 0  # 6100 current
    grid = block(device, 1300)
    assert value("h", grid, 26) > 0
    assert value("h", grid, 30) > 0


def test_grid_charging_runs_to_its_target_and_obeys_its_switch() -> None:
    device = model("ELITE200V2")
    now = device._last
    while device.soc < GRID_CHARGE_TARGET:
        now += 0.5
        device.tick(now)
        assert device.grid_charging or device.soc >= GRID_CHARGE_TARGET
    device.tick(now + 0.5)
    assert not device.grid_charging
    low = model("ELITE200V2")
    low.write(2003, b"\x00\x00")  # ctrl_grid_chg (byte 7) off
    low.tick(low._last + 0.01)
    assert not low.grid_charging
    assert value("i", block(low, 100), 92) == 0


def test_feeding_the_grid_reads_negative_grid_values() -> None:
    device = model("ELITE200V2", soc=100.0)
    device.write(2003, b"\x00\x00")  # no grid charging
    device.write(2006, b"\x00\x00")  # ctrl_ac off
    device.write(2007, b"\x00\x00")  # ctrl_dc off
    device.tick(device._last + 0.01)
    assert device.grid_w < 0
    home, grid, meter = block(device, 100), block(device, 1300), block(device, 1700)
    assert value("i", home, 92) == round(device.grid_w)
    assert value("h", grid, 26) == round(device.grid_w)
    assert value("h", grid, 30) < 0
    assert value("f", meter, 114) == pytest.approx(device.grid_w, abs=0.01)
    assert value("f", meter, 130) == pytest.approx(50.0)


def test_ac_output_switch_removes_the_ac_load() -> None:
    device = model("EL100V2")
    device.tick(device._last + 0.01)
    assert value("I", block(device, 1400), 40) > 0  # ac_total_power
    device.write(2006, b"\x00\x00")
    device.tick(device._last + 0.01)
    assert value("I", block(device, 1400), 40) == 0
    device.write(2006, b"\x00\x01")
    device.tick(device._last + 0.01)
    assert value("I", block(device, 1400), 40) > 0


def test_signed_settings_and_flag_registers() -> None:
    device = model("ELITE200V2")
    epad = block(device, 18300)
    assert value("h", epad, 98) < 0  # temperature calibration offset
    ats = block(device, 17400)
    assert value("H", ats, 84) == 63  # grid port max current
    assert value("H", ats, 176) & 0x7 == 2
    assert value("H", ats, 176) >> 3 & 0x7 == 1


def _chunks(raw: int, size: int) -> list[int]:
    """The published reading of a flag register (most significant bits first)."""
    bits = [raw >> (15 - i) & 1 for i in range(16)]
    return [sum(b << j for j, b in enumerate(bits[s : s + size])) for s in range(0, 16, size)][
        : 16 // size
    ]


@pytest.mark.parametrize("size", [2, 3])
def test_enable_list_is_the_inverse_of_the_published_reading(size: int) -> None:
    chunks = [1, 0, 3, 2, 1][: 16 // size] if size == 3 else [1, 0, 3, 2, 1, 1, 0, 2]
    chunks = [c % (1 << size) for c in chunks]
    assert _chunks(enable_list(*chunks, size=size), size)[: len(chunks)] == chunks
