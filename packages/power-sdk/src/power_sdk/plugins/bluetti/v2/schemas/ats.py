"""The automatic transfer switch (ATS / AT1).

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import PARTIAL, VERIFIED, layout

__all__ = ["AT1_BASE_INFO", "ATS_EVENT_EXT", "ATS_INFO"]


ATS_INFO = layout(
    17000,
    "ATS_INFO",
    min_length=26,
    strict=False,
    status=VERIFIED,
    description="ATS (automatic transfer switch) identity.",
    table="""
    model             0   string:12  -  -  required
    serial_number     12  string:8   -  -  required
    software_type     21  u8         -  -  required
    software_version  22  u32        -  -  required
""",
)

AT1_BASE_INFO = layout(
    17100,
    "AT1_BASE_INFO",
    min_length=26,
    strict=False,
    status=VERIFIED,
    description="AT1 base info.",
    table="""
    model             0   string:12  -  -
    serial_number     12  string:8   -  -
    software_version  22  u32        -  -
""",
)

ATS_EVENT_EXT = layout(
    17400,
    "ATS_EVENT_EXT",
    min_length=96,
    strict=False,
    status=PARTIAL,
    description="ATS settings and events, grouped by port.",
    table="""
    [top_level_enables verified_reference]
    chg_from_grid_enable         0    u16  hex_enable_list:0:3  -
    feed_to_grid_enable          2    u16  hex_enable_list:0:4  -
    [startup_flags verified_reference]
    black_start_enable           174  u16  hex_enable_list:0:2  -
    black_start_mode             174  u16  hex_enable_list:0:3  -
    generator_auto_start_enable  174  u16  hex_enable_list:0:4  -
    off_grid_power_priority      174  u16  hex_enable_list:0:5  -
    [config_grid partial]
    type                         20   u16  hex_enable_list:0:0  -
    linkage_enable               22   u16  hex_enable_list:0:0  -
    force_enable_0               12   u16  hex_enable_list:0:0  -
    force_enable_1               12   u16  hex_enable_list:0:1  -
    force_enable_2               12   u16  hex_enable_list:0:2  -
    max_current                  84   u16  -                    -
    [config_sl1 partial]
    type                         20   u16  hex_enable_list:0:1  -
    linkage_enable               22   u16  hex_enable_list:0:1  -
    force_enable_0               2    u16  hex_enable_list:0:0  -
    force_enable_1               2    u16  hex_enable_list:0:1  -
    force_enable_2               2    u16  hex_enable_list:0:2  -
    max_current                  86   u16  -                    -
    [config_sl2 partial]
    max_current                  88   u16  -                    -
    [config_sl3 partial]
    max_current                  90   u16  -                    -
    [config_sl4 partial]
    max_current                  92   u16  -                    -
    [config_pcs1 partial]
    type                         18   u16  hex_enable_list:0:0  -
    max_current                  95   u8   -                    -
    [config_pcs2 partial]
    type                         18   u16  hex_enable_list:0:1  -
    max_current                  94   u8   -                    -
    [simple_end_fields verified_reference]
    volt_level_set               176  u16  bitmask:0x7          -
    ac_supply_phase_num          176  u16  shift:3,bitmask:0x7  -
    soc_gen_auto_stop            178  u8   clamp:0:100          -
    soc_gen_auto_start           179  u8   -                    -
    soc_black_start              181  u8   -                    -
""",
)
