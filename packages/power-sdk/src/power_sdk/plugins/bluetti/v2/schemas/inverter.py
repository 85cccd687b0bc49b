"""Inverter readings: identity, grid, loads, output, CT meter.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import PARTIAL, VERIFIED, layout

__all__ = ["INV_BASE_INFO", "INV_GRID_INFO", "INV_LOAD_INFO", "INV_LOAD_MULTI", "METER_INFO"]


INV_BASE_INFO = layout(
    1100,
    "INV_BASE_INFO",
    min_length=62,
    strict=False,
    status=VERIFIED,
    description="Inverter identity, software modules and temperatures.",
    table="""
    inv_id                1    u8         -         -   required
    inv_type              2    string:12  -         -   required
    inv_sn                14   string:8   -         -
    inv_power_type        23   u8         -         -
    software_number       25   u8         -         -   required
    software_0_module_id  26   u16        -         -
    software_0_version    28   u32        -         -
    software_1_module_id  32   u16        -         -
    software_1_version    34   u32        -         -
    software_2_module_id  38   u16        -         -
    software_2_version    40   u32        -         -
    software_3_module_id  44   u16        -         -
    software_3_version    46   u32        -         -
    software_4_module_id  50   u16        -         -
    software_4_version    52   u32        -         -
    software_5_module_id  56   u16        -         -
    software_5_version    58   u32        -         -
    ambient_temp          102  u16        minus:40  °C  since:2005
    inv_max_temp          104  u16        minus:40  °C  since:2005
    pv_dcdc_max_temp      106  u16        minus:40  °C  since:2005
    fault_code            108  u16        -         -   since:2005
""",
)

INV_GRID_INFO = layout(
    1300,
    "INV_GRID_INFO",
    min_length=32,
    strict=True,
    status=VERIFIED,
    description="Grid side: frequency, voltages, energy counters, phase 0.",
    table="""
    frequency              0   u16  scale:0.1  Hz   required
    phase_1_voltage        2   u16  scale:0.1  V
    phase_2_voltage        4   u16  scale:0.1  V
    total_charge_energy    6   u32  scale:0.1  kWh
    total_feedback_energy  10  u32  scale:0.1  kWh
    phase_0_power          26  i16  -          W    required  # negative while feeding the grid
    phase_0_voltage        28  u16  scale:0.1  V    required
    phase_0_current        30  i16  scale:0.1  A    required  # negative while feeding the grid
""",
)

INV_LOAD_INFO = layout(
    1400,
    "INV_LOAD_INFO",
    min_length=68,
    strict=False,
    status=VERIFIED,
    description="DC and AC loads: outputs, energy, phase 0.",
    table="""
    dc_total_power    0   u32  -          W    required
    dc_total_energy   4   u32  scale:0.1  kWh  required
    load_5v_power     8   u16  -          W
    load_5v_current   10  u16  scale:0.1  A
    load_12v_power    12  u16  -          W
    load_12v_current  14  u16  scale:0.1  A
    load_24v_power    16  u16  -          W
    load_24v_current  18  u16  scale:0.1  A
    dc_total_voltage  24  u16  scale:0.1  V
    dc_total_current  26  u16  scale:0.1  A
    ac_total_power    40  u32  -          W    required
    ac_total_energy   44  u32  scale:0.1  kWh  required
    sys_phase_number  59  u8   -          -
    phase_0_power     60  u16  -          W    required
    phase_0_voltage   62  u16  scale:0.1  V    required
    phase_0_current   64  u16  scale:0.1  A    required
    phase_0_apparent  66  u16  -          VA
""",
)

INV_LOAD_MULTI = layout(
    1500,
    "INV_LOAD_MULTI",
    min_length=30,
    strict=False,
    status=VERIFIED,
    description="Inverter output per phase (named INV_INV_INFO in the vendor app).",
    table="""
    frequency            0   u16  scale:0.1  Hz   required
    total_energy         2   u32  scale:0.1  kWh  required
    sys_phase_number     17  u8   -          -    required
    phase_0_work_status  19  u8   -          -
    phase_0_power        20  u16  -          W    required
    phase_0_voltage      22  u16  scale:0.1  V    required
    phase_0_current      24  u16  scale:0.1  A
""",
)

METER_INFO = layout(
    1700,
    "METER_INFO",
    min_length=138,
    strict=False,
    status=PARTIAL,
    description="CT meter: identity and IEEE-754 readings kept as their raw 32-bit words.",
    table="""
    model                         0    string:12  -  -    required
    sn                            12   string:8   -  -    required
    status                        20   u16        -  -    required
    sys_time                      22   u32        -  -
    phase0_voltage_raw_bits       26   u32        -  -  # IEEE-754 float32, as its raw word
    phase0_current_raw_bits       30   u32        -  -
    phase0_active_power_raw_bits  34   u32        -  W
    total_active_power_raw_bits   114  u32        -  W  # IEEE-754 float32, as its raw word
    frequency_raw_bits            130  u32        -  Hz
    total_import_energy_raw_bits  134  u32        -  kWh
""",
)
