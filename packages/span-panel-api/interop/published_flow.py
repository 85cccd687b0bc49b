"""The published span-panel-api 1.1.3 against a panel: run by the interop test with its venv.

``python published_flow.py HOST PORT CIRCUIT_ID``: authenticate, status, panel, circuits (with
the unmapped-tab virtual circuits 1.1.3 adds), storage, then open ``CIRCUIT_ID``'s relay and
read it back. Prints one JSON object with what the client got; imports only the published
package and the standard library.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from span_panel_api import SpanPanelClient  # the published 1.1.3, not ours


async def main(host: str, port: int, circuit_id: str) -> dict[str, Any]:
    """Run the flow and return what the published client got, as plain JSON values."""
    async with SpanPanelClient(host, port=port, timeout=10, cache_window=0) as client:
        auth = await client.authenticate("interop-check", "published span-panel-api 1.1.3")
        status = await client.get_status()
        panel = await client.get_panel_state()
        circuits = await client.get_circuits()
        storage = await client.get_storage_soe()
        await client.set_circuit_relay(circuit_id, "OPEN")
        after = await client.get_circuits()
    return {
        "token_type": type(auth.access_token).__name__,
        "token_length": len(auth.access_token),
        "serial": status.system.serial,
        "door_state": str(status.system.door_state),
        "firmware": status.software.firmware_version,
        "branches": [
            {"id": b.id, "relay": str(b.relay_state), "power": b.instant_power_w}
            for b in panel.branches
        ],
        "main_relay": str(panel.main_relay_state),
        "grid_power": panel.instant_grid_power_w,
        "circuits": {
            cid: {
                "name": c.name,
                "tabs": list(c.tabs),
                "relay": str(c.relay_state),
                "power": c.instant_power_w,
                "produced": c.produced_energy_wh,
                "consumed": c.consumed_energy_wh,
                "controllable": c.is_user_controllable,
            }
            for cid, c in circuits.circuits.additional_properties.items()
        },
        "soe": storage.soe.percentage,
        "relay_after": str(after.circuits.additional_properties[circuit_id].relay_state),
    }


if __name__ == "__main__":
    host, port, circuit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    print(json.dumps(asyncio.run(main(host, port, circuit))))
