"""Time of use, boot loader and home storage settings.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = ["BOOT_SOFTWARE_INFO", "BOOT_UPGRADE_SUPPORT", "HOME_STORAGE_SETTINGS", "TOU_TIME_INFO"]


TOU_TIME_INFO = layout(
    26001,
    "TOU_TIME_INFO",
    min_length=14,
    strict=False,
    status=VERIFIED,
    description="Time-of-use entry.",
    table="""
    word0         0   u16  -  -
    word1         2   u16  -  -
    word2         4   u16  -  -
    word3         6   u16  -  -
    word4         8   u16  -  -
    target_reg    10  u16  -  -
    target_value  12  u16  -  -
""",
)

BOOT_UPGRADE_SUPPORT = layout(
    29770,
    "BOOT_UPGRADE_SUPPORT",
    min_length=4,
    strict=False,
    status=VERIFIED,
    description="Boot loader upgrade support.",
    table="""
    is_supported            0  u16  -  -
    software_version_total  2  u16  -  -
""",
)

BOOT_SOFTWARE_INFO = layout(
    29772,
    "BOOT_SOFTWARE_INFO",
    min_length=10,
    strict=False,
    status=VERIFIED,
    description="Boot loader software info.",
    table="""
    software_type     0  u16  -  -
    software_version  2  u32  -  -
    unused_byte_0     6  u8   -  -
    unused_byte_1     7  u8   -  -
    unused_byte_2     8  u8   -  -
    unused_byte_3     9  u8   -  -
""",
)

HOME_STORAGE_SETTINGS = layout(
    40127,
    "HOME_STORAGE_SETTINGS",
    min_length=24,
    strict=False,
    status=VERIFIED,
    description="Home storage grid settings (limits and protection thresholds).",
    table="""
    setting_enable_1  2   u16  -  -   required
    grid_power_l1     4   u16  -  W   required
    grid_power_l2     6   u16  -  W   required
    grid_power_l3     8   u16  -  W   required
    auto_test_enable  10  u16  -  -
    grid_uv1_value    12  u16  -  V
    grid_uv1_time     14  u16  -  ms
    grid_uv2_value    16  u16  -  V
    grid_uv2_time     18  u16  -  ms
    grid_ov1_value    20  u16  -  V
    grid_ov1_time     22  u16  -  ms
""",
)
