"""The home screen and firmware update state.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = ["APP_HOME_DATA", "OTA_STATUS"]


APP_HOME_DATA = layout(
    100,
    "APP_HOME_DATA",
    min_length=132,
    strict=False,
    status=VERIFIED,
    description="Home screen: battery, power flows, energy totals, PV strings.",
    table="""
    pack_voltage            0    u16        scale:0.1  V    required
    pack_current            2    i16        scale:0.1  A    required  # negative while charging
    soc                     4    u16        -          %    required
    pack_power              6    u32        -          W    required
    load_power              10   u32        -          W    required
    pack_online             16   u16        -          -    required  # bit n: pack n online
    device_model            20   string:12  -          -    required
    device_serial           32   string:8   -          -    required
    pack_temp_avg           48   u16        minus:40   °C   required
    pack_temp_max           50   u16        minus:40   °C   required
    pack_temp_min           52   u16        minus:40   °C   required
    dc_input_power          80   u32        -          W    required since:2001
    ac_input_power          84   u32        -          W    required since:2001
    pv_power                88   u32        -          W    required since:2001
    grid_power              92   i32        -          W    required since:2001  # negative: export
    total_energy_charge     100  u32        scale:0.1  kWh  required since:2001
    ac_output_power         104  u32        -          W    required since:2001
    pv_charge_energy        108  u32        scale:0.1  kWh  required since:2001
    total_energy_discharge  112  u32        scale:0.1  kWh  required since:2001
    total_feedback_energy   116  u32        scale:0.1  kWh  required since:2001
    soh                     120  u16        -          %    required
    pv1_voltage             124  u16        scale:0.1  V    required
    pv1_current             126  u16        scale:0.1  A    required
    pv2_voltage             128  u16        scale:0.1  V    required
    pv2_current             130  u16        scale:0.1  A    required
""",
)

OTA_STATUS = layout(
    720,
    "OTA_STATUS",
    min_length=8,
    strict=False,
    status=VERIFIED,
    description="Firmware update (OTA) state of the first file of the update group.",
    table="""
    ota_group         0  u8  -  -  required
    file0_ota_status  2  u8  -  -  required
    file0_ota_step    3  u8  -  -  required
    file0_mcu_type    4  u8  -  -  required
    file0_depth       5  u8  -  -  required
    file0_progress    6  u8  -  -  required
    file0_error_code  7  u8  -  -  required
""",
)
