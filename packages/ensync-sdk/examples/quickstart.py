"""Two apps exchange end-to-end encrypted events through an EnSync node.

Usage: ``python quickstart.py '<the JSON line of python -m shared_testing serve ensync>'``
(keys: ``grpc_url``, ``ws_url`` and ``apps``, each ``{access_key, app_id, secret_key}``).
Alice talks gRPC, Bob WebSocket: Alice sends Bob orders, Bob confirms each one back.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from ensync_sdk import EnSyncEngine, EnSyncEvent, EnSyncWebSocketEngine

ORDERS = 3


async def main(info: dict[str, Any]) -> str:
    alice_app, bob_app = info["apps"][0], info["apps"][1]
    grpc_engine = EnSyncEngine(info["grpc_url"])
    ws_engine = EnSyncWebSocketEngine(info["ws_url"])
    confirmations: asyncio.Queue[EnSyncEvent] = asyncio.Queue()

    async with (
        grpc_engine.create_client(
            alice_app["access_key"], {"app_secret_key": alice_app["secret_key"]}
        ) as alice,
        ws_engine.create_client(
            bob_app["access_key"], {"app_secret_key": bob_app["secret_key"]}
        ) as bob,
    ):
        # Bob confirms every order he can decrypt, encrypted for the sender only.
        async def on_order(event: EnSyncEvent) -> None:
            order = event["payload"]
            print(f"bob   <- order {order['id']} for {order['qty']} x {order['item']}")
            await bob.publish("orders/confirmed", [event["sender"]], {"id": order["id"]})

        (await bob.subscribe("orders/created")).on(on_order)
        (await alice.subscribe("orders/confirmed")).on(confirmations.put)

        for n in range(1, ORDERS + 1):
            await alice.publish(
                "orders/created",
                [bob_app["app_id"]],
                {"id": f"o-{n}", "item": "widget", "qty": n},
                {"source": "quickstart"},
            )
            print(f"alice -> order o-{n}")
        confirmed = []
        for _ in range(ORDERS):
            event = await asyncio.wait_for(confirmations.get(), 15)
            confirmed.append(event["payload"]["id"])
            print(f"alice <- confirmation of {event['payload']['id']}")
    if sorted(confirmed) != [f"o-{n}" for n in range(1, ORDERS + 1)]:
        raise SystemExit(f"unexpected confirmations: {confirmed}")
    return (
        f"alice (gRPC) sent {ORDERS} encrypted orders, bob (WebSocket) decrypted them and "
        f"sent {ORDERS} encrypted confirmations back"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(asyncio.run(main(json.loads(sys.argv[1]))))
