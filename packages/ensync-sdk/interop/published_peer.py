"""The published ensync-sdk 0.4.4 (with ensync-core 0.1.2) as the other party of our SDK.

``python published_peer.py publish '<node JSON>' RECIPIENT_APP_ID COUNT``: app 0 publishes COUNT
events to the recipient, one recipient each (a single-recipient envelope), and prints the ids
0.4.4 returned. ``python published_peer.py receive '<node JSON>' COUNT``: app 0 subscribes (the
0.4.4 way: a ``@client.subscribe(name).handler`` before ``create_client``, the secret key as
``appSecretKey``), prints the COUNT events its handler got, then closes. Imports only the
published packages and the standard library.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from ensync_sdk import EnSyncEngine  # the published 0.4.4, not ours

TO_OURS = "interop/published-to-ours"
TO_PUBLISHED = "interop/ours-to-published"


async def publish(info: dict[str, Any], recipient: str, count: int) -> dict[str, Any]:
    """Publish ``count`` events to ``recipient``; return the ids 0.4.4 gave back."""
    client = EnSyncEngine(info["grpc_url"])
    await client.create_client(info["apps"][0]["access_key"])
    ids = [
        await client.publish(TO_OURS, [recipient], {"n": n, "from": "0.4.4"}, {"via": "published"})
        for n in range(count)
    ]
    await client.close()
    return {"ids": ids}


async def receive(info: dict[str, Any], count: int) -> dict[str, Any]:
    """Subscribe as app 0 and return the first ``count`` events its handler got."""
    app = info["apps"][0]
    got: list[dict[str, Any]] = []
    done = asyncio.Event()
    client = EnSyncEngine(info["grpc_url"])

    @client.subscribe(TO_PUBLISHED).handler
    async def handle(message: dict[str, Any]) -> None:
        got.append({key: message[key] for key in ("idem", "payload", "sender", "metadata")})
        if len(got) >= count:
            done.set()

    await client.create_client(app["access_key"], {"appSecretKey": app["secret_key"]})
    await asyncio.wait_for(done.wait(), 30)
    await asyncio.sleep(0.5)  # its auto-acknowledgements go out
    await client.close()
    return {"events": got}


if __name__ == "__main__":
    mode, node = sys.argv[1], json.loads(sys.argv[2])
    if mode == "publish":
        result = asyncio.run(publish(node, sys.argv[3], int(sys.argv[4])))
    else:
        result = asyncio.run(receive(node, int(sys.argv[3])))
    print(json.dumps(result))
