"""Battery system, packs, BMUs and pack settings.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = ["PACK_BMU_READ", "PACK_ITEM_INFO", "PACK_MAIN_INFO", "PACK_SETTINGS"]


PACK_MAIN_INFO = layout(
    6000,
    "PACK_MAIN_INFO",
    min_length=64,
    strict=False,
    status=VERIFIED,
    description="Battery system summary.",
    table="""
    pack_volt_type         0   u16  -          -    required
    pack_count             3   u8   -          -    required
    pack_online            4   u16  -          -    required
    voltage                6   u16  scale:0.1  V    required
    current                8   i16  scale:0.1  A    required  # negative while charging
    power                  10  u16  -          W    required
    soc                    12  u8   -          %    required
    soh                    13  u8   -          %    required
    temp_avg               14  u16  minus:40   °C   required
    running_status         17  u8   -          -    required
    charging_status        19  u8   -          -    required
    max_charge_voltage     20  u16  scale:0.1  V    required
    max_charge_current     22  u16  scale:0.1  A    required
    max_discharge_current  24  u16  scale:0.1  A    required
    pack_mos               32  u16  -          -    required
    time_to_full           34  u16  -          min  required
    time_to_empty          36  u16  -          min  required
    cell_count             38  u16  -          -    required
    cycles                 40  u16  -          -    required
    temp_max               50  u16  minus:40   °C   required
    temp_min               52  u16  minus:40   °C   required
    pack_fault_bits        62  u16  -          -    required
""",
)

PACK_ITEM_INFO = layout(
    6100,
    "PACK_ITEM_INFO",
    min_length=160,
    strict=False,
    status=VERIFIED,
    description="One pack's details: identity, voltage, current, state, BMU counts.",
    table="""
    pack_id          1    u8         -          -   required
    pack_type        2    string:12  -          -   required
    pack_sn          14   string:8   -          -   required
    voltage          22   u16        scale:0.1  V   required
    current          24   i16        scale:0.1  A   required  # negative while charging
    pack_soc         27   u8         -          %   required
    pack_soh         29   u8         -          %   required
    average_temp     30   u16        minus:40   °C  required
    running_status   49   u8         -          -
    charging_status  51   u8         -          -
    pack_cap_online  59   u8         -          -
    total_cell_cnt   105  u8         -          -   required
    ntc_cell_cnt     107  u8         -          -   required
    bmu_cnt          109  u8         -          -   required
    bmu_fault_bit    110  u16        -          -
    bmu_type         143  u8         -          -
    dcdc_protect     138  u16        -          -
    fm_ver_diff      156  u8         -          -
    mcu_status       157  u8         -          -
    pack_type_diff   158  u8         -          -
    software_number  159  u8         -          -
""",
)

PACK_BMU_READ = layout(
    6300,
    "PACK_BMU_READ",
    min_length=25,
    strict=False,
    status=VERIFIED,
    description="First BMU (battery management unit) of a pack.",
    table="""
    bmu0_serial_number     0   string:8  -  -  required
    bmu0_fault_data        8   u32       -  -  required
    bmu0_ntc_count         12  u8        -  -  required
    bmu0_cell_count        13  u8        -  -  required
    bmu0_model_type        15  u8        -  -  required
    bmu0_software_version  16  u32       -  -  since:2010
""",
)

PACK_SETTINGS = layout(
    7000,
    "PACK_SETTINGS",
    min_length=12,
    strict=False,
    status=VERIFIED,
    description="Battery pack settings.",
    table="""
    pack_id                  0   u8   -  -  required
    pack_parallel_number     1   u16  -  -  required
    start_heating_enable     3   u8   -  -
    bms_comm_interface_type  11  u8   -  -
""",
)
