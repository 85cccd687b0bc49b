"""Serving a simulator over HTTP with aiohttp, with the shared faults applied to every request."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from shared_testing.faults import FaultInjector, FaultKind
from shared_testing.simulator import Simulator

__all__ = ["AiohttpSimulator", "DroppedConnection", "fault_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DroppedConnection(Exception):
    """Raised inside a handler after its connection was cut on purpose."""


def fault_middleware(faults: FaultInjector) -> Middleware:
    """Build an aiohttp middleware that applies ``faults`` before the handler runs.

    An error fault answers with its status and a JSON body; a drop fault closes the TCP
    connection without writing a byte, as a crashed or unplugged server would.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = await faults.apply()
        if fault is None:
            return await handler(request)
        if fault.kind is FaultKind.ERROR:
            status = fault.status or 503
            return web.json_response({"error": "injected fault", "status": status}, status=status)
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise DroppedConnection("connection dropped by fault injection")

    return middleware


class AiohttpSimulator(Simulator, abc.ABC):
    """A simulator whose server is an aiohttp application.

    Subclasses build the application in :meth:`build_app` (called at every start, so a restart
    gets a fresh application over the state the simulator object keeps).
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._runner: web.AppRunner | None = None

    @abc.abstractmethod
    def build_app(self) -> web.Application:
        """Build the application; :func:`fault_middleware` is added in front of it."""

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def _start(self) -> None:
        app = self.build_app()
        app.middlewares.insert(0, fault_middleware(self.faults))
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        if self.port == 0:
            self.port = int(runner.addresses[0][1])
        self._runner = runner

    async def _stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
