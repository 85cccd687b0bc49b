"""Delete records with the PUBLISHED ace-skyspark-lib, then read them back.

Usage: python delete_flow.py '<JSON line>' ID [ID ...]

Prints ``{"deleted": [...], "left": [rows still found]}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import structlog

from ace_skyspark_lib import SkysparkClient


async def main(info: dict[str, str], ids: list[str]) -> dict[str, Any]:
    """Delete ``ids``; return them and what a read still finds."""
    async with SkysparkClient(
        info["url"], info["project"], info["username"], info["password"]
    ) as client:
        for entity_id in ids:
            await client.delete_entity(entity_id)
        left = [row for row in await client.read_by_ids(ids) if row]
    return {"deleted": ids, "left": left}


if __name__ == "__main__":
    # The client logs through structlog to stdout by default; stdout carries the result.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1]), sys.argv[2:])), default=str))
