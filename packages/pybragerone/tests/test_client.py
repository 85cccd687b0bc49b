from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybragerone import (
    BRAGERONE,
    TISCONNECT,
    BragerApiClient,
    BragerApiError,
    BragerAuthError,
    BragerCommandTimeoutError,
    BragerConfigError,
    BragerConnectionError,
    BragerServer,
    Token,
)
from shared_testing.simulator import RunningSimulator

from .conftest import DEVID, OBJECT_ID


def test_server_configs() -> None:
    assert BRAGERONE.api_url == "https://io.brager.pl/v1"
    assert TISCONNECT.origin == "https://www.tisconnect.info"
    local = BragerServer.from_url("http://127.0.0.1:8080")
    assert local.api_url == "http://127.0.0.1:8080/v1"
    assert local.socket_url == "http://127.0.0.1:8080"
    assert local.headers()["Referer"] == "http://127.0.0.1:8080/"
    with pytest.raises(BragerConfigError, match="server URL must be"):
        BragerServer.from_url("ftp://x")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://a:99999/v1", "Port out of range"),
        ("http://a:x/v1", "Port could not be cast"),
        ("http:// a b/v1", "got 'http:// a b/v1'$"),
        ("http://:80", "got 'http://:80'$"),
    ],
)
def test_bad_server_urls_are_config_errors(url: str, why: str) -> None:
    with pytest.raises(BragerConfigError, match=why):
        BragerServer.from_url(url)


@settings(max_examples=200)
@given(st.text(max_size=40) | st.builds("http://{}".format, st.text(max_size=30)))
def test_from_url_raises_only_config_errors(url: str) -> None:
    try:
        server = BragerServer.from_url(url)
    except BragerConfigError:
        return
    assert server.api_url.startswith(server.socket_url)
    assert server.socket_url.startswith(("http://", "https://"))


async def test_login_and_account_calls(api: BragerApiClient) -> None:
    token = await api.login()
    assert not token.is_expired()
    assert token.user_id == 7
    assert "access_token" not in repr(token)
    version = await api.get_version()
    assert set(version) == {"version", "devMode"}
    user = await api.get_user()
    assert (user.email, user.language, user.show_rate_us_modal) == ("demo@example.com", "en", False)
    assert user.activated_at is not None
    assert user.activated_at.tzinfo is not None
    assert [o.id for o in user.objects] == [439, 440]
    assert "PARAM_WRITE" in await api.get_user_permissions()
    objects = await api.get_objects()
    assert [o.id for o in objects] == [439, 440]
    assert (objects[0].address_country, objects[0].address_city) == ("PL", "Kraków")
    assert (await api.get_object(OBJECT_ID)).name == "Dom"
    assert await api.get_object_permissions(OBJECT_ID)
    modules = await api.get_modules(OBJECT_ID)
    assert [m.devid for m in modules] == [DEVID, "FTTCTBSLCF"]
    assert all(m.online for m in modules)
    boiler = modules[0]
    assert boiler.gateway is not None
    assert boiler.gateway.interface == "wifi"
    assert boiler.module_title
    assert boiler.is_accepted_at is not None
    assert boiler.devices[0]["sw_ver_num"] == boiler.module_version
    offline = (await api.get_modules(440))[0]
    assert not offline.online
    assert offline.is_connected_at is None
    snapshot = await api.get_parameters([DEVID])
    assert snapshot[DEVID]["P4"]["v1"]["value"] == 54.5
    assert (await api.get_activity_quantity([DEVID]))["activityQuantity"] == {DEVID: 0}
    assert (await api.get_alarms([DEVID]))["data"] == []
    assert (await api.get_alarms_quantity([DEVID]))["alarmsQuantity"] == {DEVID: 0}
    assert (await api.get_alarms_history([DEVID]))["data"] == []
    assert (await api.get_activity([DEVID]))["data"] == []
    card = await api.get_module_card(DEVID)
    assert card.module_id == boiler.id
    assert card["clientAddressCity"] == card.client_address_city
    assert (await api.get_device_menu(1, 52, "2.08"))["deviceMenu"] == []


async def test_bad_credentials_raise_auth_error(
    sim: RunningSimulator, server: BragerServer
) -> None:
    async with BragerApiClient(sim.info()["email"], "wrong", server=server) as api:
        with pytest.raises(BragerAuthError, match="refused \\(401"):
            await api.get_user()


async def test_missing_credentials_raise_auth_error(server: BragerServer) -> None:
    async with BragerApiClient(server=server) as api:
        with pytest.raises(BragerAuthError, match="no e-mail/password"):
            await api.login()


