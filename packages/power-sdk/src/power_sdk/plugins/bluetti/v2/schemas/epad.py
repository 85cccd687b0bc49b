"""EPAD liquid sensors.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = [
    "EPAD_INFO",
    "EPAD_LIQUID_POINT1",
    "EPAD_LIQUID_POINT2",
    "EPAD_LIQUID_POINT3",
    "EPAD_SETTINGS",
]


EPAD_INFO = layout(
    18000,
    "EPAD_INFO",
    min_length=38,
    strict=False,
    status=VERIFIED,
    description="EPAD liquid levels, sensor temperatures and capacities.",
    table="""
    liquid_level_1        12  u16  -  -      required
    liquid_level_2        14  u16  -  -      required
    liquid_level_3        16  u16  -  -      required
    sensor_temp_1         18  u16  -  0.1°C  required
    sensor_temp_2         20  u16  -  0.1°C  required
    sensor_temp_3         22  u16  -  0.1°C  required
    remaining_capacity_1  24  u16  -  %      required
    remaining_capacity_2  26  u16  -  %      required
    remaining_capacity_3  28  u16  -  %      required
    connection_status     30  u16  -  -      required
    ambient_temp_1        32  u16  -  0.1°C  required
    ambient_temp_2        34  u16  -  0.1°C  required
    ambient_temp_3        36  u16  -  0.1°C  required
""",
)

EPAD_SETTINGS = layout(
    18300,
    "EPAD_SETTINGS",
    min_length=152,
    strict=False,
    status=VERIFIED,
    description="EPAD sensor and alarm settings.",
    table="""
    sensor_type                      0    u16  -  -
    liquid_1_sensor_spec             2    u16  -  -
    liquid_1_fluid_type              4    u16  -  -
    liquid_1_volume_unit             6    u16  -  -
    liquid_1_volume_total            8    u16  -  -
    liquid_1_sampling_period         10   u16  -  -
    liquid_1_calibration_empty       12   u16  -  -
    liquid_1_calibration_full        14   u16  -  -
    liquid_2_sensor_spec             16   u16  -  -
    liquid_2_fluid_type              18   u16  -  -
    liquid_2_volume_unit             20   u16  -  -
    liquid_2_volume_total            22   u16  -  -
    liquid_2_sampling_period         24   u16  -  -
    liquid_2_calibration_empty       26   u16  -  -
    liquid_2_calibration_full        28   u16  -  -
    liquid_3_sensor_spec             30   u16  -  -
    liquid_3_fluid_type              32   u16  -  -
    liquid_3_volume_unit             34   u16  -  -
    liquid_3_volume_total            36   u16  -  -
    liquid_3_sampling_period         38   u16  -  -
    liquid_3_calibration_empty       40   u16  -  -
    liquid_3_calibration_full        42   u16  -  -
    liquid_1_alarm_enable            44   u16  -  -
    liquid_1_alarm_value_high        46   u16  -  -
    liquid_1_alarm_clean_value_high  48   u16  -  -
    liquid_1_alarm_delay_high        50   u16  -  -
    liquid_1_alarm_clean_delay_high  52   u16  -  -
    liquid_1_alarm_value_low         54   u16  -  -
    liquid_1_alarm_clean_value_low   56   u16  -  -
    liquid_1_alarm_delay_low         58   u16  -  -
    liquid_1_alarm_clean_delay_low   60   u16  -  -
    liquid_2_alarm_enable            62   u16  -  -
    liquid_2_alarm_value_high        64   u16  -  -
    liquid_2_alarm_clean_value_high  66   u16  -  -
    liquid_2_alarm_delay_high        68   u16  -  -
    liquid_2_alarm_clean_delay_high  70   u16  -  -
    liquid_2_alarm_value_low         72   u16  -  -
    liquid_2_alarm_clean_value_low   74   u16  -  -
    liquid_2_alarm_delay_low         76   u16  -  -
    liquid_2_alarm_clean_delay_low   78   u16  -  -
    liquid_3_alarm_enable            80   u16  -  -
    liquid_3_alarm_value_high        82   u16  -  -
    liquid_3_alarm_clean_value_high  84   u16  -  -
    liquid_3_alarm_delay_high        86   u16  -  -
    liquid_3_alarm_clean_delay_high  88   u16  -  -
    liquid_3_alarm_value_low         90   u16  -  -
    liquid_3_alarm_clean_value_low   92   u16  -  -
    liquid_3_alarm_delay_low         94   u16  -  -
    liquid_3_alarm_clean_delay_low   96   u16  -  -
    temp_1_calibration_offset        98   i16  -  -
    temp_1_calibration_ratio         100  u16  -  -
    temp_1_temp_unit                 102  u16  -  -
    temp_1_nominal_resistance        104  u16  -  -
    temp_1_beta                      106  u16  -  -
    temp_2_calibration_offset        108  i16  -  -
    temp_2_calibration_ratio         110  u16  -  -
    temp_2_temp_unit                 112  u16  -  -
    temp_2_nominal_resistance        114  u16  -  -
    temp_2_beta                      116  u16  -  -
    temp_3_calibration_offset        118  i16  -  -
    temp_3_calibration_ratio         120  u16  -  -
    temp_3_temp_unit                 122  u16  -  -
    temp_3_nominal_resistance        124  u16  -  -
    temp_3_beta                      126  u16  -  -
    lcd_active_time                  150  u16  -  -
""",
)

EPAD_LIQUID_POINT1 = layout(
    18400,
    "EPAD_LIQUID_POINT1",
    min_length=2,
    strict=False,
    status=VERIFIED,
    description="EPAD liquid calibration point 1.",
    table="""
    volume  0  u8  -  -
    liquid  1  u8  -  -
""",
)

EPAD_LIQUID_POINT2 = layout(
    18500,
    "EPAD_LIQUID_POINT2",
    min_length=2,
    strict=False,
    status=VERIFIED,
    description="EPAD liquid calibration point 2.",
    table="""
    volume  0  u8  -  -
    liquid  1  u8  -  -
""",
)

EPAD_LIQUID_POINT3 = layout(
    18600,
    "EPAD_LIQUID_POINT3",
    min_length=2,
    strict=False,
    status=VERIFIED,
    description="EPAD liquid calibration point 3.",
    table="""
    volume  0  u8  -  -
    liquid  1  u8  -  -
""",
)
