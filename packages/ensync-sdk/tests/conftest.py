"""Fixtures of the ensync-sdk tests: a simulated node and engines of both transports."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ensync_sdk import EnSyncClient, EnSyncEngine, EnSyncEvent, EnSyncWebSocketEngine
from shared_testing import RunningSimulator
from shared_testing.ensync import StoredEvent
from shared_testing.waiting import eventually as shared_eventually

FAST = {
    "enableLogging": True,
    "reconnect_interval": 20,
    "max_reconnect_attempts": 10,
    "request_timeout": 5000,
}


@pytest.fixture
def node(simulator: Callable[..., RunningSimulator]) -> RunningSimulator:
    """An EnSync node whose unacknowledged deliveries come back after 0.4 s."""
    return simulator("ensync", ack_timeout=0.4, ping_interval=0.2)


@pytest.fixture
def apps(node: RunningSimulator) -> list[dict[str, str]]:
    return list(node.info()["apps"])


@pytest.fixture
def stored(node: RunningSimulator) -> Callable[[str], StoredEvent]:
    """``stored(idem)``: the node's record of the event ``idem`` (status, deliveries...)."""

    def lookup(idem: str) -> StoredEvent:
        event: StoredEvent = node.simulator.state.events[idem]  # type: ignore[attr-defined]
        return event

    return lookup


@pytest.fixture(params=["grpc", "websocket"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_engine(node: RunningSimulator, transport: str, **options: Any) -> Any:
    info = node.info()
    if transport == "grpc":
        return EnSyncEngine(info["grpc_url"], {**FAST, **options})
    return EnSyncWebSocketEngine(info["ws_url"], {**FAST, **options})


@pytest.fixture
def engine(node: RunningSimulator, transport: str) -> Any:
    return make_engine(node, transport)


@pytest.fixture
async def connect(engine: Any) -> Any:
    """``await connect(app)``: a client of ``app`` on the test's engine, closed at teardown."""

    async def factory(app: dict[str, str], eng: Any = None) -> EnSyncClient:
        client: EnSyncClient = await (eng or engine).create_client(
            app["access_key"], {"app_secret_key": app["secret_key"]}
        )
        return client

    yield factory
    await engine.close()


class Inbox:
    """Collects handled events; ``wait(n)`` until ``n`` arrived."""

    def __init__(self) -> None:
        self.events: list[EnSyncEvent] = []
        self.errors: list[tuple[Exception, Any]] = []
        self._changed = asyncio.Event()

    def handler(self, event: EnSyncEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def on_error(self, error: Exception, info: Any) -> None:
        self.errors.append((error, info))
        self._changed.set()

    async def wait(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
def inbox() -> type[Inbox]:
    return Inbox


@pytest.fixture
def on_node(node: RunningSimulator) -> Callable[[Callable[[], Any]], Awaitable[Any]]:
    """``await on_node(fn)`` runs ``fn()`` on the simulator's loop (safe state access)."""

    async def on_node(fn: Callable[[], Any]) -> Any:
        async def run() -> Any:
            return fn()

        return await node.acall(run)

    return on_node


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    return shared_eventually
