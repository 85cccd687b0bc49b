"""Quick start against a Brager One cloud (or the simulator).

    python -m shared_testing serve brager      # prints the JSON line
    python examples/quickstart.py '<the JSON line>'

Logs in, picks the first object, starts the gateway with a ParamStore and a StateStore,
writes the boiler setpoint, waits for the change to come back over Socket.IO, watches the
live stream for a moment and prints a one-line summary last.
"""

from __future__ import annotations

import asyncio
import json
import sys

from pybragerone import BragerApiClient, BragerGateway, BragerServer, ParamStore, StateStore

WATCH_SECONDS = 3.0


async def run(info: dict[str, str]) -> str:
    server = BragerServer.from_url(info["url"])
    async with BragerApiClient(info["email"], info["password"], server=server) as api:
        home = (await api.get_objects())[0]
        catalog = await api.load_catalog("en")
        gateway = BragerGateway(api, home.id)
        params, states = ParamStore(), StateStore(catalog)
        tasks = [
            asyncio.create_task(params.run(gateway.bus)),
            asyncio.create_task(states.run(gateway.bus)),
        ]
        await gateway.start()
        await gateway.wait_primed()
        primed = gateway.bus.last_seq
        await states.wait_until(primed)  # the store task has taken the whole snapshot
        devid = gateway.modules[0]
        boiler = states.family(devid, "P4:1")
        if boiler is not None:
            print(f"{devid}: {boiler.label} = {boiler.value} {boiler.unit}")

        target = 58 if params.get(devid, "P6.v1") != 58 else 59
        async with gateway.bus.subscribe() as changes:
            await gateway.write(devid, "P6.v1", target)
            async with asyncio.timeout(10):
                async for update in changes:
                    if update.devid == devid and update.key == "P6.v1" and update.value == target:
                        break
        print(f"wrote P6.v1 = {target}, confirmed by a realtime event")

        await asyncio.sleep(WATCH_SECONDS)  # the simulator's values drift meanwhile
        live = gateway.bus.last_seq - primed
        families = sum(len(f) for f in states.flatten().values())
        await gateway.stop()
        await asyncio.gather(*tasks)
        return (
            f"logged in, object {home.name!r} with {len(gateway.modules)} modules: "
            f"snapshot {len(params)} cells in {families} labelled families, "
            f"wrote P6.v1={target} and saw it echoed, {live} live updates streamed"
        )


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: quickstart.py '<JSON line of python -m shared_testing serve brager>'")
        return 2
    info = json.loads(sys.argv[1])
    print(asyncio.run(run(info)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