async def test_401_logs_in_again_once(sim: RunningSimulator, api: BragerApiClient) -> None:
    await api.login()
    sim.faults.expire_sessions()
    assert (await api.get_user()).id == 7
    assert api.logins == 2


async def test_expired_token_is_renewed_before_the_request(simulator: Any) -> None:
    running = simulator("brager", drift_interval=0, token_ttl=1.0)
    info = running.info()
    async with BragerApiClient(
        info["email"], info["password"], server=BragerServer.from_url(info["url"])
    ) as api:
        await api.login()
        assert api.token is not None
        assert api.token.is_expired()  # within the 30 s leeway
        await api.get_objects()
        assert api.logins == 2


async def test_server_error_is_typed(sim: RunningSimulator, api: BragerApiClient) -> None:
    await api.login()
    sim.faults.fail_next(1, 503)
    with pytest.raises(BragerApiError, match="failed with 503") as info:
        await api.get_objects()
    assert info.value.status == 503


async def test_login_server_error_is_auth_error(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    sim.faults.fail_next(1, 500)
    with pytest.raises(BragerAuthError, match="failed with 500"):
        await api.login()


async def test_command_write_and_dispatch_timeout(
    sim: RunningSimulator, api: BragerApiClient
) -> None:
    result = await api.module_command(DEVID, "P6.v1", 60)
    assert result.status == "OK"
    assert result.task_id == 1
    assert sim.simulator.state.modules[DEVID].parameters["P6"]["v1"] == 60
    with pytest.raises(BragerCommandTimeoutError, match="did not confirm in time") as info:
        await api.module_command("OFFLINE001", "P6.v1", 60)
    assert info.value.status == 408
    assert info.value.code == "E_DISPATCH_EVENT_TIMEOUT"
    with pytest.raises(BragerApiError, match="failed with 400") as bad:
        await api.module_command(DEVID, "P6.v1", 1000)
    assert not isinstance(bad.value, BragerCommandTimeoutError)
    assert (await api.module_command_raw(DEVID, "MODULE_RESTART", "ONLINE")).status == "OK"
    with pytest.raises(BragerCommandTimeoutError):
        await api.module_command_raw("OFFLINE001", "MODULE_RESTART")
    activity = (await api.get_activity([DEVID]))["data"]
    assert [(row["name"], row["value"], row["prevValue"]) for row in activity] == [
        ("P6.v1", 60, 55)
    ]
    assert activity[0]["user"]["name"] == "Demo"


@pytest.mark.parametrize("parameter", ["P6v1", "v1", "P6.", "X6.v1", "P6.1"])
async def test_command_with_a_malformed_parameter_is_refused_before_sending(
    sim: RunningSimulator, api: BragerApiClient, parameter: str
) -> None:
    with pytest.raises(BragerConfigError, match=r"must look like 'P6\.v1'") as info:
        await api.module_command(DEVID, parameter, 50)
    assert isinstance(info.value, ValueError)
    assert sim.simulator.state.commands == []


async def test_unreachable_server_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = BragerServer.from_url(f"http://127.0.0.1:{port}")
    async with BragerApiClient("a@b.c", "pw", server=server, timeout=2) as api:
        with pytest.raises(BragerConnectionError, match="check the network"):
            await api.login()


class MemoryStore:
    def __init__(self) -> None:
        self.saved: list[Token] = []
        self.cleared = 0

    def load(self) -> Token | None:
        return self.saved[-1] if self.saved else None

    def save(self, token: Token) -> None:
        self.saved.append(token)

    def clear(self) -> None:
        self.cleared += 1


async def test_token_store_hooks_and_revoke(sim: RunningSimulator, server: BragerServer) -> None:
    info = sim.info()
    store = MemoryStore()
    async with BragerApiClient(
        info["email"], info["password"], server=server, token_store=store
    ) as api:
        token = await api.login()
        assert store.saved == [token]
        await api.revoke()
        assert api.token is None
        assert store.cleared == 1
        assert token.access_token not in sim.simulator.state.tokens
    # a new client picks the persisted token up without logging in
    store.saved.append(await _fresh_token(sim, server))
    async with BragerApiClient(
        info["email"], info["password"], server=server, token_store=store
    ) as api:
        await api.get_user()
        assert api.logins == 0


async def _fresh_token(sim: RunningSimulator, server: BragerServer) -> Token:
    info = sim.info()
    async with BragerApiClient(info["email"], info["password"], server=server) as api:
        return await api.login()


class FileStore:
    """A token kept in a file, as a real setup keeps it: plain blocking file I/O."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Token | None:
        if not self.path.exists():
            return None
        return Token.model_validate_json(self.path.read_text(encoding="utf-8"))

    def save(self, token: Token) -> None:
        self.path.write_text(token.model_dump_json(), encoding="utf-8")

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


async def test_a_file_token_store_never_blocks_the_event_loop(
    sim: RunningSimulator, server: BragerServer, tmp_path: Path
) -> None:
    # This async test runs under the blocking detector: a store called on the loop fails it.
    info = sim.info()
    store = FileStore(tmp_path / "token.json")
    async with BragerApiClient(
        info["email"], info["password"], server=server, token_store=store
    ) as api:
        token = await api.login()
    async with BragerApiClient(
        info["email"], info["password"], server=server, token_store=store
    ) as api:
        assert api.token is None  # read on first use, not in the constructor
        assert (await api.get_user()).id == 7
        assert api.logins == 0  # the file's token was used
        assert api.token == token
        await api.revoke()
    assert not await asyncio.to_thread(store.path.exists)


async def test_broken_token_store_does_not_break_the_client(
    sim: RunningSimulator, server: BragerServer, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def load(self) -> Token | None:
            raise OSError("disk")

        def save(self, token: Token) -> None:
            raise OSError("disk")

        def clear(self) -> None:
            raise OSError("disk")

    class Stale:  # e.g. a store that kept the raw JSON instead of a Token
        def load(self) -> Any:
            return {"access_token": "x"}

        def save(self, token: Token) -> None:
            pass

        def clear(self) -> None:
            pass

    info = sim.info()
    caplog.set_level(logging.WARNING, logger="pybragerone.core.client")
    for store in (Broken(), Stale()):
        async with BragerApiClient(
            info["email"], info["password"], server=server, token_store=store
        ) as api:
            assert (await api.get_user()).id == 7
            assert api.logins == 1
    assert "token store load failed: OSError" in caplog.text
    assert "token store save failed: OSError" in caplog.text
    assert "token store load gave a dict, not a Token; ignored" in caplog.text


async def test_secrets_never_logged(
    sim: RunningSimulator, server: BragerServer, caplog: pytest.LogCaptureFixture
) -> None:
    info = sim.info()
    caplog.set_level(logging.DEBUG)
    async with BragerApiClient(info["email"], info["password"], server=server) as api:
        token = await api.login()
        sim.faults.expire_sessions()
        await api.get_user()
        async with BragerApiClient(info["email"], "secret-wrong-pw", server=server) as bad:
            with pytest.raises(BragerAuthError) as failed:
                await bad.login()
    text = caplog.text + str(failed.value)
    assert info["password"] not in text
    assert "secret-wrong-pw" not in text
    assert token.access_token not in text
    assert api.token is not None
    assert api.token.access_token not in text


async def test_duplicate_entry_on_login_is_retried() -> None:
    """A stub transport: the cloud's transient ER_DUP_ENTRY 500 on login, then success."""
    from aiohttp import web

    calls = 0

    async def login(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return web.json_response({"message": "ER_DUP_ENTRY: Duplicate entry"}, status=500)
        return web.json_response({"accessToken": "t0k", "type": "bearer", "user": {"id": 1}})

    app = web.Application()
    app.router.add_post("/v1/auth/user", login)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        server = BragerServer.from_url(f"http://127.0.0.1:{port}/v1")
        async with BragerApiClient("a@b.c", "pw", server=server) as api:
            token = await api.login()
        assert token.access_token == "t0k"
        assert token.expires_at is None
        assert not token.is_expired()
        assert calls == 3
    finally:
        await runner.cleanup()


async def test_login_answer_without_token_is_auth_error() -> None:
    with pytest.raises(BragerAuthError, match="no access token"):
        Token.from_login({"type": "bearer"})
    with pytest.raises(BragerAuthError, match="malformed"):
        Token.from_login({"accessToken": "x", "expiresAt": "not a date"})


class StubCloud:
    """A stub transport: one session per account, a new login revokes the previous token."""

    def __init__(self, *, user_always_401: bool = False) -> None:
        from aiohttp import web

        self.user_always_401 = user_always_401
        self.logins = 0
        self.expired: set[str] = set()
        self.user_calls = 0
        self.relogged = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_post("/v1/auth/user", self.login)
        self.app.router.add_get("/v1/user", self.user)
        self.app.router.add_get("/v1/objects", self.objects)
        self.runner = web.AppRunner(self.app)

    async def login(self, request: Any) -> Any:
        from aiohttp import web

        self.logins += 1
        if self.logins > 1:
            self.relogged.set()
        return web.json_response({"accessToken": f"tok{self.logins}", "user": {"id": 1}})

    async def user(self, request: Any) -> Any:
        from aiohttp import web

        self.user_calls += 1
        auth = request.headers.get("Authorization")
        if self.user_calls == 2 and auth == "Bearer tok1":
            await self.relogged.wait()  # its 401 arrives after the other request logged in
        valid = auth == f"Bearer tok{self.logins}" and auth not in self.expired
        if self.user_always_401 or not valid:
            return web.json_response({"status": "E_UNAUTHORIZED"}, status=401)
        return web.json_response({"user": {"id": 1}})

    async def objects(self, request: Any) -> Any:
        from aiohttp import web

        if request.headers.get("Authorization") != f"Bearer tok{self.logins}":
            return web.json_response({"status": "E_UNAUTHORIZED"}, status=401)
        return web.json_response({"data": [{"id": 3, "name": "Home"}]})

    async def __aenter__(self) -> BragerServer:
        from aiohttp import web

        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return BragerServer.from_url(f"http://127.0.0.1:{self.runner.addresses[0][1]}/v1")

    async def __aexit__(self, *_: object) -> None:
        await self.runner.cleanup()


async def test_401_after_logging_in_again_is_an_auth_error_not_a_loop() -> None:
    stub = StubCloud(user_always_401=True)
    async with stub as server, BragerApiClient("a@b.c", "pw", server=server) as api:
        with pytest.raises(BragerAuthError, match="still unauthorized after logging in again"):
            await api.get_user()
    assert api.logins == stub.logins == 2  # the first login, then exactly one for the 401
    assert stub.user_calls == 2


async def test_concurrent_401s_share_one_new_login() -> None:
    stub = StubCloud()
    async with stub as server, BragerApiClient("a@b.c", "pw", server=server) as api:
        await api.login()
        stub.expired.add("Bearer tok1")  # the session ended on the server
        users = await asyncio.gather(api.get_user(), api.get_user())
    assert [u.id for u in users] == [1, 1]
    # The request whose 401 came after the other's re-login reuses that token: a second
    # login would revoke it (one session per account) and fail the other request.
    assert api.logins == stub.logins == 2
    assert stub.user_calls == 4


async def test_hostile_json_answer_is_a_typed_error() -> None:
    from aiohttp import web

    async def parameters(request: Any) -> Any:
        return web.Response(text="[" * 100_000, content_type="application/json")

    stub = StubCloud()
    stub.app.router.add_post("/v1/modules/parameters", parameters)
    async with stub as server, BragerApiClient("a@b.c", "pw", server=server) as api:
        with pytest.raises(BragerApiError, match="parameter snapshot is not an object"):
            await api.get_parameters([DEVID])


async def test_token_change_listeners(
    api: BragerApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[Token | None] = []

    def broken(token: Token | None) -> None:
        raise RuntimeError("listener bug")

    api.on_token_change(broken)
    api.on_token_change(seen.append)
    token = await api.login()
    await api.revoke()
    assert seen == [token, None]
    assert caplog.text.count("token listener failed") == 2
    assert token.access_token not in caplog.text


login_values = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)


@settings(max_examples=200)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "accessToken": login_values,
            "type": login_values,
            "expiresAt": login_values,
            "user": login_values | st.dictionaries(st.just("id"), login_values),
        },
    )
)
def test_login_answers_give_a_token_or_an_auth_error(payload: dict[str, Any]) -> None:
    if not payload.get("accessToken"):
        with pytest.raises(BragerAuthError, match="login answer carries no access token"):
            Token.from_login(payload)
        return
    error: str | None = None
    try:
        token = Token.from_login(payload)
    except BragerAuthError as exc:
        error = str(exc)
    else:
        assert token.access_token
        assert token.authorization.startswith("Bearer ")
        token.is_expired()
    assert error is None or error.startswith("login answer is malformed")


async def test_any_408_on_a_command_is_a_command_timeout() -> None:
    from aiohttp import web

    async def command(request: Any) -> Any:  # e.g. a proxy's own timeout page
        return web.Response(status=408, text="<html>Request Timeout</html>")

    async def user(request: Any) -> Any:
        return web.Response(status=408, text="Request Timeout")

    stub = StubCloud()
    stub.app.router.add_post("/v1/module/command", command)
    stub.app.router.add_get("/v1/user/permissions", user)
    async with stub as server, BragerApiClient("a@b.c", "pw", server=server) as api:
        with pytest.raises(BragerCommandTimeoutError, match="did not confirm in time") as info:
            await api.module_command(DEVID, "P6.v1", 50)
        assert (info.value.status, info.value.code) == (408, None)
        with pytest.raises(BragerApiError, match="failed with 408") as other:
            await api.get_user_permissions()  # elsewhere a 408 is an ordinary API error
        assert not isinstance(other.value, BragerCommandTimeoutError)
