"""Built-in block schemas (community-documented Bluetti V2 layouts), kept as data.

A layout correction is a one-line change here; a new block is a new ``BlockSchema`` entry.
"""

from __future__ import annotations

from power_sdk.parser.datatypes import (
    Array,
    Bitmap,
    Enum,
    Int16,
    Int32,
    String,
    UInt8,
    UInt16,
    UInt32,
)
from power_sdk.parser.schema import BlockSchema, Field

__all__ = ["BUILTIN_SCHEMAS"]

_TEMP = ("minus:40",)
_DECI = ("scale:0.1",)
_V2001 = 2001

APP_HOME_DATA = BlockSchema(
    100,
    "APP_HOME_DATA",
    min_length=120,
    strict=False,
    description="Home screen summary: battery, power flows, energy counters.",
    fields=[
        Field("pack_voltage", 0, UInt16(), _DECI, "V"),
        Field("pack_current", 2, UInt16(), _DECI, "A"),
        Field("soc", 4, UInt16(), (), "%"),
        Field("pack_power", 6, UInt32(), (), "W"),
        Field("load_power", 10, UInt32(), (), "W"),
        Field("pack_online", 16, Bitmap(UInt16())),
        Field("device_model", 20, String(12)),
        Field("device_serial", 32, String(8)),
        Field("pack_temp_avg", 48, UInt16(), _TEMP, "°C"),
        Field("pack_temp_max", 50, UInt16(), _TEMP, "°C"),
        Field("pack_temp_min", 52, UInt16(), _TEMP, "°C"),
        Field("dc_input_power", 80, UInt32(), (), "W", _V2001),
        Field("ac_input_power", 84, UInt32(), (), "W", _V2001),
        Field("pv_power", 88, UInt32(), (), "W", _V2001),
        Field("grid_power", 92, Int32(), (), "W", _V2001, "negative: export to the grid"),
        Field("total_energy_charge", 100, UInt32(), _DECI, "kWh", _V2001),
        Field("ac_output_power", 104, UInt32(), (), "W", _V2001),
        Field("pv_charge_energy", 108, UInt32(), _DECI, "kWh", _V2001),
        Field("total_energy_discharge", 112, UInt32(), _DECI, "kWh", _V2001),
        Field("total_feedback_energy", 116, UInt32(), _DECI, "kWh", _V2001),
        Field("soh", 120, UInt16(), (), "%"),
        Field("pv1_voltage", 124, UInt16(), _DECI, "V"),
        Field("pv1_current", 126, UInt16(), _DECI, "A"),
        Field("pv2_voltage", 128, UInt16(), _DECI, "V"),
        Field("pv2_current", 130, UInt16(), _DECI, "A"),
    ],
)

INV_BASE_INFO = BlockSchema(
    1100,
    "INV_BASE_INFO",
    min_length=108,
    strict=False,
    description="Inverter identity and temperatures.",
    fields=[
        Field("inv_id", 1, UInt8()),
        Field("inv_type", 2, String(12)),
        Field("inv_serial", 14, String(8)),
        Field("ambient_temp", 102, UInt16(), _TEMP, "°C"),
        Field("inv_max_temp", 104, UInt16(), _TEMP, "°C"),
        Field("pv_dcdc_max_temp", 106, UInt16(), _TEMP, "°C"),
    ],
)

INV_GRID_INFO = BlockSchema(
    1300,
    "INV_GRID_INFO",
    min_length=32,
    strict=True,
    description="Grid input: frequency, voltages, energy, phase 0 power.",
    fields=[
        Field("frequency", 0, UInt16(), _DECI, "Hz"),
        Field("phase_1_voltage", 2, UInt16(), _DECI, "V"),
        Field("phase_2_voltage", 4, UInt16(), _DECI, "V"),
        Field("total_charge_energy", 6, UInt32(), _DECI, "kWh"),
        Field("total_feedback_energy", 10, UInt32(), _DECI, "kWh"),
        Field("phase_0_power", 26, Int16(), ("abs",), "W"),
        Field("phase_0_voltage", 28, UInt16(), _DECI, "V"),
        Field("phase_0_current", 30, Int16(), ("abs", "scale:0.1"), "A"),
    ],
)

