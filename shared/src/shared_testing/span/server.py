"""The span simulator: the panel's v1 REST API over real HTTP, backed by the simulation engine.

Every route of ``openapi/span-panel-api.yaml`` is served. Registration and the status page are
open; everything else needs ``Authorization: Bearer <token>`` from registration (401 without).
Bodies are validated (422 with ``{"detail": [{"loc", "msg", "type"}]}``) and the shared
fault injection applies to every request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from shared_testing.http import AiohttpSimulator, Handler
from shared_testing.span.validation import (
    AUTH_IN,
    BATTERY_STORAGE,
    CIRCUIT_STATE_IN,
    NICE_TO_HAVE_THRESHOLD,
    RELAY_STATE_IN,
    WIFI_CONNECT_IN,
    Checker,
    validate,
)
from span_panel_api.simulation import SimulationConfig, SimulationEngine, SimulationNotFoundError

__all__ = ["SpanSimulator"]

_LOGGER = logging.getLogger(__name__)
_PREFIX = "/api/v1"
_PUBLIC = frozenset({f"{_PREFIX}/auth/register", f"{_PREFIX}/status"})
# The only query parameter of the API; the simulator refuses others so that clients which
# send parameters the panel does not know are caught in tests.
_QUERY_PARAMETERS = {f"{_PREFIX}/spaces": frozenset({"spaces_id"})}

Json = dict[str, Any]


class _Invalid(Exception):
    def __init__(self, errors: list[Json]) -> None:
        super().__init__("invalid request")
        self.errors = errors


class SpanSimulator(AiohttpSimulator):
    """A SPAN panel on loopback; ``engine`` holds its state (kept across restarts)."""

    system = "span"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: SimulationConfig | str | Path | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(host=host, port=port)
        self.engine = SimulationEngine(config, seed=seed)
        self.faults.on_expire_sessions(self.engine.expire_tokens)

    def info(self) -> dict[str, Any]:
        """``{"system": "span", "url": ..., "serial": ...}``."""
        return {
            "system": self.system,
            "url": self.base_url,
            "serial": self.engine.config.panel_config.serial_number,
        }

    def build_app(self) -> web.Application:
        """Every route of the v1 API, behind JSON errors and bearer authorization."""
        app = web.Application(middlewares=[_json_errors, self._authorize])
        get, post = app.router.add_get, app.router.add_post
        e = self.engine
        post(f"{_PREFIX}/auth/register", self._register)
        get(f"{_PREFIX}/auth/clients", _reading(e.clients))
        get(f"{_PREFIX}/auth/clients/{{name}}", self._client)
        app.router.add_delete(f"{_PREFIX}/auth/clients/{{name}}", self._delete_client)
        get(f"{_PREFIX}/status", _reading(e.status))
        get(f"{_PREFIX}/wifi/scan", _reading(e.wifi_scan))
        post(f"{_PREFIX}/wifi/connect", self._wifi_connect)
        get(f"{_PREFIX}/panel", _reading(e.panel_state))
        get(f"{_PREFIX}/islanding-state", _reading(e.islanding_state))
        get(f"{_PREFIX}/panel/grid", _reading(e.main_relay))
        post(f"{_PREFIX}/panel/grid", self._set_grid)
        get(f"{_PREFIX}/panel/power", _reading(e.panel_power))
        get(f"{_PREFIX}/panel/meter", _reading(e.panel_meter))
        post(f"{_PREFIX}/panel/emergency-reconnect", _reading(dict))
        get(f"{_PREFIX}/circuits", _reading(e.circuits))
        get(f"{_PREFIX}/circuits/{{circuitId}}", self._circuit)
        post(f"{_PREFIX}/circuits/{{circuitId}}", self._set_circuit)
        get(f"{_PREFIX}/spaces", _reading(dict))
        get(f"{_PREFIX}/spaces/{{spaces_id}}", _reading(dict))
        post(f"{_PREFIX}/spaces/{{spaces_id}}", _reading(dict))
        get(f"{_PREFIX}/storage/soe", _reading(e.storage_soe))
        post(f"{_PREFIX}/storage/soe", self._set_soe)
        get(f"{_PREFIX}/storage/nice-to-have-thresh", _reading(e.nice_to_have_threshold))
        post(f"{_PREFIX}/storage/nice-to-have-thresh", self._set_thresholds)
        return app

    # -- middleware ---------------------------------------------------------------------------

    @web.middleware
    async def _authorize(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in _PUBLIC or request.match_info.http_exception is not None:
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _unauthorized("Not authenticated: send Authorization: Bearer <accessToken>")
        if not self.engine.token_is_valid(token.strip()):
            return _unauthorized("Invalid or revoked access token; register again")
        return await handler(request)

    # -- handlers with bodies or path parameters ----------------------------------------------

    def set_pairing_mode(self, enabled: bool) -> None:
        """Accept (``True``, the default) or refuse client registration."""
        self.engine.proximity_proven = enabled

    async def _register(self, request: web.Request) -> web.Response:
        body = await _body(request, AUTH_IN)
        if not self.engine.proximity_proven:
            return _unauthorized(
                "The panel is not in pairing mode: open and close its door three times, "
                "then register within 15 minutes"
            )
        _LOGGER.debug("registering client %r", body["name"])
        return web.json_response(
            self.engine.register_client(body["name"], body.get("description", ""))
        )

    async def _client(self, request: web.Request) -> web.Response:
        return _found(lambda: self.engine.client(request.match_info["name"]))

    async def _delete_client(self, request: web.Request) -> web.Response:
        return _found(lambda: self.engine.delete_client(request.match_info["name"]))

    async def _wifi_connect(self, request: web.Request) -> web.Response:
        body = await _body(request, WIFI_CONNECT_IN)
        return web.json_response(self.engine.wifi_connect(body["ssid"], body["psk"]))

    async def _set_grid(self, request: web.Request) -> web.Response:
        body = await _body(request, RELAY_STATE_IN)
        return web.json_response(self.engine.set_main_relay(body["relayState"]))

    async def _circuit(self, request: web.Request) -> web.Response:
        return _found(lambda: self.engine.circuit(request.match_info["circuitId"]))

    async def _set_circuit(self, request: web.Request) -> web.Response:
        circuit_id = request.match_info["circuitId"]
        body = await _body(request, CIRCUIT_STATE_IN)

        def value(key: str, member: str) -> Any:
            part = body.get(key)
            return part.get(member) if isinstance(part, dict) else None

        return _found(
            lambda: self.engine.set_circuit(
                circuit_id,
                relay_state=value("relayStateIn", "relayState"),
                priority=value("priorityIn", "priority"),
                name=value("circuitNameIn", "name"),
                user_controllable=value("userControllableIn", "value"),
                sheddable=value("sheddableIn", "value"),
                never_backup=value("neverBackupIn", "value"),
            )
        )

    async def _set_soe(self, request: web.Request) -> web.Response:
        body = await _body(request, BATTERY_STORAGE)
        percentage = body["soe"].get("percentage")
        if percentage is None:
            return web.json_response(self.engine.storage_soe())
        return web.json_response(self.engine.set_storage_soe(percentage))

    async def _set_thresholds(self, request: web.Request) -> web.Response:
        body = await _body(request, NICE_TO_HAVE_THRESHOLD)
        low = body.get("nice_to_have_threshold_low_soe", {}).get("percentage")
        high = body.get("nice_to_have_threshold_high_soe", {}).get("percentage")
        return web.json_response(self.engine.set_nice_to_have_threshold(low, high))


def _reading(produce: Callable[[], Json]) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(produce())

    return handler


def _found(produce: Callable[[], Json]) -> web.Response:
    try:
        return web.json_response(produce())
    except SimulationNotFoundError as exc:
        return web.json_response({"detail": str(exc)}, status=404)


def _unauthorized(detail: str) -> web.Response:
    return web.json_response({"detail": detail}, status=401, headers={"WWW-Authenticate": "Bearer"})


async def _body(request: web.Request, checker: Checker) -> Json:
    raw = await request.read()
    if not raw.strip():
        raise _Invalid([{"loc": ["body"], "msg": "field required", "type": "value_error.missing"}])
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Invalid(
            [{"loc": ["body"], "msg": f"invalid JSON: {exc}", "type": "value_error.jsondecode"}]
        ) from None
    errors = validate(checker, data)
    if errors:
        raise _Invalid(errors)
    result: Json = data
    return result


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error in JSON, as the panel's framework does (404, 405, 422)."""
    try:
        allowed = _QUERY_PARAMETERS.get(request.path, frozenset())
        unknown = sorted(set(request.query) - allowed)
        if unknown and request.match_info.http_exception is None:
            raise _Invalid(
                [
                    {"loc": ["query", name], "msg": "unknown query parameter", "type": "extra"}
                    for name in unknown
                ]
            )
        return await handler(request)
    except _Invalid as exc:
        return web.json_response({"detail": exc.errors}, status=422)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
        return web.json_response({"detail": exc.reason}, status=exc.status, headers=headers)
