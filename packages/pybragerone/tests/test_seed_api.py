"""The public API of the pybragerone README (the seed), call by call, against the simulator.

Each test makes the calls a user of that README makes, with the shapes it indexes: a client
made without arguments and logged in afterwards, ``user["objects"][0]["id"]``,
``mods["data"]`` records read with ``.get``, a gateway built with keywords, stores run as tasks
on its bus, two-argument snapshot callbacks, and ``(key, value, meta, devid)`` tuples.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from pybragerone import gateway as gateway_module
from pybragerone.core.client import BragerApiClient
from pybragerone.core.server import BragerServer
from pybragerone.errors import BragerKeyError
from pybragerone.gateway import BragerGateway
from pybragerone.models.api import Module, User
from pybragerone.models.param import ParamUpdate
from pybragerone.store.param import ParamStore
from pybragerone.store.state import StateStore
from shared_testing.simulator import RunningSimulator
from shared_testing.waiting import eventually

from .conftest import DEVID, OBJECT_ID, on_sim

DEVIDS = [DEVID, "FTTCTBSLCF"]


async def logged_in(sim: RunningSimulator, server: BragerServer) -> BragerApiClient:
    info = sim.info()
    api = BragerApiClient(server=server)  # no credentials until login, as in the README
    await api.login(info["email"], info["password"])
    return api


async def seed_devids(api: BragerApiClient) -> tuple[int, list[str]]:
    """The README's discovery: the first object of the user, then its modules' device ids."""
    user = await api.get_user()
    object_id = user["objects"][0]["id"]
    mods = await api.modules_list(object_id=object_id)
    devids = [m.get("devid") or m.get("code") or str(m["id"]) for m in mods["data"]]
    return object_id, devids


async def test_user_and_modules_index_like_the_clouds_records(
    sim: RunningSimulator, server: BragerServer
) -> None:
    api = await logged_in(sim, server)
    try:
        object_id, devids = await seed_devids(api)
        assert (object_id, devids) == (OBJECT_ID, DEVIDS)

        user = await api.get_user()
        assert user["email"] == user.email == sim.info()["email"]
        assert user["objects"][1]["addressCity"] == user.objects[1].address_city == "Kraków"
        assert user["show_rate_us_modal"] is False
        mods = await api.modules_list(object_id=440)
        offline = mods["data"][0]
        assert offline["connectedAt"] == offline.connected_at == 0
        assert offline.get("isConnectedAt") is None
        assert offline["gateway"]["interface"] == "wifi"
        assert offline.get("no such key", "fallback") == "fallback"
        assert "moduleTitle" in offline
        assert "no such key" not in offline
    finally:
        await api.close()


def test_typed_and_indexed_views_are_the_same_record() -> None:
    user = User.model_validate({"id": 7, "objects": [{"id": 439, "name": "Dom", "zone": "A"}]})
    assert user.objects[0].id == user["objects"][0]["id"] == 439
    assert user["objects"][0]["zone"] == "A"  # fields the models do not declare are kept
    module = Module.model_validate({"id": 3, "devid": "X1", "connectedAt": None})
    assert module["id"] == 3
    assert module.get("code") is None
    assert not module.online
    assert module.to_dict()["devid"] == "X1"
    assert module.keys()[:3] == ["id", "devid", "code"]


def test_a_missing_key_is_a_typed_key_error_that_names_it() -> None:
    module = Module.model_validate({"id": 3, "devid": "X1"})
    with pytest.raises(BragerKeyError, match="Module record has no 'devId'; its keys: id, devid"):
        module["devId"]
    with pytest.raises(KeyError):  # code written for dicts keeps working
        module["devId"]


async def test_light_store_example(sim: RunningSimulator, server: BragerServer) -> None:
    api = await logged_in(sim, server)
    object_id, devids = await seed_devids(api)
    gw = BragerGateway(api=api, object_id=object_id, modules=devids)

    pstore = ParamStore()
    store_task = asyncio.create_task(pstore.run(gw.bus))
    lines: list[str] = []

    async def printer() -> None:
        async for upd in gw.bus.subscribe():
            if upd.value is None:
                continue
            key = f"{upd.pool}.{upd.chan}{upd.idx}"
            lines.append(f"↺ {upd.devid} {key} = {upd.value}")

    printer_task = asyncio.create_task(printer())
    await gw.start()
    try:
        await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P4", "v1", 61.5))
        await eventually(lambda: f"↺ {DEVID} P4.v1 = 61.5" in lines)
        await eventually(lambda: pstore.get(DEVID, "P4.v1") == 61.5)
    finally:
        await gw.stop()
        await api.close()
    await asyncio.gather(store_task, printer_task)
    assert f"↺ {DEVID} P4.v1 = 54.5" in lines  # the primed value came first
    assert "↺ FTTCTBSLCF P6.v1 = 55" in lines
    assert pstore.devices == DEVIDS


async def test_heavy_store_example_sees_every_primed_device(
    sim: RunningSimulator, server: BragerServer
) -> None:
    api = await logged_in(sim, server)
    object_id, devids = await seed_devids(api)
    gw = BragerGateway(api=api, object_id=object_id, modules=devids)

    sstore = StateStore()
    store_task = asyncio.create_task(sstore.run(gw.bus))
    seen: list[tuple[str, list[str], int]] = []

    def snapshot_logger(_: str, __: dict) -> None:
        flat = sstore.flatten()
        seen.append((_, list(flat.keys()), len(flat[DEVID])))

    gw.on_snapshot(snapshot_logger)
    await gw.start()
    try:
        # the callback ran inside start(): the store had taken the snapshot in by then
        assert seen == [("prime", DEVIDS, 14)]
        await on_sim(sim, sim.simulator.drop_sockets)  # a reconnect primes again
        await eventually(lambda: len(seen) == 2)
        assert seen[1] == ("prime", DEVIDS, 14)
    finally:
        await gw.stop()
        await api.close()
    await store_task


async def test_snapshot_callbacks_of_one_or_two_arguments(
    sim: RunningSimulator, server: BragerServer
) -> None:
    api = await logged_in(sim, server)
    gw = BragerGateway(api=api, object_id=OBJECT_ID, modules=DEVIDS)
    params = ParamStore()
    task = asyncio.create_task(params.run(gw.bus))
    one: list[dict[str, Any]] = []
    two: list[tuple[str, dict[str, Any]]] = []

    async def asynchronous(source: str, snapshot: dict[str, Any]) -> None:
        two.append((source, snapshot))

    gw.on_snapshot(one.append)
    gw.on_snapshot(asynchronous)
    gw.on_snapshot(lambda *args: two.append(args))
    await gw.start()
    await gw.stop()
    await api.close()
    await task
    assert one[0][DEVID]["P4.v1"] == 54.5
    assert [source for source, _ in two] == ["prime", "prime"]
    assert two[0][1] is one[0]  # the same snapshot for every callback
    assert one[0] == params.snapshot()


async def test_a_snapshot_event_from_the_server_calls_the_callbacks(
    sim: RunningSimulator, server: BragerServer
) -> None:
    api = await logged_in(sim, server)
    gw = BragerGateway(api=api, object_id=OBJECT_ID, modules=DEVIDS)
    states = StateStore()
    task = asyncio.create_task(states.run(gw.bus))
    calls: list[tuple[str, Any]] = []
    gw.on_snapshot(lambda source, snap: calls.append((source, snap)))
    await gw.start()
    pushed = {DEVID: {"P4": {"v1": {"value": 70.5, "storable": True}}}}
    await on_sim(sim, lambda: sim.simulator.emit_raw("snapshot", pushed))
    await eventually(lambda: len(calls) == 2)
    family = states.family(DEVID, "P4:1")
    assert calls[1] == ("snapshot", {DEVID: {"P4.v1": 70.5}})
    assert family is not None
    assert family.value == 70.5
    await gw.stop()
    await api.close()
    await task


async def test_a_raising_snapshot_callback_is_logged_with_its_traceback(
    sim: RunningSimulator, server: BragerServer, caplog: pytest.LogCaptureFixture
) -> None:
    api = await logged_in(sim, server)
    gw = BragerGateway(api=api, object_id=OBJECT_ID, modules=DEVIDS)
    after: list[str] = []

    def broken(_: str, __: dict[str, Any]) -> None:
        raise ZeroDivisionError("the callback's own bug")

    gw.on_snapshot(broken)
    gw.on_snapshot(lambda source, _: after.append(source))
    with caplog.at_level(logging.ERROR, logger="pybragerone.gateway"):
        await gw.start()
    await gw.stop()
    await api.close()
    assert after == ["prime"]  # the next callback still ran
    failed = [r for r in caplog.records if "on_snapshot callback failed" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], ZeroDivisionError)
    assert "the callback's own bug" in caplog.text


async def test_callbacks_do_not_wait_for_a_store_that_never_runs(
    sim: RunningSimulator, server: BragerServer, caplog: pytest.LogCaptureFixture
) -> None:
    api = await logged_in(sim, server)
    gw = BragerGateway(api=api, object_id=OBJECT_ID, modules=DEVIDS, snapshot_timeout=0.2)
    forgotten = ParamStore().run(gw.bus)  # subscribed, but never awaited nor made a task
    calls: list[str] = []
    gw.on_snapshot(lambda source, _: calls.append(source))
    with caplog.at_level(logging.WARNING, logger="pybragerone.gateway"):
        await gw.start()
    assert calls == ["prime"]
    assert "did not take the prime in within 0.2 s" in caplog.text
    forgotten.close()
    await gw.stop()
    await api.close()


async def test_flatten_parameters_of_a_prime_payload(
    sim: RunningSimulator, server: BragerServer
) -> None:
    api = await logged_in(sim, server)
    try:
        payload = await api.get_parameters(DEVIDS)
    finally:
        await api.close()
    cells = {
        (devid, key): (val, meta)
        for key, val, meta, devid in gateway_module.flatten_parameters(payload)
    }
    val, meta = cells[(DEVID, "P4.v1")]
    assert val == 54.5
    assert meta["storable"] is True
    assert isinstance(meta["updatedAt"], int)
    assert cells[(DEVID, "P4.u1")] == (1, {})
    assert len(cells) == 2 * 49  # every cell of both boilers
    gw = BragerGateway(api=api, object_id=OBJECT_ID, modules=DEVIDS)
    assert gw.flatten_parameters(payload) == gateway_module.flatten_parameters(payload)


def test_param_update_carries_the_documented_fields() -> None:
    upd = ParamUpdate("FTTCTBSLCE", "P4", "v", 1, 20.5, {"storable": True})
    assert (upd.devid, upd.pool, upd.chan, upd.idx, upd.value, upd.meta, upd.seq) == (
        "FTTCTBSLCE",
        "P4",
        "v",
        1,
        20.5,
        {"storable": True},
        0,
    )


def _two(a: str, b: dict[str, Any]) -> None: ...


def _one_with_option(snapshot: dict[str, Any], verbose: bool = False) -> None: ...


@pytest.mark.parametrize(
    ("callback", "two_arguments"),
    [
        (_two, True),
        (lambda source, snapshot: None, True),
        (lambda *args: None, True),
        (_one_with_option, False),  # an optional second parameter keeps the old form
        (lambda snapshot: None, False),
        ([].append, False),
        (print, True),  # *args: it gets (source, snapshot)
    ],
)
def test_which_callbacks_get_the_source(callback: Any, two_arguments: bool) -> None:
    from pybragerone.gateway import _wants_source

    assert _wants_source(callback) is two_arguments
