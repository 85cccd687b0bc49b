"""Protocol-level tests of the Brager One simulator (raw aiohttp + python-socketio clients)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import socketio

from shared_testing.simulator import RunningSimulator
from shared_testing.standalone import serve

DEVID = "FTTCTBSLCE"
MODS = {"modules": [DEVID]}

# The fields the published py-bragerone client's pydantic models require (its User,
# BragerObject, Module and ModuleCard): without any of them its login or listing fails.
USER_FIELDS = {
    "id",
    "name",
    "email",
    "language",
    "allow_email_type_informations",
    "allow_email_type_alarms",
    "allow_email_type_marketing",
    "allow_email_type_warnings",
    "activated_at",
    "show_rate_us_modal",
}
OBJECT_FIELDS = {"id", "name", "addressCountry"}
MODULE_FIELDS = {
    "devid",
    "name",
    "deviceMenu",
    "deviceLanguageVariant",
    "devices",
    "services",
    "permissions",
    "acceptedAt",
    "moduleAlarms",
    "parameterSchemas",
    "id",
    "moduleServices",
    "moduleTitle",
    "isAcceptedAt",
}
CARD_FIELDS = {
    "id",
    "moduleId",
    "clientFullName",
    "clientPhoneNumber",
    "clientAddressStreetAndNumber",
    "clientAddressPostalCode",
    "clientAddressCity",
    "createdAt",
    "updatedAt",
}


@pytest.fixture
def sim(simulator: Any) -> RunningSimulator:
    return simulator("brager", drift_interval=0)


async def on_sim(running: RunningSimulator, fn: Any) -> Any:
    return await running.acall(fn)


async def login(session: aiohttp.ClientSession, info: dict[str, Any]) -> dict[str, str]:
    async with session.post(
        info["url"] + "/auth/user", json={"email": info["email"], "password": info["password"]}
    ) as r:
        assert r.status == 200
        body = await r.json()
    assert body["type"] == "bearer"
    assert body["expiresAt"].endswith("Z")
    return {"Authorization": f"Bearer {body['accessToken']}"}


async def connect_socket(
    info: dict[str, Any], headers: dict[str, str]
) -> tuple[socketio.AsyncClient, list[Any]]:
    client = socketio.AsyncClient(reconnection=False)
    received: list[Any] = []
    client.on("app:modules:parameters:change", received.append, namespace="/ws")
    root = info["url"].removesuffix("/v1")
    await client.connect(root, headers=headers, namespaces=["/ws"], transports=["websocket"])
    return client, received


def test_info_names_url_and_account(sim: RunningSimulator) -> None:
    info = sim.info()
    assert info["system"] == "brager"
    assert info["url"].endswith("/v1")
    assert info["email"]
    assert info["password"]


async def test_login_rejects_bad_password_and_protects_endpoints(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        bad = {"email": info["email"], "password": "x"}
        async with s.post(info["url"] + "/auth/user", json=bad) as r:
            assert r.status == 401
            assert (await r.json())["status"] == "E_INVALID_CREDENTIALS"
        async with s.get(info["url"] + "/user") as r:
            assert r.status == 401
        async with s.get(info["url"] + "/system/version") as r:
            assert r.status == 200
            assert "version" in await r.json()


async def test_rest_shapes(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        async with s.get(info["url"] + "/user", headers=h) as r:
            assert (await r.json())["user"]["email"] == info["email"]
        async with s.get(info["url"] + "/user/permissions", headers=h) as r:
            assert "PARAM_WRITE" in (await r.json())["permissions"]
        async with s.get(info["url"] + "/objects", headers=h) as r:
            objects = (await r.json())["data"]
        assert {o["id"] for o in objects} == {439, 440}
        async with s.get(info["url"] + "/objects/439", headers=h) as r:
            assert (await r.json())["object"]["name"] == "Dom"
        async with s.get(info["url"] + "/objects/1", headers=h) as r:
            assert r.status == 404
        async with s.get(info["url"] + "/modules?page=1&limit=999&group_id=440", headers=h) as r:
            modules = (await r.json())["data"]
        assert modules[0]["connectedAt"] == 0
        mods = {"modules": [DEVID]}
        async with s.post(info["url"] + "/modules/parameters", json=mods, headers=h) as r:
            snapshot = await r.json()
        assert snapshot[DEVID]["P4"]["v1"]["value"] == 54.5
        assert snapshot[DEVID]["P4"]["u1"] == 1
        async with s.get(info["url"].removesuffix("/v1") + "/assets/js/parameters.js") as r:
            assert "PARAM_0" in await r.text()


async def test_binding_by_namespace_sid_streams_changes(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        client, received = await connect_socket(info, h)
        try:
            body = {"wsid": client.get_sid("/ws"), "modules": [DEVID]}
            async with s.post(info["url"] + "/modules/connect", json=body, headers=h) as r:
                assert r.status == 200
            # bound but not listening: nothing arrives yet
            assert await on_sim(sim, lambda: sim.simulator.emit_burst(2, DEVID)) == 0
            listen = {"modules": [DEVID]}
            ack = await client.call("app:modules:parameters:listen", listen, namespace="/ws")
            assert ack == {"status": "OK"}
            assert received == []
            sent = await on_sim(sim, lambda: sim.simulator.emit_burst(5, DEVID))
            assert sent == 5
            for _ in range(100):
                if len(received) == 5:
                    break
                await asyncio.sleep(0.02)
            assert len(received) == 5
            assert all(set(event) == {DEVID} for event in received)
        finally:
            await client.disconnect()


async def test_binding_by_engine_sid_and_unknown_sid(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        client, _ = await connect_socket(info, h)
        try:
            body = {"sid": client.eio.sid, "modules": [DEVID]}
            async with s.post(info["url"] + "/modules/connect", json=body, headers=h) as r:
                assert r.status == 200
            body = {"wsid": "nope", "modules": [DEVID]}
            async with s.post(info["url"] + "/modules/connect", json=body, headers=h) as r:
                assert r.status == 404
        finally:
            await client.disconnect()


async def test_socket_refuses_missing_token(sim: RunningSimulator) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            sim.info()["url"].removesuffix("/v1"),
            headers={"Authorization": "Bearer wrong"},
            namespaces=["/ws"],
            transports=["websocket"],
        )


async def test_command_writes_and_dispatch_timeout(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        body = {"devid": DEVID, "pool": "P6", "parameter": "v1", "value": 65}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 200
            assert (await r.json())["status"] == "OK"
        assert sim.simulator.state.modules[DEVID].parameters["P6"]["v1"] == 65
        body = {"devid": DEVID, "pool": "P6", "parameter": "v1", "value": 500}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 400
        body = {"devid": "OFFLINE001", "pool": "P6", "parameter": "v1", "value": 50}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 408
            assert (await r.json())["status"] == "E_DISPATCH_EVENT_TIMEOUT"
        # a body the cloud does not know (pool and cell in one string) is refused
        body = {"module": DEVID, "parameter": "P6.v1", "value": 60}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 400
        raw = {"devid": DEVID, "command": "MODULE_RESTART", "value": "ONLINE"}
        async with s.post(info["url"] + "/module/command/raw", json=raw, headers=h) as r:
            assert r.status == 200
        async with s.post(info["url"] + "/modules/activity", json=MODS, headers=h) as r:
            rows = (await r.json())["data"]
        assert [(row["name"], row["value"], row["prevValue"]) for row in rows] == [
            ("P6.v1", 65, 55)
        ]
        assert rows[0]["user"] == {"id": 7, "name": "Demo"}


async def test_faults_expire_tokens_and_5xx(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        sim.faults.expire_sessions()
        async with s.get(info["url"] + "/user", headers=h) as r:
            assert r.status == 401
        h = await login(s, info)
        sim.faults.fail_next(1, 503)
        async with s.get(info["url"] + "/user", headers=h) as r:
            assert r.status == 503
        async with s.get(info["url"] + "/user", headers=h) as r:
            assert r.status == 200


async def test_token_ttl_expires(simulator: Any) -> None:
    running = simulator("brager", drift_interval=0, token_ttl=0.2)
    info = running.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        await asyncio.sleep(0.3)
        async with s.get(info["url"] + "/user", headers=h) as r:
            assert r.status == 401


async def test_drop_sockets_disconnects_and_restart_keeps_state(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        client, _ = await connect_socket(info, h)
        dropped = await on_sim(sim, sim.simulator.drop_sockets)
        assert dropped == 1
        for _ in range(100):
            if not client.connected:
                break
            await asyncio.sleep(0.02)
        assert not client.connected
        await client.disconnect()
        await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P6", "v2", 70))
    await asyncio.get_running_loop().run_in_executor(None, sim.restart)
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        mods = {"modules": [DEVID]}
        async with s.post(info["url"] + "/modules/parameters", json=mods, headers=h) as r:
            assert (await r.json())[DEVID]["P6"]["v2"]["value"] == 70


async def test_drift_changes_values(simulator: Any) -> None:
    running = simulator("brager", drift_interval=0.05)
    before = running.simulator.state.parameters_view()
    for _ in range(100):
        await asyncio.sleep(0.02)
        if running.simulator.state.parameters_view() != before:
            break
    assert running.simulator.state.parameters_view() != before


def test_serve_prints_json_line() -> None:
    with serve("brager", "--drift-interval", "0") as served:
        assert served.info["system"] == "brager"
        assert set(served.info) >= {"url", "email", "password"}
    assert served.process.returncode == 0


async def test_second_account_sees_only_its_objects(sim: RunningSimulator) -> None:
    from shared_testing.brager.state import VIEWER_EMAIL, VIEWER_PASSWORD

    info = {**sim.info(), "email": VIEWER_EMAIL, "password": VIEWER_PASSWORD}
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        async with s.get(info["url"] + "/objects", headers=h) as r:
            assert [o["id"] for o in (await r.json())["data"]] == [440]
        async with s.get(info["url"] + "/user/permissions", headers=h) as r:
            assert "PARAM_WRITE" not in (await r.json())["permissions"]
        async with s.get(info["url"] + "/modules?group_id=439", headers=h) as r:
            assert r.status == 403
        async with s.get(info["url"] + "/objects/439", headers=h) as r:
            assert r.status == 404


async def test_socket_messages_consume_faults(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        client, _ = await connect_socket(info, h)
        try:
            sim.faults.fail_next(1, 500)
            listen = {"modules": [DEVID]}
            await client.emit("app:modules:parameters:listen", listen, namespace="/ws")
            for _ in range(100):
                if not client.connected:
                    break
                await asyncio.sleep(0.02)
            assert not client.connected
            assert sim.faults.pending == 0
        finally:
            await client.disconnect()


async def test_records_carry_what_the_cloud_carries(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        creds = {"email": info["email"], "password": info["password"]}
        async with s.post(info["url"] + "/auth/user", json=creds) as r:
            answer = await r.json()
        assert set(answer["user"]) >= USER_FIELDS
        assert [o["id"] for o in answer["objects"]] == [439, 440]
        assert all(set(o) >= OBJECT_FIELDS for o in answer["objects"])
        h = {"Authorization": f"Bearer {answer['accessToken']}"}
        async with s.get(info["url"] + "/user", headers=h) as r:
            user = (await r.json())["user"]
        assert user == answer["user"]
        assert user["activated_at"].endswith("Z")
        async with s.get(info["url"] + "/objects/439", headers=h) as r:
            details = await r.json()
        assert details["status"] == "SUCCESS"
        assert set(details["object"]) >= OBJECT_FIELDS
        async with s.get(info["url"] + "/modules?page=1&limit=999&group_id=439", headers=h) as r:
            modules = (await r.json())["data"]
        assert all(set(m) >= MODULE_FIELDS for m in modules)
        boiler = modules[0]
        assert set(boiler["gateway"]) == {"address", "interface", "version"}
        assert set(boiler["devices"][0]) >= {"manuf_code", "dev_code", "sw_ver_num"}
        assert boiler["connectedAt"] > 0
        assert boiler["isConnectedAt"].endswith("Z")
        async with s.get(info["url"] + f"/modules/{DEVID}/card", headers=h) as r:
            card = await r.json()
        assert set(card) == CARD_FIELDS
        assert card["moduleId"] == boiler["id"]
        async with s.get(info["url"] + "/system/version?container=BragerOne&platform=0") as r:
            version = (await r.json())["version"]
        assert set(version) == {"version", "devMode"}
        async with s.post(info["url"] + "/modules/activity/quantity", json=MODS, headers=h) as r:
            assert await r.json() == {"activityQuantity": {DEVID: 0}}
        async with s.post(info["url"] + "/modules/alarms/quantity", json=MODS, headers=h) as r:
            assert await r.json() == {"alarmsQuantity": {DEVID: 0}}
        menu_url = info["url"] + "/manufacturers/1/devices/52/menu/2.08"
        async with s.get(menu_url, headers=h) as r:
            menu = await r.json()
        assert set(menu) == {"priority", "extends", "standalone", "deviceMenu"}
        async with s.post(info["url"] + "/modules/parameters", json=MODS, headers=h) as r:
            cell = (await r.json())[DEVID]["P4"]["v1"]
        assert set(cell) == {
            "value",
            "storable",
            "createdAt",
            "previousCreatedAt",
            "updatedAt",
            "updatedAtClient",
            "expire",
        }


async def test_a_write_sends_task_and_activity_events(sim: RunningSimulator) -> None:
    info = sim.info()
    async with aiohttp.ClientSession() as s:
        h = await login(s, info)
        client, changes = await connect_socket(info, h)
        events: list[tuple[str, Any]] = []

        async def on_any(event: str, data: Any) -> None:
            events.append((event, data))

        client.on("*", on_any, namespace="/ws")
        try:
            # the cloud's module.connect body: group_id travels as a string
            body = {"wsid": client.get_sid("/ws"), "group_id": "439", "modules": [DEVID]}
            async with s.post(info["url"] + "/modules/connect", json=body, headers=h) as r:
                assert r.status == 200
            for event in (
                "app:modules:parameters:listen",
                "app:modules:activity:quantity:listen",
                "app:modules:alarms:quantity:listen",
            ):
                assert await client.call(event, MODS, namespace="/ws") == {"status": "OK"}
            write = {"devid": DEVID, "pool": "P6", "parameter": "v2", "value": 61}
            async with s.post(info["url"] + "/module/command", json=write, headers=h) as r:
                task_id = (await r.json())["taskId"]
            for _ in range(100):
                if len(events) >= 3 and changes:
                    break
                await asyncio.sleep(0.02)
            assert [name for name, _ in events] == [
                "app:module:task:created",
                "app:module:task:completed",
                "app:modules:activity:quantity:change",
            ]
            assert events[0][1] == {"id": task_id, "devid": DEVID, "status": "CREATED"}
            assert events[2][1] == {"activityQuantity": {DEVID: 1}}
            assert changes[0][DEVID]["P6"]["v2"]["value"] == 61
            events.clear()
            await on_sim(sim, lambda: sim.simulator.set_online(DEVID, False))
            for _ in range(100):
                if events:
                    break
                await asyncio.sleep(0.02)
            name, status = events[0]
            assert name == "app:module:connection:status:changed"
            assert status[DEVID]["connectedAt"] == 0
            assert set(status[DEVID]["gateway"]) == {"address", "interface", "version"}
        finally:
            await client.disconnect()
