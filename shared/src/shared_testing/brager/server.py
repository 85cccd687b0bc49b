"""The Brager One cloud simulator: REST under ``/v1`` plus Socket.IO (namespace ``/ws``).

Every answer and event has the shape the real cloud gives it (see
:mod:`shared_testing.brager.records`): it is judged by running the published ``py-bragerone``
client against it, not only our own.

* REST: login (``/auth/user``: token, the full user and their objects), user, permissions,
  objects, modules, ``/modules/connect``, parameter snapshots, activity and alarms (lists and
  ``activityQuantity``/``alarmsQuantity`` counters), module cards, module commands
  (``/module/command`` with ``{devid, pool, parameter: "v1", value}``, ``/module/command/raw``
  with ``{devid, command, value}``), device menus, and the web app's synthetic assets under
  ``/assets``.
* Socket.IO: the bearer token rides the handshake's ``Authorization`` header; a socket is bound
  to modules by ``POST /modules/connect`` with its namespace SID (or engine SID), and receives
  ``app:modules:parameters:change`` events for them once it emitted
  ``app:modules:parameters:listen``; a write also sends the task events and
  ``app:modules:activity:quantity:change``, and :meth:`BragerSimulator.set_online` sends
  ``app:module:connection:status:changed``.
* Life: temperatures drift and pumps switch every ``drift_interval`` seconds (0 turns it off);
  :meth:`BragerSimulator.emit_burst` emits deterministic changes on demand.
* Faults: the shared middleware covers REST; :meth:`BragerSimulator.drop_sockets` cuts every
  socket; ``faults.expire_sessions()`` invalidates every token; socket messages consume faults
  too (an error or drop fault disconnects that socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime, timezone
from typing import Any

import socketio  # type: ignore[import-untyped]
from aiohttp import web

from shared_testing.brager import assets, records
from shared_testing.brager.state import (
    Account,
    BragerState,
    Changes,
    CommandError,
    Module,
    Token,
)
from shared_testing.http import AiohttpSimulator

__all__ = ["DEFAULT_EMAIL", "DEFAULT_PASSWORD", "BragerSimulator"]

log = logging.getLogger(__name__)

DEFAULT_EMAIL = "demo@example.com"
# A simulator's well-known demo account, printed in its JSON line anyway.
DEFAULT_PASSWORD = "brager-demo-password"
NAMESPACE = "/ws"
PARAMETERS_CHANGE = "app:modules:parameters:change"
ACTIVITY_QUANTITY_CHANGE = "app:modules:activity:quantity:change"
CONNECTION_STATUS_CHANGED = "app:module:connection:status:changed"
_TOKEN_KEY = web.AppKey("token", Token)


def _json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"status": code, "message": message}, status=status)


def _render_cell(cell: str, value: Any, *, now: int) -> Any:
    # Value cells carry the cloud's metadata beside the value; other channels are bare.
    if cell.startswith("v"):
        return {
            "value": value,
            "storable": True,
            "createdAt": now,
            "previousCreatedAt": now,
            "updatedAt": now,
            "updatedAtClient": now,
            "expire": 0,
        }
    return value


def _render(changes: Changes, *, bare_pools: frozenset[str] = frozenset()) -> dict[str, Any]:
    now = int(time.time())
    return {
        devid: {
            pool: {
                cell: (value if pool in bare_pools else _render_cell(cell, value, now=now))
                for cell, value in cells.items()
            }
            for pool, cells in pools.items()
        }
        for devid, pools in changes.items()
    }


class BragerSimulator(AiohttpSimulator):
    """A Brager One cloud on loopback (state on the object survives restarts)."""

    system = "brager"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        email: str = DEFAULT_EMAIL,
        password: str = DEFAULT_PASSWORD,
        token_ttl: float = 3600.0,
        drift_interval: float = 2.0,
        seed: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.state = BragerState(email=email, password=password, token_ttl=token_ttl, seed=seed)
        self.drift_interval = drift_interval
        self.faults.on_expire_sessions(self.state.expire_tokens)
        self.sio: socketio.AsyncServer | None = None
        self.bindings: dict[str, set[str]] = {}  # namespace sid -> bound devids
        self.listening: dict[str, set[str]] = {}  # namespace sid -> {"parameters", "activity"}
        self.connects = 0
        self.events_emitted = 0
        self._drift_task: asyncio.Task[None] | None = None

    def info(self) -> dict[str, Any]:
        """The JSON line: REST base URL and the demo account."""
        return {
            "system": self.system,
            "url": f"{self.base_url}/v1",
            "email": self.state.email,
            "password": self.state.password,
        }

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """A fresh aiohttp app with the REST routes and a Socket.IO server attached."""
        app = web.Application()
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", logger=False)
        sio.attach(app, socketio_path="socket.io")
        sio.on("connect", self._sio_connect, namespace=NAMESPACE)
        sio.on("disconnect", self._sio_disconnect, namespace=NAMESPACE)
        sio.on("app:modules:parameters:listen", self._listen_parameters, namespace=NAMESPACE)
        sio.on("app:modules:activity:quantity:listen", self._listen_activity, namespace=NAMESPACE)
        sio.on("app:modules:alarms:quantity:listen", self._listen_alarms, namespace=NAMESPACE)
        self.sio = sio
        self.bindings.clear()
        self.listening.clear()
        r = app.router
        r.add_get("/v1/system/version", self._version)
        r.add_post("/v1/auth/user", self._login)
        r.add_post("/v1/auth/revoke", self._revoke)
        r.add_get("/v1/user", self._user)
        r.add_get("/v1/user/permissions", self._user_permissions)
        r.add_get("/v1/objects", self._objects)
        r.add_get("/v1/objects/{id}", self._object)
        r.add_get("/v1/objects/{id}/permissions", self._object_permissions)
        r.add_get("/v1/modules", self._modules)
        r.add_post("/v1/modules/connect", self._modules_connect)
        r.add_post("/v1/modules/parameters", self._parameters)
        r.add_post("/v1/modules/activity/quantity", self._activity_quantity)
        r.add_post("/v1/modules/activity", self._activity)
        r.add_post("/v1/modules/alarms", self._alarms)
        r.add_post("/v1/modules/alarms/quantity", self._alarms_quantity)
        r.add_post("/v1/modules/alarms/history", self._alarms)
        r.add_get("/v1/modules/{code}/card", self._card)
        r.add_post("/v1/module/command", self._command)
        r.add_post("/v1/module/command/raw", self._command_raw)
        r.add_get("/v1/manufacturers/{m}/devices/{d}/menu/{fw}", self._device_menu)
        r.add_get("/assets/languages/{lang}/parameters.json", self._asset_parameters)
        r.add_get("/assets/languages/{lang}/units.json", self._asset_units)
        r.add_get("/assets/js/parameters.js", self._asset_js)
        r.add_get("/assets/js/module.menu.js", self._asset_js)
        return app

    async def _start(self) -> None:
        await super()._start()
        if self.drift_interval > 0:
            self._drift_task = asyncio.create_task(self._drift_loop())

    async def _stop(self) -> None:
        task, self._drift_task = self._drift_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.drop_sockets()
        sio, self.sio = self.sio, None
        if sio is not None:
            await sio.shutdown()
        await super()._stop()

    async def _drift_loop(self) -> None:
        while True:
            await asyncio.sleep(self.drift_interval)
            await self.emit_changes(self.state.drift())

    # -- test controls (run on the simulator's loop, e.g. via RunningSimulator.call) ----------

    async def drop_sockets(self) -> int:
        """Disconnect every Socket.IO client; returns how many were cut."""
        sio = self.sio
        if sio is None:
            return 0
        sids = list(self.listening)
        for sid in sids:
            with contextlib.suppress(Exception):
                await sio.disconnect(sid, namespace=NAMESPACE)
        return len(sids)

    async def emit_changes(self, changes: Changes) -> int:
        """Send ``changes`` (already applied to the state) to the sockets bound to them."""
        sio = self.sio
        if sio is None:
            return 0
        sent = 0
        for sid, devids in list(self.bindings.items()):
            if "parameters" not in self.listening.get(sid, ()):
                continue
            mine = {d: pools for d, pools in changes.items() if d in devids}
            if not mine:
                continue
            await sio.emit(
                PARAMETERS_CHANGE,
                _render(mine, bare_pools=frozenset({"P5"})),
                to=sid,
                namespace=NAMESPACE,
            )
            sent += 1
        self.events_emitted += sent
        return sent

    async def emit_burst(self, count: int, devid: str | None = None) -> int:
        """Apply ``count`` deterministic changes, one event each; returns events sent."""
        sent = 0
        for change in self.state.burst_changes(count, devid):
            sent += await self.emit_changes(change)
        return sent

    async def set_parameter(self, devid: str, pool: str, cell: str, value: Any) -> int:
        """Change one cell as the device would, and tell the bound sockets."""
        change: Changes = {devid: {pool: {cell: value}}}
        self.state.apply(change)
        return await self.emit_changes(change)

    async def emit_raw(self, event: str, data: Any, *, devid: str | None = None) -> int:
        """Send an event (malformed payloads, aliases) to every bound socket; returns how many.

        With ``devid`` only the sockets bound to that module get it.
        """
        sio = self.sio
        if sio is None:
            return 0
        sent = 0
        for sid, devids in list(self.bindings.items()):
            if devid is None or devid in devids:
                await sio.emit(event, data, to=sid, namespace=NAMESPACE)
                sent += 1
        return sent

    async def set_online(self, devid: str, online: bool) -> int:
        """Connect or disconnect a module; bound sockets hear of it as the web app does."""
        module = self.state.set_online(devid, online)
        status = {devid: records.connection_status(module)}
        return await self.emit_raw(CONNECTION_STATUS_CHANGED, status, devid=devid)

    # -- Socket.IO ----------------------------------------------------------------------------

    async def _sio_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        scheme, _, value = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
        if scheme.lower() != "bearer" or self.state.check_token(value) is None:
            raise socketio.exceptions.ConnectionRefusedError("invalid or expired token")
        self.connects += 1
        self.listening[sid] = set()

    async def _sio_disconnect(self, sid: str, reason: Any = None) -> None:
        self.bindings.pop(sid, None)
        self.listening.pop(sid, None)

    async def _socket_fault(self, sid: str) -> bool:
        fault = await self.faults.apply()
        if fault is None or self.sio is None:
            return False
        await self.sio.disconnect(sid, namespace=NAMESPACE)
        return True

    async def _listen(self, sid: str, what: str, data: Any) -> dict[str, Any]:
        if await self._socket_fault(sid):
            return {"status": "E_FAULT"}
        if sid in self.listening:
            self.listening[sid].add(what)
        return {"status": "OK"}

    async def _listen_parameters(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._listen(sid, "parameters", data)

    async def _listen_activity(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._listen(sid, "activity", data)

    async def _listen_alarms(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._listen(sid, "alarms", data)

    def _namespace_sid(self, wsid: str) -> str | None:
        if wsid in self.listening:
            return wsid
        sio = self.sio
        if sio is None:
            return None
        try:
            sid = sio.manager.sid_from_eio_sid(wsid, NAMESPACE)
        except Exception:
            return None
        return sid if isinstance(sid, str) and sid in self.listening else None

    # -- REST helpers -------------------------------------------------------------------------

    def _auth(self, request: web.Request) -> Token | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.state.check_token(value)

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def _unauthorized(self) -> web.Response:
        return _json_error(401, "E_UNAUTHORIZED", "missing, unknown or expired token")

    def _devids(self, body: dict[str, Any]) -> list[str] | None:
        raw = body.get("modules", body.get("devids"))
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            return None
        return [d for d in raw if d in self.state.modules]

    # -- REST handlers ------------------------------------------------------------------------

    async def _version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": {"version": records.CLOUD_VERSION, "devMode": False}})

    async def _login(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body is None or not isinstance(body.get("email"), str):
            return _json_error(400, "E_BAD_REQUEST", "body must be {email, password}")
        token = self.state.login(body["email"], str(body.get("password", "")))
        if token is None:
            return _json_error(401, "E_INVALID_CREDENTIALS", "invalid e-mail or password")
        expires = (
            datetime.fromtimestamp(token.expires_at, timezone.utc)
            .isoformat()
            .replace("+00:00", "Z")
        )
        account = self.state.accounts[token.user_id]
        return web.json_response(
            {
                "accessToken": token.value,
                "type": "bearer",
                "expiresAt": expires,
                "user": account.user,
                "objects": account.objects(self.state),
            }
        )

    async def _revoke(self, request: web.Request) -> web.Response:
        _, _, value = request.headers.get("Authorization", "").partition(" ")
        self.state.revoke(value)
        return web.json_response({"status": "OK"})

    def _account(self, request: web.Request) -> Account | None:
        token = self._auth(request)
        return None if token is None else self.state.accounts.get(token.user_id)

    async def _user(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        return web.json_response({"user": account.user})

    async def _user_permissions(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        return web.json_response({"permissions": account.permissions})

    async def _objects(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        return web.json_response({"data": account.objects(self.state)})

    def _find_object(self, account: Account, request: web.Request) -> dict[str, Any] | None:
        try:
            object_id = int(request.match_info["id"])
        except ValueError:
            return None
        return self.state.objects.get(object_id) if object_id in account.object_ids else None

    async def _object(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        obj = self._find_object(account, request)
        if obj is None:
            return _json_error(404, "E_NOT_FOUND", "no such object")
        return web.json_response({"object": obj, "status": "SUCCESS"})

    async def _object_permissions(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        if self._find_object(account, request) is None:
            return _json_error(404, "E_NOT_FOUND", "no such object")
        return web.json_response({"permissions": account.permissions})

    async def _modules(self, request: web.Request) -> web.Response:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        try:
            object_id = int(request.query.get("group_id", ""))
        except ValueError:
            return _json_error(400, "E_BAD_REQUEST", "group_id must be an object id")
        if object_id not in account.object_ids:
            return _json_error(403, "E_FORBIDDEN", "this account has no access to that object")
        modules = [records.module_record(m) for m in self.state.modules_of(object_id)]
        return web.json_response({"data": modules})

    async def _modules_connect(self, request: web.Request) -> web.Response:
        if self._auth(request) is None:
            return self._unauthorized()
        body = await self._body(request)
        devids = None if body is None else self._devids(body)
        wsid = None if body is None else body.get("wsid", body.get("sid"))
        if body is None or devids is None or not isinstance(wsid, str):
            return _json_error(400, "E_BAD_REQUEST", "body must be {wsid, modules}")
        sid = self._namespace_sid(wsid)
        if sid is None:
            return _json_error(404, "E_SOCKET_NOT_FOUND", "no connected socket with that id")
        self.bindings.setdefault(sid, set()).update(devids)
        return web.json_response({"status": "OK", "modules": devids})

    async def _modules_body(
        self, request: web.Request
    ) -> tuple[list[str], dict[str, Any]] | web.Response:
        """The ``modules`` of a POST body and the body, or the error answer to send instead."""
        if self._auth(request) is None:
            return self._unauthorized()
        body = await self._body(request)
        devids = None if body is None else self._devids(body)
        if body is None or devids is None:
            return _json_error(400, "E_BAD_REQUEST", "body must be {modules: [devid, ...]}")
        return devids, body

    async def _parameters(self, request: web.Request) -> web.Response:
        found = await self._modules_body(request)
        if isinstance(found, web.Response):
            return found
        devids, _ = found
        return web.json_response(_render(self.state.parameters_view(devids)))

    def _activity_counts(self, devids: list[str]) -> dict[str, int]:
        return {d: sum(1 for c in self.state.commands if c["module"] == d) for d in devids}

    async def _activity_quantity(self, request: web.Request) -> web.Response:
        found = await self._modules_body(request)
        if isinstance(found, web.Response):
            return found
        devids, _ = found
        return web.json_response({"activityQuantity": self._activity_counts(devids)})

    @staticmethod
    def _page(body: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        page, limit = body.get("page", 1), body.get("limit", 20)
        if not isinstance(page, int) or not isinstance(limit, int) or page < 1 or limit < 1:
            return rows
        return rows[(page - 1) * limit : page * limit]

    async def _activity(self, request: web.Request) -> web.Response:
        found = await self._modules_body(request)
        if isinstance(found, web.Response):
            return found
        devids, body = found
        rows = [
            records.activity_row(c, self.state.accounts[c["user_id"]].user)
            for c in reversed(self.state.commands)  # newest first, as the web app lists them
            if c["module"] in devids
        ]
        return web.json_response({"data": self._page(body, rows)})

    async def _alarms(self, request: web.Request) -> web.Response:
        found = await self._modules_body(request)
        if isinstance(found, web.Response):
            return found
        return web.json_response({"data": []})  # the simulated boilers never fail

    async def _alarms_quantity(self, request: web.Request) -> web.Response:
        found = await self._modules_body(request)
        if isinstance(found, web.Response):
            return found
        devids, _ = found
        return web.json_response({"alarmsQuantity": dict.fromkeys(devids, 0)})

    def _find_module(self, key: str) -> Module | None:
        # The web app addresses a card by devid; the module's code and id work too.
        for module in self.state.modules.values():
            if key in (module.devid, module.code, str(module.id)):
                return module
        return None

    async def _card(self, request: web.Request) -> web.Response:
        if self._auth(request) is None:
            return self._unauthorized()
        module = self._find_module(request.match_info["code"])
        if module is None:
            return _json_error(404, "E_NOT_FOUND", "no such module")
        return web.json_response(records.module_card(module))

    async def _command(self, request: web.Request) -> web.Response:
        token = self._auth(request)
        if token is None:
            return self._unauthorized()
        body = await self._body(request) or {}
        devid, pool, cell = body.get("devid"), body.get("pool"), body.get("parameter")
        if not (isinstance(devid, str) and isinstance(pool, str) and isinstance(cell, str)):
            return _json_error(
                400, "E_BAD_REQUEST", "body must be {devid, pool, parameter: 'v1', value}"
            )
        return await self._write(devid, pool, cell, body.get("value"), token.user_id)

    async def _write(
        self, devid: str, pool: str, cell: str, value: Any, user_id: int
    ) -> web.Response:
        try:
            task_id, change = self.state.write(devid, pool, cell, value, user_id=user_id)
        except CommandError as exc:
            return _json_error(exc.status, exc.code, str(exc))
        if self.sio is not None:
            task = {"id": task_id, "devid": devid, "status": "CREATED"}
            await self.emit_raw("app:module:task:created", task, devid=devid)
            await self.emit_changes(change)
            done = {**task, "status": "COMPLETED"}
            await self.emit_raw("app:module:task:completed", done, devid=devid)
            quantity = {"activityQuantity": self._activity_counts([devid])}
            await self.emit_raw(ACTIVITY_QUANTITY_CHANGE, quantity, devid=devid)
        return web.json_response({"status": "OK", "taskId": task_id})

    async def _command_raw(self, request: web.Request) -> web.Response:
        if self._auth(request) is None:
            return self._unauthorized()
        body = await self._body(request)
        if (
            body is None
            or not isinstance(body.get("devid"), str)
            or not isinstance(body.get("command"), str)
        ):
            return _json_error(400, "E_BAD_REQUEST", "body must be {devid, command[, value]}")
        module = self.state.modules.get(body["devid"])
        if module is None:
            return _json_error(404, "E_MODULE_NOT_FOUND", "unknown module")
        if not module.online:
            return _json_error(408, "E_DISPATCH_EVENT_TIMEOUT", "module did not confirm in time")
        return web.json_response({"status": "OK"})

    async def _device_menu(self, request: web.Request) -> web.Response:
        if self._auth(request) is None:
            return self._unauthorized()
        return web.json_response(
            {"priority": 1, "extends": None, "standalone": True, "deviceMenu": []}
        )

    async def _asset_parameters(self, request: web.Request) -> web.Response:
        return web.Response(text=assets.i18n_parameters(), content_type="application/json")

    async def _asset_units(self, request: web.Request) -> web.Response:
        return web.Response(text=assets.i18n_units(), content_type="application/json")

    async def _asset_js(self, request: web.Request) -> web.Response:
        text = assets.MENU_JS if request.path.endswith("module.menu.js") else assets.PARAMS_JS
        return web.Response(text=text, content_type="application/javascript")
