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
        body = {"module": DEVID, "parameter": "P6.v1", "value": 65}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 200
            assert (await r.json())["status"] == "OK"
        assert sim.simulator.state.modules[DEVID].parameters["P6"]["v1"] == 65
        body = {"module": DEVID, "parameter": "P6.v1", "value": 500}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 400
        body = {"module": "OFFLINE001", "parameter": "P6.v1", "value": 50}
        async with s.post(info["url"] + "/module/command", json=body, headers=h) as r:
            assert r.status == 408
            assert (await r.json())["status"] == "E_DISPATCH_EVENT_TIMEOUT"


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
