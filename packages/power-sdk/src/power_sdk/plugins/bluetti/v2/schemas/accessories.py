"""Accessories: smart plug, DC-DC charger, DC hub.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import PARTIAL, VERIFIED, layout

__all__ = [
    "DC_DC_INFO",
    "DC_DC_SETTINGS",
    "DC_HUB_INFO",
    "DC_HUB_SETTINGS",
    "SMART_PLUG_INFO",
    "SMART_PLUG_SETTINGS",
]


SMART_PLUG_INFO = layout(
    14500,
    "SMART_PLUG_INFO",
    min_length=26,
    strict=False,
    status=VERIFIED,
    description="Smart plug identity.",
    table="""
    model             0   string:12  -  -
    serial_number     12  string:8   -  -
    software_version  20  u32        -  -
    plug_count        24  u16        -  -
""",
)

SMART_PLUG_SETTINGS = layout(
    14700,
    "SMART_PLUG_SETTINGS",
    min_length=56,
    strict=False,
    status=VERIFIED,
    description="Smart plug settings: protections, timers, indicator.",
    table="""
    protection_ctrl             0   u16  -  -
    set_enable_1                2   u16  -  -
    set_enable_2                4   u16  -  -
    time_set_ctrl               8   u32  -  -
    overload_protection_power   12  u16  -  W
    underload_protection_power  14  u16  -  W
    indicator_light             16  u16  -  -
    timer_set                   18  u32  -  s
    delay_hour_set              22  u8   -  h
    delay_min_set               23  u8   -  min
    timer_list_raw              24  u32  -  -
""",
)

DC_DC_INFO = layout(
    15500,
    "DC_DC_INFO",
    min_length=30,
    strict=False,
    status=VERIFIED,
    description="DC-DC charger readings.",
    table="""
    model                          0   string:12  -                    -
    serial_number                  12  string:8   -                    -
    dc_input_volt                  20  u16        scale:0.1            V
    dc_output_volt                 22  u16        scale:0.1            V
    dc_output_current              24  u16        scale:0.1            A
    dc_output_power                26  u16        -                    W
    energy_line_car_to_charger     28  u16        hex_enable_list:0:0  -
    energy_line_charger_to_device  28  u16        hex_enable_list:0:1  -
""",
)

DC_DC_SETTINGS = layout(
    15600,
    "DC_DC_SETTINGS",
    min_length=36,
    strict=False,
    status=PARTIAL,
    description="DC-DC charger settings.",
    table="""
    dc_ctrl               0   u16  hex_enable_list:0:0  -
    silent_mode_ctrl      0   u16  hex_enable_list:0:1  -
    factory_set           0   u16  hex_enable_list:0:2  -
    self_adaption_enable  0   u16  hex_enable_list:0:3  -
    volt_set_dc1          2   u16  scale:0.1            V
    output_current_dc1    4   u16  -                    UNKNOWN
    volt_set_dc2          6   u16  scale:0.1            V
    volt_set_dc3          10  u16  scale:0.1            V
    output_current_dc3    12  u16  scale:0.1            A
""",
)

DC_HUB_INFO = layout(
    15700,
    "DC_HUB_INFO",
    min_length=68,
    strict=False,
    status=PARTIAL,
    description="DC hub ports: power, raw voltage and current, status.",
    table="""
    model                        0   string:12  -  -
    serial_number                12  string:8   -  -
    dc_input_power               20  u16        -  W
    dc_input_voltage             22  u16        -  raw
    dc_input_current             24  u16        -  raw
    dc_output_power              26  u16        -  W
    dc_output_voltage            28  u16        -  raw
    dc_output_current            30  u16        -  raw
    cigarette_lighter_1_power    32  u16        -  W
    cigarette_lighter_1_voltage  34  u16        -  raw
    cigarette_lighter_1_status   36  u16        -  -
    cigarette_lighter_2_power    38  u16        -  W
    cigarette_lighter_2_voltage  40  u16        -  raw
    cigarette_lighter_2_status   42  u16        -  -
    usb_a_power                  44  u16        -  W
    usb_a_voltage                46  u16        -  raw
    usb_a_status                 48  u16        -  -
    type_c_1_power               50  u16        -  W
    type_c_1_voltage             52  u16        -  raw
    type_c_1_status              54  u16        -  -
    type_c_2_power               56  u16        -  W
    type_c_2_voltage             58  u16        -  raw
    type_c_2_status              60  u16        -  -
    anderson_power               62  u16        -  W
    anderson_voltage             64  u16        -  raw
    anderson_status              66  u16        -  -
""",
)

DC_HUB_SETTINGS = layout(
    15750,
    "DC_HUB_SETTINGS",
    min_length=2,
    strict=False,
    status=PARTIAL,
    description="DC hub settings.",
    table="""
    enable_flags    0  u16  -  -
    dc_voltage_set  0  u8   -  -
""",
)
