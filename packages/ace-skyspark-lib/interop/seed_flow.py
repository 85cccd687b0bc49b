"""The seed README's flow, run by the PUBLISHED ace-skyspark-lib (0.1.36) against a simulator.

Usage: python seed_flow.py '<JSON line of `python -m shared_testing serve skyspark`>'

Runs with the interpreter of a venv holding only the published client (``INTEROP_PYTHON``),
never with this repository's code. Prints one JSON object: what the published client got back,
for the interop tests to check. The records it creates stay on the server for the tests to
inspect; ``delete_flow.py`` removes them with the published client.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from ace_skyspark_lib import Equipment, HistorySample, Point, Site, SkysparkClient


def kinds(record: dict[str, Any]) -> dict[str, Any]:
    """Each tag's Hayson ``_kind`` (or JSON type), to show the shape the client received."""
    return {
        name: value.get("_kind", "dict") if isinstance(value, dict) else type(value).__name__
        for name, value in record.items()
    }


async def main(info: dict[str, str]) -> dict[str, Any]:
    """Run the flow; return what the client got, JSON-ready."""
    out: dict[str, Any] = {}
    async with SkysparkClient(
        base_url=info["url"],
        project=info["project"],
        username=info["username"],
        password=info["password"],
        timeout=30.0,
    ) as client:
        sites = await client.read_sites()
        out["sites_before"] = len(sites)
        out["site_row_kinds"] = kinds(sites[0])

        created = await client.create_sites(
            [
                Site(
                    dis="My Building",
                    tz="America/New_York",
                    refName="building_001",
                    area_sqft=50000.0,
                    marker_tags=["office"],
                )
            ]
        )
        site_id = created[0]["id"]["val"]
        out["site"] = {"id": site_id, "created": created[0]}

        equipment = await client.create_equipment(
            [Equipment(dis="AHU-1", site_ref=site_id, refName="ahu_1", marker_tags=["ahu", "hvac"])]
        )
        equip_id = equipment[0]["id"]["val"]
        points = await client.create_points(
            [
                Point(
                    dis="Temperature Sensor",
                    kind="Number",
                    unit="°F",
                    site_ref=site_id,
                    equip_ref=equip_id,
                    refName="temp_sensor_1",
                    marker_tags=["sensor", "temp"],
                    his=True,  # SkySpark keeps history only for points with the his marker
                )
            ]
        )
        point_id = points[0]["id"]["val"]
        out["equip_id"], out["point_id"] = equip_id, point_id
        out["point_created"] = points[0]

        # Whole seconds: the client's evalAll expressions parse "YYYY-MM-DDThh:mm:ssz".
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        samples = [
            HistorySample(
                point_id=point_id, timestamp=now - timedelta(hours=i), value=70.0 + i * 0.5
            )
            for i in range(24)
        ]
        result = await client.write_history(samples)
        out["write"] = {
            "success": result.success,
            "samples_written": result.samples_written,
            "method": result.details.get("method"),
            "error": result.error,
        }
        older = [
            HistorySample(
                point_id=point_id, timestamp=now - timedelta(days=2, hours=i), value=60.0 + i
            )
            for i in range(3)
        ]
        rpc = await client.write_history(older, use_rpc=True)
        out["write_rpc"] = {
            "success": rpc.success,
            "samples_written": rpc.samples_written,
            "method": rpc.details.get("method"),
            "error": rpc.error,
        }
        out["first_sample"] = samples[-1].timestamp.isoformat()

        models = await client.read_points_as_models(site_ref=site_id)
        out["models"] = [
            {
                "id": m.id,
                "dis": m.dis,
                "kind": m.kind,
                "unit": m.unit,
                "tz": m.tz,
                "his": m.his,
                "marker_tags": sorted(m.marker_tags),
            }
            for m in models
        ]
        point = models[0]
        point.marker_tags.append("critical")
        point.kv_tags["priority"] = "high"
        updated = await client.update_points([point])
        out["updated"] = updated[0]
        out["timezone"] = await client.get_project_timezone()
        out["read_by_ids"] = await client.read_by_ids([site_id, "p:demo:r:missing"])
    return out


if __name__ == "__main__":
    # The client logs through structlog to stdout by default; stdout carries the result.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1]))), default=str))