INV_LOAD_INFO = BlockSchema(
    1400,
    "INV_LOAD_INFO",
    min_length=72,
    strict=False,
    description="DC and AC load outputs.",
    fields=[
        Field("dc_load_power", 0, UInt32(), (), "W"),
        Field("dc_load_energy", 4, UInt32(), _DECI, "kWh"),
        Field("dc_5v_power", 8, UInt16(), (), "W"),
        Field("dc_5v_current", 10, UInt16(), _DECI, "A"),
        Field("dc_12v_power", 12, UInt16(), (), "W"),
        Field("dc_12v_current", 14, UInt16(), _DECI, "A"),
        Field("dc_24v_power", 16, UInt16(), (), "W"),
        Field("dc_24v_current", 18, UInt16(), _DECI, "A"),
        Field("ac_load_power", 40, UInt32(), (), "W"),
        Field("ac_load_energy", 44, UInt32(), _DECI, "kWh"),
        Field("phase_count", 59, UInt8()),
        Field("phase_0_power", 60, UInt16(), (), "W"),
        Field("phase_0_voltage", 62, UInt16(), _DECI, "V"),
        Field("phase_0_current", 64, UInt16(), _DECI, "A"),
        Field("phase_0_apparent", 66, UInt16(), (), "VA"),
    ],
)

INV_LOAD_MULTI = BlockSchema(
    1500,
    "INV_LOAD_MULTI",
    min_length=30,
    strict=False,
    description="Inverter output per phase (public layout of the INV_INV_INFO parser).",
    fields=[
        Field("frequency", 0, UInt16(), _DECI, "Hz"),
        Field("total_energy", 2, UInt32(), _DECI, "kWh"),
        Field("phase_count", 17, UInt8()),
        Field(
            "phase_0_status",
            19,
            Enum({0: "standby", 1: "running", 2: "fault", 3: "bypass"}, UInt8()),
        ),
        Field("phase_0_power", 20, UInt16(), (), "W"),
        Field("phase_0_voltage", 22, UInt16(), _DECI, "V"),
        Field("phase_0_current", 24, UInt16(), _DECI, "A"),
    ],
)

PACK_MAIN_INFO = BlockSchema(
    6000,
    "PACK_MAIN_INFO",
    min_length=64,
    strict=False,
    description="Battery system summary (soc overlaps power's low byte in published layouts).",
    fields=[
        Field("pack_volt_type", 0, UInt16()),
        Field("pack_count", 3, UInt8()),
        Field("pack_online", 4, Bitmap(UInt16())),
        Field("voltage", 6, UInt16(), _DECI, "V"),
        Field("current", 8, UInt16(), _DECI, "A"),
        Field("power", 10, UInt16(), (), "W"),
        Field("soc", 11, UInt8(), (), "%"),
        Field("soh", 13, UInt8(), (), "%"),
        Field("temp_avg", 14, UInt16(), _TEMP, "°C"),
        Field(
            "running_status",
            17,
            Enum({0: "standby", 1: "charging", 2: "discharging", 3: "fault"}, UInt8()),
        ),
        Field("charging_status", 19, UInt8()),
        Field("max_charge_voltage", 20, UInt16(), _DECI, "V"),
        Field("max_charge_current", 22, UInt16(), _DECI, "A"),
        Field("max_discharge_current", 24, UInt16(), _DECI, "A"),
        Field("pack_mos", 32, Bitmap(UInt16())),
        Field("time_to_full", 34, UInt16(), (), "min"),
        Field("time_to_empty", 36, UInt16(), (), "min"),
        Field("cell_count", 38, UInt16()),
        Field("cycles", 40, UInt16()),
        Field("temp_max", 50, UInt16(), _TEMP, "°C"),
        Field("temp_min", 52, UInt16(), _TEMP, "°C"),
        Field("pack_fault_bits", 62, Bitmap(UInt16())),
    ],
)

PACK_ITEM_INFO = BlockSchema(
    6100,
    "PACK_ITEM_INFO",
    min_length=52,
    strict=False,
    description="One pack's details and per-cell voltages (14-bit value, 2 status bits).",
    fields=[
        Field("pack_id", 0, UInt16()),
        Field("voltage", 2, UInt16(), _DECI, "V"),
        Field("current", 4, Int16(), _DECI, "A"),
        Field("soc", 6, UInt16(), (), "%"),
        Field("soh", 8, UInt16(), (), "%"),
        Field("cell_count", 10, UInt16()),
        Field("cell_voltages", 12, Array(UInt16(), 16), ("bitmask:0x3FFF",), "mV"),
        Field("cell_temps", 44, Array(UInt8(), 8), _TEMP, "°C"),
    ],
)

BUILTIN_SCHEMAS: tuple[BlockSchema, ...] = (
    APP_HOME_DATA,
    INV_BASE_INFO,
    INV_GRID_INFO,
    INV_LOAD_INFO,
    INV_LOAD_MULTI,
    PACK_MAIN_INFO,
    PACK_ITEM_INFO,
)
