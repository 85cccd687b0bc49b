"""A small realistic building: one campus of two sites, AHUs with points, a week of history."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

from ace_skyspark_lib.kinds import Marker, Number, Ref, zone_for
from shared_testing.skyspark.store import Project

__all__ = ["seed_project"]

_INTERVAL = timedelta(minutes=15)

# (refName suffix, dis, markers, kind, unit, base value, daily swing)
_POINTS: list[tuple[str, str, tuple[str, ...], str, str | None, float, float]] = [
    (
        "dat",
        "Discharge Air Temp",
        ("discharge", "air", "temp", "sensor"),
        "Number",
        "°F",
        55.0,
        3.0,
    ),
    ("rat", "Return Air Temp", ("return", "air", "temp", "sensor"), "Number", "°F", 72.0, 2.0),
    ("fan", "Supply Fan Speed", ("fan", "speed", "cmd"), "Number", "%", 60.0, 25.0),
    ("run", "Supply Fan Run", ("fan", "run", "sensor"), "Bool", None, 0.0, 0.0),
    ("mode", "Operating Mode", ("mode", "sensor"), "Str", None, 0.0, 0.0),
]


def _value(kind: str, base: float, swing: float, ts: datetime, phase: float) -> Any:
    hour = ts.hour + ts.minute / 60
    occupied = 6 <= hour < 19 and ts.weekday() < 5
    if kind == "Bool":
        return occupied
    if kind == "Str":
        return "occupied" if occupied else "unoccupied"
    wave = math.sin((hour - 6) / 24 * 2 * math.pi + phase)
    return round(base + swing * wave, 2)


def seed_project(project: Project, *, now: datetime | None = None, days: int = 7) -> None:
    """Fill ``project`` with two sites, three AHUs, their points and ``days`` of history."""
    sites = [
        ("hq", "Headquarters", "New_York", 120_000.0, ("Cedar", 2)),
        ("annex", "Annex", "Chicago", 35_000.0, ("Birch", 1)),
    ]
    end = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 15)
    for site_key, site_dis, tz, area, (street, ahus) in sites:
        site_id = project.new_id()
        project.commit(
            "add",
            [
                {
                    "id": Ref(site_id),
                    "dis": site_dis,
                    "site": Marker,
                    "tz": tz,
                    "area": Number(area, "ft²"),
                    "refName": site_key,
                    "geoAddr": f"100 {street} St",
                }
            ],
            force=False,
        )
        zone = zone_for(tz)
        for n in range(1, ahus + 1):
            equip_id = project.new_id()
            equip_key = f"{site_key}-ahu{n}"
            project.commit(
                "add",
                [
                    {
                        "id": Ref(equip_id),
                        "dis": f"{site_dis} AHU-{n}",
                        "equip": Marker,
                        "ahu": Marker,
                        "hvac": Marker,
                        "siteRef": Ref(site_id),
                        "refName": equip_key,
                    }
                ],
                force=False,
            )
            for index, (key, dis, markers, kind, unit, base, swing) in enumerate(_POINTS):
                point_id = project.new_id()
                tags: dict[str, Any] = {
                    "id": Ref(point_id),
                    "dis": f"{site_dis} AHU-{n} {dis}",
                    "point": Marker,
                    "his": Marker,
                    "kind": kind,
                    "tz": tz,
                    "siteRef": Ref(site_id),
                    "equipRef": Ref(equip_id),
                    "refName": f"{equip_key}-{key}",
                    **dict.fromkeys(markers, Marker),
                }
                if unit is not None:
                    tags["unit"] = unit
                project.commit("add", [tags], force=False)
                steps = days * 24 * 4
                samples = []
                for step in range(steps, 0, -1):
                    ts = (end - step * _INTERVAL).astimezone(zone)
                    raw = _value(kind, base, swing, ts, phase=index + n)
                    value = Number(raw, unit) if kind == "Number" else raw
                    samples.append((ts, value))
                project.his_write(point_id, samples)
