"""Fault control over HTTP, for simulators run standalone (``python -m shared_testing serve``).

In-process tests arm faults on ``simulator.faults`` directly; a simulator started from a shell has
no such handle, so ``serve`` also starts this small JSON API on its own loopback port and names it
in the JSON line as ``control``:

* ``GET  /faults`` -> the current latency, armed faults and request counters;
* ``POST /faults`` with one or more of ``{"latency": 0.5}``, ``{"fail_next": 3, "status": 502}``,
  ``{"drop_next": 1}``, ``{"expire_sessions": true}``, ``{"restart": true}``, ``{"reset": true}``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from shared_testing.simulator import Simulator

__all__ = ["ControlServer"]


class ControlServer:
    """The fault-control API of one simulator, served on the simulator's own event loop."""

    def __init__(self, simulator: Simulator, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL of the control API."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Start serving the control API."""
        app = web.Application()
        app.router.add_get("/faults", self._status)
        app.router.add_post("/faults", self._arm)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self.port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving the control API."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _state(self) -> dict[str, Any]:
        faults = self.simulator.faults
        return {
            "latency": faults.latency,
            "pending": faults.pending,
            "requests_seen": faults.requests_seen,
            "faults_applied": faults.faults_applied,
        }

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response(self._state())

    async def _arm(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        faults = self.simulator.faults
        try:
            if body.get("reset"):
                faults.reset()
            if "latency" in body:
                faults.set_latency(float(body["latency"]))
            if "fail_next" in body:
                faults.fail_next(int(body["fail_next"]), int(body.get("status", 503)))
            if "drop_next" in body:
                faults.drop_next(int(body["drop_next"]))
            if body.get("expire_sessions"):
                faults.expire_sessions()
            if body.get("restart"):
                await self.simulator.restart()
        except (TypeError, ValueError, RuntimeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self._state())
