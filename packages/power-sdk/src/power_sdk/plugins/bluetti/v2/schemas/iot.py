"""The IoT (Wi-Fi) module.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = ["IOT_ENABLE_INFO", "IOT_INFO", "IOT_WIFI_SETTINGS"]


IOT_INFO = layout(
    11000,
    "IOT_INFO",
    min_length=38,
    strict=False,
    status=VERIFIED,
    description="IoT module identity and versions.",
    table="""
    iot_model         0   string:12  -  -  required
    iot_sn            12  string:8   -  -  required
    safety_code       20  string:8   -  -
    iot_software_ver  28  u32        -  -  required
    rf_ver            32  u32        -  -
    ctrl_status       36  u16        -  -
""",
)

IOT_WIFI_SETTINGS = layout(
    12002,
    "IOT_WIFI_SETTINGS",
    min_length=98,
    strict=False,
    status=VERIFIED,
    description="IoT module Wi-Fi settings (holds the Wi-Fi password).",
    table="""
    wifi_ssid                  0   string:64  -  -  required
    wifi_password              64  string:32  -  -  # a secret: mask it before logging
    wifi_no_password_enable    96  u8         -  -
    wifi_password_h32b_enable  97  u8         -  -
""",
)

IOT_ENABLE_INFO = layout(
    12161,
    "IOT_ENABLE_INFO",
    min_length=4,
    strict=False,
    status=VERIFIED,
    description="IoT feature switches as two flag registers.",
    table="""
    control_flags_1  0  u16  -  -  required
    control_flags_2  2  u16  -  -  required
""",
)
