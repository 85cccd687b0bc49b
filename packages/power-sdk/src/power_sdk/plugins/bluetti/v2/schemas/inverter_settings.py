"""Inverter settings.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import PARTIAL, VERIFIED, layout

__all__ = ["CERT_SETTINGS", "INV_ADV_SETTINGS", "INV_BASE_SETTINGS"]


INV_BASE_SETTINGS = layout(
    2000,
    "INV_BASE_SETTINGS",
    min_length=35,
    strict=False,
    status=VERIFIED,
    description="Inverter base settings: working mode, outputs, ECO, charging mode.",
    table="""
    inv_address         0   u8   -  -
    working_mode        1   u8   -  -    required
    ctrl_led            5   u8   -  -
    ctrl_grid_chg       7   u8   -  -
    ctrl_pv             9   u8   -  -
    ctrl_inverter       11  u8   -  -
    ctrl_ac             13  u8   -  -
    ctrl_dc             15  u8   -  -
    dc_eco_ctrl         19  u8   -  -
    dc_eco_off_time     21  u16  -  min
    dc_eco_power        23  u16  -  W
    ac_eco_ctrl         25  u8   -  -
    ac_eco_off_time     27  u16  -  min
    ac_eco_power        29  u16  -  W
    charging_mode       31  u8   -  -
    power_lifting_mode  33  u8   -  -
""",
)

INV_ADV_SETTINGS = layout(
    2200,
    "INV_ADV_SETTINGS",
    min_length=27,
    strict=False,
    status=PARTIAL,
    description="Inverter advanced settings (login password, grid and feed-in limits).",
    table="""
    adv_login_password  0   string:8  -           -  # a secret: mask it before logging
    factory_reset       8   u8        -           -
    ctrl_grid           9   u8        -           -
    ctrl_feedback       11  u8        -           -
    inv_voltage         13  u16       scale:0.1   V
    inv_freq            15  u16       scale:0.01  Hz
    chg_max_voltage     17  u16       scale:0.1   V
    pv_chg_max_current  19  u16       scale:0.1   A
    grid_max_power      21  u16       -           W
    grid_max_current    23  u16       scale:0.1   A
    feedback_max_power  25  u16       -           W
""",
)

CERT_SETTINGS = layout(
    2400,
    "CERT_SETTINGS",
    min_length=10,
    strict=False,
    status=VERIFIED,
    description="Grid certification settings.",
    table="""
    adv_enable                    0  u8   -  -
    grid_uv2_value                1  u16  -  -
    grid_uv2_time                 3  u16  -  ms
    power_factor                  5  u16  -  -
    grid_cert_division            7  u16  -  -
    vvar_and_volt_watt_resp_mode  9  u8   -  -
""",
)
