"""SOC thresholds, delays, scheduled backup and timers.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = [
    "AT1_TIMER_EVENT_A",
    "AT1_TIMER_EVENT_B",
    "AT1_TIMER_EVENT_C",
    "COMM_DELAY_SETTINGS",
    "SCHEDULED_BACKUP",
    "SOC_SETTINGS",
    "TIMER_SETTINGS",
    "TIMER_TASK_LIST",
]


SOC_SETTINGS = layout(
    19000,
    "SOC_SETTINGS",
    min_length=6,
    strict=False,
    status=VERIFIED,
    description="SOC thresholds.",
    table="""
    grid_charge_threshold      0   u16  -  -  required
    ups_mode_threshold         2   u16  -  -  required
    battery_protect_threshold  4   u16  -  -
    threshold_pair_3           6   u16  -  -
    threshold_pair_4           8   u16  -  -
    threshold_pair_5           10  u16  -  -
""",
)

COMM_DELAY_SETTINGS = layout(
    19100,
    "COMM_DELAY_SETTINGS",
    min_length=16,
    strict=False,
    status=VERIFIED,
    description="Delay settings as enable and action flag registers.",
    table="""
    enable_flags_01  0   u16  -  -  required
    enable_flags_02  2   u16  -  -  required
    enable_flags_03  4   u16  -  -  required
    enable_flags_04  6   u16  -  -  required
    action_flags_01  8   u16  -  -  required
    action_flags_02  10  u16  -  -  required
    action_flags_03  12  u16  -  -  required
    action_flags_04  14  u16  -  -  required
""",
)

SCHEDULED_BACKUP = layout(
    19200,
    "SCHEDULED_BACKUP",
    min_length=38,
    strict=False,
    status=VERIFIED,
    description="Scheduled backup windows.",
    table="""
    enable_flags          0   u16  -  -  required
    mode_config           2   u16  -  -  required
    schedule_type_enable  4   u16  -  -
    schedule0_start_time  6   u32  -  -
    schedule0_end_time    10  u32  -  -
    schedule1_start_time  14  u32  -  -
    schedule1_end_time    18  u32  -  -
    schedule2_start_time  22  u32  -  -
    schedule2_end_time    26  u32  -  -
    schedule3_start_time  30  u32  -  -
    schedule3_end_time    34  u32  -  -
""",
)

TIMER_SETTINGS = layout(
    19300,
    "TIMER_SETTINGS",
    min_length=50,
    strict=False,
    status=VERIFIED,
    description="Timer switches and timer count.",
    table="""
    enable_flags_01  0  u16  -  -  required
    enable_flags_02  2  u16  -  -  required
    enable_flags_03  4  u16  -  -  required
    enable_flags_04  6  u16  -  -  required
    timer_count      9  u8   -  -  required
""",
)

TIMER_TASK_LIST = layout(
    19305,
    "TIMER_TASK_LIST",
    min_length=40,
    strict=False,
    status=VERIFIED,
    description="First timer task.",
    table="""
    timer0_enable        0   u16  -  -  required
    timer0_start_hour    2   u8   -  -  required
    timer0_start_minute  4   u8   -  -  required
    timer0_end_hour      6   u8   -  -  required
    timer0_end_minute    8   u8   -  -  required
    timer0_days_of_week  10  u16  -  -  required
    timer0_mode          12  u8   -  -  required
    timer0_power         14  u16  -  W  required
    timer0_priority      16  u8   -  -
""",
)

AT1_TIMER_EVENT_A = layout(
    19365,
    "AT1_TIMER_EVENT_A",
    min_length=8,
    strict=False,
    status=VERIFIED,
    description="AT1 timer slots 1 and 2.",
    table="""
    slot1_flags   0  u16  -  -  required
    slot1_value1  2  u8   -  -  required
    slot1_value2  3  u8   -  -  required
    slot2_flags   4  u16  -  -
    slot2_value1  6  u8   -  -
    slot2_value2  7  u8   -  -
""",
)

AT1_TIMER_EVENT_B = layout(
    19425,
    "AT1_TIMER_EVENT_B",
    min_length=8,
    strict=False,
    status=VERIFIED,
    description="AT1 timer slots 3 and 4.",
    table="""
    slot3_flags   0  u16  -  -  required
    slot3_value1  2  u8   -  -  required
    slot3_value2  3  u8   -  -  required
    slot4_flags   4  u16  -  -
    slot4_value1  6  u8   -  -
    slot4_value2  7  u8   -  -
""",
)

AT1_TIMER_EVENT_C = layout(
    19485,
    "AT1_TIMER_EVENT_C",
    min_length=8,
    strict=False,
    status=VERIFIED,
    description="AT1 timer slots 5 and 6.",
    table="""
    slot5_flags   0  u16  -  -  required
    slot5_value1  2  u8   -  -  required
    slot5_value2  3  u8   -  -  required
    slot6_flags   4  u16  -  -
    slot6_value1  6  u8   -  -
    slot6_value2  7  u8   -  -
""",
)
