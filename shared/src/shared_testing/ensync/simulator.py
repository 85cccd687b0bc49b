"""The EnSync node simulator: gRPC and WebSocket servers over one :class:`NodeState`."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import grpc.aio
from aiohttp import web
from nacl import bindings

from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc
from shared_testing.ensync.grpc_service import EnSyncServicer
from shared_testing.ensync.state import App, NodeState
from shared_testing.ensync.ws_server import WebSocketFace
from shared_testing.simulator import Simulator

__all__ = ["EnSyncSimulator", "new_app"]


def new_app() -> App:
    """A fresh app: random access key and Ed25519 identity in EnSync's encodings."""
    public_key, secret_key = bindings.crypto_sign_keypair()
    return App(
        access_key=f"ak-{secrets.token_urlsafe(18)}",
        app_id=base64.b64encode(public_key).decode(),
        secret_key=base64.b64encode(secret_key).decode(),
    )


class EnSyncSimulator(Simulator):
    """A simulated EnSync node.

    ``port`` is the gRPC port and ``ws_port`` the WebSocket port (0: ephemeral, then kept for
    restarts). State (apps, sessions, stored events, queues) survives :meth:`restart`; only
    connections and streams are lost, and their unacknowledged deliveries are queued again.
    Faults apply at the start of every RPC and WebSocket command: an error becomes a gRPC status
    (503 -> UNAVAILABLE, 500 -> INTERNAL, ...) or ``-FAIL``; a drop resets every subscription
    stream (gRPC) or closes the WebSocket.
    """

    system = "ensync"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ws_port: int = 0,
        apps: int = 3,
        ack_timeout: float = 30.0,
        ping_interval: float = 15.0,
    ) -> None:
        super().__init__(host=host, port=port)
        if apps < 1:
            raise ValueError(f"apps must be >= 1, got {apps}")
        self.ws_port = ws_port
        self.state = NodeState([new_app() for _ in range(apps)], ack_timeout=ack_timeout)
        self.ws = WebSocketFace(self.state, self.faults, ping_interval=ping_interval)
        self._server: grpc.aio.Server | None = None
        self._runner: web.AppRunner | None = None
        self.faults.on_expire_sessions(self.state.expire_sessions)

    @property
    def apps(self) -> list[App]:
        """The registered apps."""
        return self.state.apps

    def _host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def grpc_url(self) -> str:
        """``grpc://host:port``."""
        return f"grpc://{self._host()}:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://host:port`` (the endpoint is ``<ws_url>/message``)."""
        return f"ws://{self._host()}:{self.ws_port}"

    def info(self) -> dict[str, Any]:
        """Describe the node: URLs and the registered apps with their keys."""
        return {
            "system": self.system,
            "grpc_url": self.grpc_url,
            "ws_url": self.ws_url,
            "apps": [
                {"access_key": a.access_key, "app_id": a.app_id, "secret_key": a.secret_key}
                for a in self.apps
            ],
        }

    def reset_streams(self) -> int:
        """Reset every subscription stream (gRPC streams fail, WebSockets close)."""
        return self.state.reset_streams()

    async def _start(self) -> None:
        server = grpc.aio.server()
        pb_grpc.add_EnSyncServiceServicer_to_server(
            EnSyncServicer(self.state, self.faults, self.reset_streams), server
        )
        bound = server.add_insecure_port(f"{self._host()}:{self.port}")
        if bound == 0:
            raise OSError(f"could not bind the gRPC port {self.host}:{self.port}")
        await server.start()
        self.port = bound
        self._server = server
        app = web.Application()
        self.ws.routes(app)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.ws_port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            await server.stop(None)
            self._server = None
            raise
        if self.ws_port == 0:
            self.ws_port = int(runner.addresses[0][1])
        self._runner = runner

    async def _stop(self) -> None:
        server, self._server = self._server, None
        runner, self._runner = self._runner, None
        if server is not None:
            await server.stop(None)
        await self.ws.close_all()
        if runner is not None:
            await runner.cleanup()
