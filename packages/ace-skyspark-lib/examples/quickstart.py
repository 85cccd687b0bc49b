"""Quick start: read the building, write an hour of history, read it back.

Usage: python examples/quickstart.py '<JSON line>', the line printed by
``python -m shared_testing serve skyspark`` (keys url, project, username, password).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

from ace_skyspark_lib import HistorySample, SkysparkClient


async def main(info: dict[str, str]) -> str:
    async with SkysparkClient(
        info["url"], info["project"], info["username"], info["password"]
    ) as client:
        about = await client.about()
        sites = await client.read_sites()
        equips = await client.read_equipment()
        points = await client.read_points_as_models()
        numeric = [p for p in points if p.kind == "Number" and p.his]
        print(f"{about['productName']} {about['productVersion']}: {len(sites)} sites")
        # An hour a month ago: outside the week of history the simulator is seeded with.
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
        samples = [
            HistorySample(point_id=p.id, timestamp=start + timedelta(minutes=m), value=20 + m / 10)
            for p in numeric
            for m in range(0, 60, 5)
        ]
        results = await client.write_history_chunked(samples, chunk_size=50)
        not_written = [s for r in results for s in r.failed_samples]
        if not_written:
            errors = {r.error for r in results if not r.success}
            raise SystemExit(f"{len(not_written)} samples were not written: {errors}")
        written = sum(r.samples_written for r in results)
        series = await client.read_history(
            [p.id for p in numeric], (start, start + timedelta(hours=1))
        )
        read_back = sum(len(s.samples) for s in series)
        if read_back != written:
            raise SystemExit(f"wrote {written} samples but read back {read_back}")
    return (
        f"read {len(sites)} sites, {len(equips)} equips and {len(points)} points, "
        f"wrote {written} samples to {len(numeric)} points, read them back"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(asyncio.run(main(json.loads(sys.argv[1]))))
