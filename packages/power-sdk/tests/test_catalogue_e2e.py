"""Every block of every profile, read end to end through a real broker from the simulator.

Beyond "it parses": each block comes back whole (no field missing), its text is text, and the
signed readings carry the sign the station's state implies: a pack charging from the grid
reads a negative current, a station feeding the grid a negative grid power.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

import pytest

from power_sdk import PROFILES, AsyncClient, BlockGroup, ParsedBlock
from shared_testing import RunningSimulator
from shared_testing.bluetti.broker import ThreadedBroker

MODELS = {"CAT-EL30": "EL30V2", "CAT-EL100": "EL100V2", "CAT-EL200": "ELITE200V2"}
Factory = Callable[..., RunningSimulator]


@pytest.fixture
def stations(mqtt_broker: ThreadedBroker, simulator: Factory) -> RunningSimulator:
    devices = [{"serial": serial, "profile": model} for serial, model in MODELS.items()]
    return simulator("bluetti", broker=mqtt_broker.url, devices=devices)


def client(sim: RunningSimulator, serial: str) -> AsyncClient:
    return AsyncClient(serial, profile=MODELS[serial], broker=sim.info()["broker"], timeout=3.0)


def texts(block: ParsedBlock) -> list[str]:
    found = []
    for value in block.values.values():
        nested = value.values() if isinstance(value, dict) else [value]
        found.extend(v for v in nested if isinstance(v, str))
    return found


@pytest.mark.parametrize("serial", sorted(MODELS))
async def test_every_block_of_the_profile_reads_whole(
    stations: RunningSimulator, serial: str
) -> None:
    profile = PROFILES[MODELS[serial]]
    async with client(stations, serial) as station:
        for block_id, registers in profile.blocks.items():
            block = await station.read_block(block_id)
            assert len(block.raw) == 2 * registers
            schema = station.schemas.get(block_id)
            expected_missing = {
                f.name
                for f, group in schema.flat_fields
                if group is None
                and f.end > len(block.raw)
                and (f.min_protocol_version or 0) <= profile.protocol_version
            }
            assert set(block.missing) == expected_missing, block_id
            assert all("\ufffd" not in text for text in texts(block)), block_id
    if profile.id == "EL30V2":  # protocol 2000 sends block 100 without its PV fields
        assert set(station.state.blocks[100].missing) == {
            "soh", "pv1_voltage", "pv1_current", "pv2_voltage", "pv2_current"
        }  # fmt: skip


def test_the_profiles_and_the_simulated_models_serve_the_same_blocks() -> None:
    # Two tables written independently (the simulator must not import power-sdk). Reading
    # every block cannot show a block only the simulator serves, or one it answers with more
    # registers than the profile asks for: compare the tables themselves.
    from shared_testing.bluetti.profiles import PROFILES as SIMULATED

    assert sorted(PROFILES) == sorted(SIMULATED)
    for model, profile in PROFILES.items():
        assert dict(profile.blocks) == SIMULATED[model].blocks, model
        assert profile.protocol_version == SIMULATED[model].protocol, model


@pytest.mark.parametrize("serial", sorted(MODELS))
async def test_groups_cover_exactly_the_blocks_the_profile_serves(
    stations: RunningSimulator, serial: str
) -> None:
    profile = PROFILES[MODELS[serial]]
    read: list[int] = []
    async with client(stations, serial) as station:
        for group in BlockGroup:
            read.extend((await station.read_group(group)).keys())
    assert sorted(read) == sorted(profile.blocks)


async def test_a_station_charging_from_the_grid_reads_negative_pack_currents(
    stations: RunningSimulator,
) -> None:
    async with client(stations, "CAT-EL200") as station:  # starts at 8 %: grid charging
        home = (await station.read_block(100)).values
        battery = (await station.read_block(6000)).values
        pack = (await station.read_block(6100)).values
        grid = (await station.read_block(1300)).values
    assert home["soc"] < 80
    assert home["ac_input_power"] > 0
    assert home["pack_current"] < 0
    assert battery["current"] < 0
    assert battery["running_status"] == 1  # charging
    assert pack["current"] < 0
    assert home["grid_power"] > 0  # drawn from the grid
    assert grid["phase_0_power"] > 0
    assert grid["phase_0_current"] > 0
    assert battery["voltage"] * battery["current"] < 0


async def test_a_full_station_feeding_the_grid_reads_negative_grid_values(
    stations: RunningSimulator,
) -> None:
    device = stations.simulator.devices["CAT-EL200"]  # type: ignore[attr-defined]

    async def fill_up() -> None:
        device.model.soc = 100.0

    async with client(stations, "CAT-EL200") as station:
        await station.write_register(2003, 0)  # ctrl_grid_chg off: no more grid charging
        await station.write_register(2006, 0)  # ctrl_ac off: the sun has nowhere else to go
        await station.write_register(2007, 0)  # ctrl_dc off
        stations.call(fill_up)
        home = (await station.read_block(100)).values
        grid = (await station.read_block(1300)).values
        meter = await station.read_block(1700)
    assert home["grid_power"] < 0
    assert grid["phase_0_power"] < 0
    assert grid["phase_0_current"] < 0
    total = struct.unpack(">f", struct.pack(">I", meter["total_active_power_raw_bits"]))[0]
    assert math.isclose(total, home["grid_power"], abs_tol=1.0)
    volts = struct.unpack(">f", struct.pack(">I", meter["phase0_voltage_raw_bits"]))[0]
    assert 200 < volts < 250


async def test_nested_groups_and_flag_fields_of_the_ats(stations: RunningSimulator) -> None:
    async with client(stations, "CAT-EL200") as station:
        ats = (await station.read_block(17400)).values
        dc_dc = (await station.read_block(15500)).values
        epad = (await station.read_block(18300)).values
    assert ats["config_grid"]["max_current"] == 63
    assert (ats["config_pcs1"]["max_current"], ats["config_pcs2"]["max_current"]) == (50, 50)
    assert ats["config_grid"]["type"] == 1
    assert ats["config_sl1"]["type"] == 2
    assert ats["top_level_enables"] == {"chg_from_grid_enable": 1, "feed_to_grid_enable": 1}
    assert ats["startup_flags"]["black_start_enable"] == 1
    assert ats["simple_end_fields"]["volt_level_set"] == 2
    assert ats["simple_end_fields"]["ac_supply_phase_num"] == 1
    assert (dc_dc["energy_line_car_to_charger"], dc_dc["energy_line_charger_to_device"]) == (1, 1)
    assert dc_dc["dc_input_volt"] == 12.8
    assert epad["temp_1_calibration_offset"] < 0  # a signed setting


async def test_a_model_without_accessories_refuses_their_blocks(
    stations: RunningSimulator,
) -> None:
    from power_sdk import ModbusExceptionError

    async with client(stations, "CAT-EL30") as station:
        assert not station.profile.group(BlockGroup.ACCESSORIES)
        with pytest.raises(ModbusExceptionError, match="illegal data address"):
            await station.read_block(17400)
