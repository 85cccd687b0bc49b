"""The README's calls written by a strictly typed user: checked by mypy --strict, never run."""

from __future__ import annotations

import asyncio
from typing import Any

from pybragerone import gateway
from pybragerone.core.client import BragerApiClient
from pybragerone.gateway import BragerGateway
from pybragerone.models.api import Module
from pybragerone.store.param import ParamStore
from pybragerone.store.state import StateStore


async def main() -> None:
    api = BragerApiClient()
    await api.login("you@example.com", "secret")
    user = await api.get_user()
    object_id = user["objects"][0]["id"]  # the records' index view
    typed_id: int = user.objects[0].id  # the typed view
    mods = await api.modules_list(object_id=object_id)
    devids = [m.get("devid") or m.get("code") or str(m["id"]) for m in mods["data"]]
    modules: list[Module] = mods.data
    online: list[str] = [m.devid for m in modules if m.online]
    gw = BragerGateway(api=api, object_id=typed_id, modules=devids)
    pstore, sstore = ParamStore(), StateStore()
    tasks = [asyncio.create_task(pstore.run(gw.bus)), asyncio.create_task(sstore.run(gw.bus))]

    def two(_: str, __: dict[str, Any]) -> None:
        print(list(sstore.flatten().keys()))

    def one(snapshot: dict[str, dict[str, Any]]) -> None:
        print(snapshot)

    async def later(source: str, snapshot: dict[str, dict[str, Any]]) -> None:
        print(source, snapshot)

    gw.on_snapshot(two)
    gw.on_snapshot(one)
    gw.on_snapshot(later)
    await gw.start()
    async for upd in gw.bus.subscribe():
        key: str = f"{upd.pool}.{upd.chan}{upd.idx}"
        print(upd.devid, key, upd.value, upd.meta, upd.seq)
        break
    for cell, val, meta, devid in gateway.flatten_parameters(await api.get_parameters(online)):
        named: tuple[str, dict[str, Any], str] = (cell, meta, devid)
        print(named, val)
    await gw.stop()
    await asyncio.gather(*tasks)
