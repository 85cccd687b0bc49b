"""The power-sdk runtime polling simulated Bluetti V2 devices.

Usage: python quickstart.py '<JSON line of python -m shared_testing serve bluetti>'

Writes a runtime.yaml for every device in the line, runs the runtime for a few poll cycles
with a JSONL sink, reads the file back and prints a one-line summary (last line of stdout).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from power_sdk.runtime import Executor, parse_config

CYCLES = 3
INTERVAL = 0.3


def runtime_yaml(info: dict[str, Any], out: Path) -> str:
    devices = "".join(
        f"""
  - id: {device["profile"].lower()}-{index}
    pipeline: bluetti
    profile_id: {device["profile"]}
    transport: {{opts: {{device_sn: "{device["serial"]}"}}}}
    sinks: [{{type: jsonl, path: "{out}"}}]"""
        for index, device in enumerate(info["devices"])
    )
    return f"""
version: 1
pipelines:
  bluetti: {{transport: mqtt, vendor: bluetti, protocol: v2}}
defaults:
  poll_interval: {INTERVAL}
  transport: {{opts: {{broker: "{info["broker"]}", timeout: 3}}}}
devices:{devices}
"""


async def run(info: dict[str, Any], out: Path) -> None:
    config = parse_config(runtime_yaml(info, out), env={})
    executor = Executor(config)
    stop = asyncio.Event()
    task = asyncio.create_task(executor.run(stop))
    await asyncio.sleep(INTERVAL * (CYCLES - 0.5))
    stop.set()
    await task


def main() -> int:
    info = json.loads(sys.argv[1])
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "records.jsonl"
        asyncio.run(run(info, out))
        records = [json.loads(line) for line in out.read_text().splitlines()]
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        if record["block_id"] == 100:
            latest[record["device"]] = record
    if sorted(latest) != sorted(
        f"{d['profile'].lower()}-{i}" for i, d in enumerate(info["devices"])
    ):
        print(f"FAILED: only {sorted(latest)} answered", file=sys.stderr)
        return 1
    latest = dict(sorted(latest.items()))
    for device, record in latest.items():
        values = record["values"]
        print(f"{device}: SOC {values['soc']} %, load {values['load_power']} W")
    socs = ", ".join(f"{r['profile']} SOC {r['values']['soc']}%" for r in latest.values())
    kinds = len({r["block_id"] for r in records})
    print(
        f"runtime polled {len(latest)} devices ({socs}): {len(records)} blocks of {kinds} "
        "kinds written to JSONL and read back"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
