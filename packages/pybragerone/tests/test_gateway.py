"""End to end: login -> gateway -> snapshot -> live changes -> stores, against the simulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pybragerone import (
    BragerApiClient,
    BragerAuthError,
    BragerGateway,
    BragerRealtimeError,
    BragerServer,
    ParamStore,
    StateStore,
)
from shared_testing.simulator import RunningSimulator
from shared_testing.waiting import eventually

from .conftest import DEVID, OBJECT_ID, on_sim, server_view

DEVIDS = [DEVID, "FTTCTBSLCF"]


@pytest.fixture
async def running(
    sim: RunningSimulator, api: BragerApiClient
) -> AsyncIterator[tuple[BragerGateway, ParamStore, StateStore]]:
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS, reconnect_delay=0.05)
    params = ParamStore()
    states = StateStore(await api.load_catalog())
    tasks = [
        asyncio.create_task(params.run(gateway.bus)),
        asyncio.create_task(states.run(gateway.bus)),
    ]
    await gateway.start()
    yield gateway, params, states
    await gateway.stop()
    await asyncio.gather(*tasks)


async def converged(sim: RunningSimulator, params: ParamStore) -> None:
    expected = await server_view(sim, DEVIDS)
    await eventually(lambda: params.to_nested() == expected)


async def test_snapshot_then_live_changes_reach_the_stores(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, states = running
    await converged(sim, params)
    assert gateway.stats.primes == 1
    family = states.family(DEVID, "P4:1")
    assert family is not None
    assert (family.label, family.unit, family.ha_unit, family.value) == (
        "Boiler temperature",
        "°C",
        "°C",
        54.5,
    )
    assert params.meta(DEVID, "P4.v1")["storable"] is True
    sent = await on_sim(sim, lambda: sim.simulator.emit_burst(200))
    assert sent == 200
    await converged(sim, params)
    assert gateway.stats.events >= 200
    assert gateway.stats.bad_payloads == 0


async def test_modules_default_to_every_module_of_the_object(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    gateway = BragerGateway(api, OBJECT_ID)
    snapshots: list[dict[str, Any]] = []
    gateway.on_snapshot(snapshots.append)
    await gateway.start()
    try:
        assert gateway.modules == DEVIDS
        assert set(snapshots[0]) == set(DEVIDS)
        assert snapshots[0][DEVID]["P4.v1"] == 54.5
    finally:
        await gateway.stop()


async def test_write_comes_back_as_event_and_task_events(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, _ = running
    tasks: list[tuple[str, Any]] = []
    gateway.on_task(lambda kind, payload: tasks.append((kind, payload)))
    await gateway.write(DEVID, "P6.v1", 66)
    await eventually(lambda: params.get(DEVID, "P6.v1") == 66)
    await eventually(lambda: [k for k, _ in tasks] == ["created", "completed"])


async def test_reconnect_after_dropped_socket_loses_no_final_state(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, _ = running
    await converged(sim, params)
    assert gateway.connected
    for round_ in range(2):
        await on_sim(sim, sim.simulator.drop_sockets)
        # changes while the socket is down are only visible through the re-primed snapshot
        await on_sim(sim, lambda: sim.simulator.emit_burst(50))
        await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P6", "v3", 25))
        await eventually(lambda r=round_: gateway.connected and gateway.stats.primes >= r + 2)
        await on_sim(sim, lambda: sim.simulator.emit_burst(50))
        await converged(sim, params)
    assert gateway.realtime.reconnects == 2
    assert params.get(DEVID, "P6.v3") == 25


async def test_reconnect_survives_server_restart_and_expired_tokens(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, _ = running
    sim.faults.expire_sessions()
    await asyncio.get_running_loop().run_in_executor(None, sim.restart)
    await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P4", "v2", -3.5))
    await eventually(lambda: gateway.realtime.reconnects >= 1, within=10)
    await converged(sim, params)
    assert params.get(DEVID, "P4.v2") == -3.5


async def test_malformed_events_are_skipped_and_counted(
    sim: RunningSimulator,
    running: tuple[BragerGateway, ParamStore, StateStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway, params, _ = running
    caplog.set_level(logging.WARNING, logger="pybragerone")
    await on_sim(sim, lambda: sim.simulator.emit_raw("app:modules:parameters:change", "garbage"))
    await on_sim(sim, lambda: sim.simulator.emit_raw("parameters:change", [1, 2]))
    await on_sim(
        sim,
        lambda: sim.simulator.emit_raw(
            "modules:parameters:change", {DEVID: {"ZZ": {"v1": 1}, "P4": {"??": 2, "v4": 99.5}}}
        ),
    )
    await on_sim(sim, lambda: sim.simulator.emit_raw("app:module:task:completed", None))
    await eventually(lambda: params.get(DEVID, "P4.v4") == 99.5)
    assert gateway.stats.bad_payloads == 2
    assert gateway.stats.skipped_cells == 2
    assert "skipping malformed app:modules:parameters:change event" in caplog.text
    # the gateway is still alive
    await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P4", "v4", 99.5))
    await on_sim(sim, lambda: sim.simulator.emit_burst(5))
    await converged(sim, params)


async def test_snapshot_push_event_is_ingested(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    _, params, _ = running
    await on_sim(sim, lambda: sim.simulator.emit_raw("snapshot", {DEVID: {"P7": {"v1": 3}}}))
    await eventually(lambda: params.get(DEVID, "P7.v1") == 3)


async def test_start_with_bad_credentials_raises_auth_error(
    sim: RunningSimulator, server: BragerServer
) -> None:
    async with BragerApiClient(sim.info()["email"], "nope", server=server) as api:
        with pytest.raises(BragerAuthError, match="check the e-mail and password"):
            await BragerGateway(api, OBJECT_ID, DEVIDS).start()


async def test_start_fails_typed_when_socket_is_refused(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    await api.login()
    sim.faults.fail_next(1, 503)  # consumed by the Socket.IO handshake
    with pytest.raises(BragerRealtimeError, match=r"Socket\.IO connection"):
        await BragerGateway(api, OBJECT_ID, DEVIDS).start()


async def test_reconnect_retries_through_server_errors(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, _ = running
    sim.faults.fail_next(3, 502)  # the next handshakes and REST calls fail
    await on_sim(sim, sim.simulator.drop_sockets)
    await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P6", "v1", 44))
    await eventually(lambda: gateway.realtime.reconnects == 1, within=10)
    await converged(sim, params)
    assert sim.faults.pending == 0
    assert gateway.realtime.last_error is not None


async def test_unexpected_error_while_reconnecting_is_logged_and_retried(
    sim: RunningSimulator,
    running: tuple[BragerGateway, ParamStore, StateStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway, params, _ = running
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("handler bug")

    gateway.realtime.on_connected(flaky)
    await on_sim(sim, sim.simulator.drop_sockets)
    await eventually(lambda: gateway.realtime.reconnects == 1, within=10)
    assert calls == 2
    assert isinstance(gateway.realtime.last_error, RuntimeError)
    assert "reconnect failed unexpectedly" in caplog.text
    await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P6", "v1", 41))
    await converged(sim, params)


async def test_event_aliases_and_numeric_task_events(
    sim: RunningSimulator, running: tuple[BragerGateway, ParamStore, StateStore]
) -> None:
    gateway, params, _ = running
    kinds: list[str] = []
    gateway.on_task(lambda kind, payload: kinds.append(kind))
    for n, event in enumerate(("modules:parameters:change", "parameters:change"), start=1):
        payload = {DEVID: {"P8": {f"v{n}": n}}}
        await on_sim(sim, lambda e=event, p=payload: sim.simulator.emit_raw(e, p))
    for event in ("61", "60", "63", "app:module:task:status:changed"):
        await on_sim(sim, lambda e=event: sim.simulator.emit_raw(e, {"taskId": 1}))
    await eventually(lambda: params.get(DEVID, "P8.v2") == 2)
    assert params.get(DEVID, "P8.v1") == 1
    await eventually(lambda: len(kinds) == 4)
    assert kinds == ["created", "status_changed", "completed", "status_changed"]


async def test_failing_callbacks_never_stop_the_gateway(
    sim: RunningSimulator, api: BragerApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    params = ParamStore()
    task = asyncio.create_task(params.run(gateway.bus))

    def broken(*_: Any) -> None:
        raise RuntimeError("callback bug")

    gateway.on_snapshot(broken)
    gateway.on_task(broken)
    await gateway.start()
    try:
        await on_sim(sim, lambda: sim.simulator.emit_raw("61", {"taskId": 9}))
        await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P4", "v3", 47.5))
        await eventually(lambda: params.get(DEVID, "P4.v3") == 47.5)
        assert "on_snapshot callback failed" in caplog.text
        await eventually(lambda: "on_task callback failed" in caplog.text)
    finally:
        await gateway.stop()
        await task


async def test_tokens_stay_out_of_realtime_logs(
    sim: RunningSimulator, api: BragerApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS, reconnect_delay=0.05)
    await gateway.start()
    try:
        await on_sim(sim, sim.simulator.drop_sockets)
        await eventually(lambda: gateway.realtime.reconnects == 1)
        await on_sim(sim, lambda: sim.simulator.emit_burst(3))
    finally:
        await gateway.stop()
    assert api.token is not None
    assert api.token.access_token not in caplog.text
    assert sim.info()["password"] not in caplog.text


async def test_listen_without_waiting_for_acknowledgement(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    gateway.realtime.listen_ack_timeout = 0  # for servers that never acknowledge
    params = ParamStore()
    task = asyncio.create_task(params.run(gateway.bus))
    await gateway.start()
    try:
        await converged(sim, params)
        assert gateway.realtime.namespace_sid is not None
        assert gateway.realtime.engine_sid is not None
    finally:
        await gateway.stop()
        await task


async def test_binding_falls_back_to_the_engine_sid(
    sim: RunningSimulator, api: BragerApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybragerone import BragerApiError

    real = api.modules_connect
    tried: list[str] = []

    async def older_server(wsid: str, modules: Any, *, group_id: int | None = None) -> None:
        tried.append(wsid)
        if len(tried) == 1:  # a server that knows only engine SIDs refuses the namespace SID
            raise BragerApiError("POST /modules/connect failed with 404", status=404)
        await real(wsid, modules, group_id=group_id)

    monkeypatch.setattr(api, "modules_connect", older_server)
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    params = ParamStore()
    task = asyncio.create_task(params.run(gateway.bus))
    await gateway.start()
    try:
        assert tried == [gateway.realtime.namespace_sid, gateway.realtime.engine_sid]
        assert tried[0] != tried[1]
        await on_sim(sim, lambda: sim.simulator.set_parameter(DEVID, "P6", "v1", 43))
        await eventually(lambda: params.get(DEVID, "P6.v1") == 43)
    finally:
        await gateway.stop()
        await task


async def test_binding_refused_for_both_sids_is_a_realtime_error(
    api: BragerApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybragerone import BragerApiError

    async def refuse(wsid: str, modules: Any, *, group_id: int | None = None) -> None:
        raise BragerApiError("POST /modules/connect failed with 404", status=404)

    monkeypatch.setattr(api, "modules_connect", refuse)
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    with pytest.raises(BragerRealtimeError, match="binding the socket to modules"):
        await gateway.start()
    assert not gateway.connected


async def test_start_with_a_revoked_saved_token_logs_in_again(
    sim: RunningSimulator, api: BragerApiClient, server: BragerServer
) -> None:
    # Home Assistant restarts with a saved token the cloud has meanwhile forgotten.
    saved = await api.login()
    sim.faults.expire_sessions()

    class Saved:
        def load(self) -> Any:
            return saved

        def save(self, token: Any) -> None:
            pass

        def clear(self) -> None:
            pass

    info = sim.info()
    async with BragerApiClient(
        info["email"], info["password"], server=server, token_store=Saved()
    ) as restarted:
        gateway = BragerGateway(restarted, OBJECT_ID, DEVIDS)
        await gateway.start()
        try:
            assert gateway.connected
            assert restarted.logins == 1
            assert gateway.stats.primes == 1
        finally:
            await gateway.stop()
    # ... and when the password changed meanwhile, start() says so (a re-auth flow's cue).
    sim.faults.expire_sessions()
    async with BragerApiClient(
        info["email"], "changed", server=server, token_store=Saved()
    ) as restarted:
        with pytest.raises(BragerAuthError, match="check the e-mail and password"):
            await BragerGateway(restarted, OBJECT_ID, DEVIDS).start()


async def test_start_twice_keeps_one_connection(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    await gateway.start()
    try:
        await gateway.start()
        await gateway.realtime.start()
        assert sim.simulator.connects == 1
        assert gateway.stats.primes == 1
    finally:
        await gateway.stop()
    await gateway.start()  # a stopped gateway starts again
    try:
        assert gateway.connected
        assert sim.simulator.connects == 2
    finally:
        await gateway.stop()


def test_malformed_floods_are_counted_and_logged_sparingly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = BragerGateway(BragerApiClient("a@b.c", "pw"), OBJECT_ID, DEVIDS)
    caplog.set_level(logging.WARNING, logger="pybragerone.gateway")
    for _ in range(2500):
        gateway._on_parameters("parameters:change", "garbage")
        gateway._on_parameters("parameters:change", {DEVID: {"ZZ": {"v1": 1}}})
    assert gateway.stats.bad_payloads == 2500
    assert gateway.stats.skipped_cells == 2500
    texts = [r.getMessage() for r in caplog.records]
    malformed = [t for t in texts if t.startswith("skipping malformed")]
    skipped = [t for t in texts if "malformed part(s)" in t]
    # the first 20 of each, then one per thousand: late problems are never silent
    assert len(malformed) == len(skipped) == 22
    assert "(2000 so far)" in malformed[-1]
    assert "(2000 so far)" in skipped[-1]


async def test_changes_during_the_snapshot_win_but_metadata_only_frames_do_not(
    sim: RunningSimulator, api: BragerApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
    params = ParamStore()
    task = asyncio.create_task(params.run(gateway.bus))
    real = api.get_parameters

    async def in_flight(modules: Any) -> dict[str, Any]:
        snapshot = await real(modules)
        # events that arrive while the snapshot answer travels
        gateway._on_parameters(
            "app:modules:parameters:change",
            {DEVID: {"P4": {"v1": {"updatedAt": 1}, "v2": {"value": -7.5}}}},
        )
        return snapshot

    monkeypatch.setattr(api, "get_parameters", in_flight)
    await gateway.start()
    try:
        await params.wait_until(gateway.bus.last_seq)
        assert params.get(DEVID, "P4.v1") == 54.5  # the snapshot's value is kept
        assert params.get(DEVID, "P4.v2") == -7.5  # the newer change is not overwritten
    finally:
        await gateway.stop()
        await task


async def test_stop_releases_the_clients_own_session_and_the_client_goes_on(
    sim: RunningSimulator, server: BragerServer
) -> None:
    info = sim.info()
    async with BragerApiClient(info["email"], info["password"], server=server) as api:
        gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
        await gateway.start()
        first = api.session
        await gateway.stop()
        assert first.closed
        assert [o.id for o in await api.get_objects()] == [439, 440]  # a new session
        assert api.session is not first


async def test_stop_leaves_a_shared_session_open(
    sim: RunningSimulator, server: BragerServer
) -> None:
    import aiohttp

    info = sim.info()
    async with aiohttp.ClientSession() as shared:
        api = BragerApiClient(info["email"], info["password"], server=server, session=shared)
        gateway = BragerGateway(api, OBJECT_ID, DEVIDS)
        await gateway.start()
        await gateway.stop()
        await api.close()
        assert not shared.closed
        assert api.session is shared
        assert [o.id for o in await api.get_objects()] == [439, 440]
