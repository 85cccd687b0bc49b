"""The published py-bragerone gateway against our simulator: prime, then live changes.

    python published_live.py '<JSON line of python -m shared_testing serve brager>'

Run with the interpreter of a venv holding py-bragerone (``INTEROP_PYTHON``). Logs in, lists the
first object's modules, starts the published ``BragerOneGateway`` (Socket.IO connect,
``modules.connect``, listen events, REST prime), writes one parameter and waits until its
confirmation and a few of the simulator's drifting values arrive over Socket.IO. Prints one
JSON object with what the gateway received.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from pybragerone import BragerOneApiClient, BragerOneGateway
from pybragerone.api import ServerConfig

LIVE_WANTED = 5  # drifting values to receive over Socket.IO besides the write's echo
WAIT = 20.0  # seconds; a bound for a broken simulator, never reached by a working one
WRITTEN = ("P6", "v", 2, 62)  # pool, channel, index, value


def key(update: Any) -> str:
    return f"{update.pool}.{update.chan}{update.idx}"


async def run(info: dict[str, Any]) -> dict[str, Any]:
    root = info["url"].removesuffix("/v1")
    server = ServerConfig(io_base=root, one_base=root, container="BragerOne")
    email, password = info["email"], info["password"]
    api = BragerOneApiClient(server=server, creds_provider=lambda: (email, password))
    await api.ensure_auth(email, password)
    home = (await api.get_objects())[0]
    devids = [m.devid for m in await api.get_modules(home.id)]

    gateway = BragerOneGateway(
        api=api, object_id=home.id, modules=devids, owns_api=True, connectivity_poll_interval=0
    )
    updates: list[Any] = []
    arrived = asyncio.Event()

    async def collect() -> None:
        async for update in gateway.bus.subscribe():
            updates.append(update)
            arrived.set()

    async def until(predicate: Any) -> None:
        async with asyncio.timeout(WAIT):
            while not predicate():
                arrived.clear()
                await arrived.wait()

    def live() -> list[Any]:
        return [u for u in updates if u.meta.get("_source") == "ws" and u.value is not None]

    collector = asyncio.create_task(collect())
    try:
        await gateway.start()
        primed = await gateway.wait_for_prime(timeout=WAIT)
        await until(lambda: any(u.meta.get("_source") == "prime" for u in updates))
        session_up = gateway.ws_session_up()
        online = {devid: gateway.module_online(devid) for devid in devids}

        pool, chan, idx, value = WRITTEN
        status, _ = await api.module_command(
            devid=devids[0], pool=pool, parameter=f"{chan}{idx}", value=value, return_data=True
        )

        def echoed() -> bool:
            return any(
                (u.devid, u.pool, u.chan, u.idx, u.value) == (devids[0], pool, chan, idx, value)
                for u in live()
            )

        await until(echoed)
        await until(lambda: len(live()) > LIVE_WANTED)
    finally:
        await gateway.stop()
        collector.cancel()
        await asyncio.gather(collector, return_exceptions=True)

    prime = [u for u in updates if u.meta.get("_source") == "prime"]
    return {
        "object": home.id,
        "modules": devids,
        "primed": primed,
        "session_up": session_up,
        "online": online,
        "prime_cells": len(prime),
        "prime_boiler_temperature": next(
            u.value for u in prime if u.devid == devids[0] and key(u) == "P4.v1"
        ),
        "write_status": status,
        "write_echoed": echoed(),
        "live": [
            {"devid": u.devid, "key": key(u), "value": u.value, "meta": sorted(u.meta)}
            for u in live()
        ],
        "seqs": [u.seq for u in updates],
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1])))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
