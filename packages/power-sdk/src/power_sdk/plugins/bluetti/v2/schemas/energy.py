"""Energy history.

Layouts carried over from the published Bluetti V2 block catalogue (see the package
README); each table line is ``name offset type transforms unit flags``.
"""

from __future__ import annotations

from power_sdk.plugins.bluetti.v2.schemas._layout import VERIFIED, layout

__all__ = ["CURR_YEAR_ENERGY", "TOTAL_ENERGY_INFO"]


TOTAL_ENERGY_INFO = layout(
    3500,
    "TOTAL_ENERGY_INFO",
    min_length=96,
    strict=False,
    status=VERIFIED,
    description="Lifetime energy and the first three years of the yearly history.",
    table="""
    energy_type   1   u8   -          -    required
    total_energy  2   u32  scale:0.1  kWh  required
    year0_year    6   u16  -          -
    year0_energy  8   u32  scale:0.1  kWh
    year1_year    12  u16  -          -
    year1_energy  14  u32  scale:0.1  kWh
    year2_year    18  u16  -          -
    year2_energy  20  u32  scale:0.1  kWh
""",
)

CURR_YEAR_ENERGY = layout(
    3600,
    "CURR_YEAR_ENERGY",
    min_length=56,
    strict=False,
    status=VERIFIED,
    description="This year's energy and its first three months.",
    table="""
    energy_type        1   u8   -          -    required
    year               2   u16  -          -    required
    total_year_energy  4   u32  scale:0.1  kWh  required
    month0_energy      8   u32  scale:0.1  kWh
    month1_energy      12  u32  scale:0.1  kWh
    month2_energy      16  u32  scale:0.1  kWh
""",
)
