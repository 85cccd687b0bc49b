"""A trivial HTTP simulator that exercises the harness itself.

It keeps a counter (state that must survive a restart) and hands out session tokens (so that
``expire_sessions`` has something to expire). Routes:

* ``GET /echo?x=...`` -> ``{"query": {...}}``
* ``POST /counter`` -> increments, ``GET /counter`` -> ``{"value": n}``
* ``POST /login`` -> ``{"token": "..."}``; ``GET /whoami`` with ``Authorization: Bearer <token>``
  answers 200, or 401 for a missing, unknown or expired token.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from shared_testing.http import AiohttpSimulator

__all__ = ["EchoSimulator", "create_simulator"]


class EchoSimulator(AiohttpSimulator):
    """The harness's own test server."""

    system = "echo"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.counter = 0
        self.tokens: set[str] = set()
        self.faults.on_expire_sessions(self.tokens.clear)

    def build_app(self) -> web.Application:
        """Routes of the echo server (see the module docstring)."""
        app = web.Application()
        app.router.add_get("/echo", self._echo)
        app.router.add_get("/counter", self._get_counter)
        app.router.add_post("/counter", self._increment)
        app.router.add_post("/login", self._login)
        app.router.add_get("/whoami", self._whoami)
        return app

    def info(self) -> dict[str, Any]:
        """The ``system`` name and base ``url``."""
        return {"system": self.system, "url": self.base_url}

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response({"query": dict(request.query)})

    async def _get_counter(self, request: web.Request) -> web.Response:
        return web.json_response({"value": self.counter})

    async def _increment(self, request: web.Request) -> web.Response:
        self.counter += 1
        return web.json_response({"value": self.counter})

    async def _login(self, request: web.Request) -> web.Response:
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return web.json_response({"token": token})

    async def _whoami(self, request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return web.json_response({"error": "invalid or expired token"}, status=401)
        return web.json_response({"user": "echo"})


def create_simulator(*, host: str = "127.0.0.1", port: int = 0) -> EchoSimulator:
    """Build the echo simulator."""
    return EchoSimulator(host=host, port=port)
