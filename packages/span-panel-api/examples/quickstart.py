"""Quick start: read a SPAN panel (or the span simulator) and switch one circuit.

Usage: python quickstart.py '<JSON line of `python -m shared_testing serve span`>'
   or: python quickstart.py '{"url": "http://192.168.1.100"}'
"""

from __future__ import annotations

import asyncio
import json
import sys
from urllib.parse import urlsplit

from span_panel_api import SpanPanelClient, SpanPanelError


async def main(url: str) -> str:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 80
    async with SpanPanelClient(host, port=port, retries=2, retry_timeout=0.2) as client:
        status = await client.get_status()
        print(f"panel {status.system.serial}, firmware {status.software.firmware_version}")
        # The panel must be in pairing mode (door opened and closed 3 times) to register.
        await client.authenticate("quickstart", "span-panel-api quick start")
        panel = await client.get_panel_state()
        print(f"grid power {panel.instant_grid_power_w:.0f} W over {len(panel.branches)} tabs")
        circuits = (await client.get_circuits()).circuits.additional_properties
        virtual = [cid for cid in circuits if cid.startswith("unmapped_tab_")]
        for circuit in sorted(circuits.values(), key=lambda c: c.instant_power_w)[:3]:
            print(f"  {circuit.name}: {circuit.instant_power_w:.0f} W")
        soe = await client.get_storage_soe()
        print(f"battery at {soe.soe.percentage}%")
        target = next(
            c for c in circuits.values() if c.is_user_controllable and c.relay_state == "CLOSED"
        )
        opened = await client.set_circuit_relay(target.id, "OPEN")
        closed = await client.set_circuit_relay(target.id, "CLOSED")
        return (
            f"read status, panel ({len(panel.branches)} tabs) and {len(circuits)} circuits "
            f"({len(virtual)} unmapped tabs), battery {soe.soe.percentage}%; switched "
            f"{target.name!r} {opened.relay_state} -> {closed.relay_state}"
        )


if __name__ == "__main__":
    info = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"url": "http://127.0.0.1:80"}
    try:
        print(asyncio.run(main(info["url"])))
    except SpanPanelError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        sys.exit(1)
