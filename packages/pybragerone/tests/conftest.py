from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import pybragerone
from pybragerone.core.client import BragerApiClient
from pybragerone.core.server import BragerServer
from shared_testing.blocking import script_command
from shared_testing.simulator import RunningSimulator

DEVID = "FTTCTBSLCE"
OBJECT_ID = 439


def cli_command(*args: str) -> list[str]:
    """``pybragerone-cli ARGS`` in a child process, with blocking calls on its loop caught."""
    return script_command(Path(pybragerone.__file__).parent / "__main__.py", *args)


@pytest.fixture
def sim(simulator: Any) -> RunningSimulator:
    """A quiet simulator (no timed drift): tests drive every change themselves."""
    return simulator("brager", drift_interval=0)


@pytest.fixture
def server(sim: RunningSimulator) -> BragerServer:
    return BragerServer.from_url(sim.info()["url"])


@pytest.fixture
async def api(sim: RunningSimulator, server: BragerServer) -> AsyncIterator[BragerApiClient]:
    info = sim.info()
    async with BragerApiClient(info["email"], info["password"], server=server) as client:
        yield client


async def on_sim(running: RunningSimulator, fn: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``fn`` on the simulator's loop without blocking the test's loop."""
    return await running.acall(fn)


async def server_view(running: RunningSimulator, devids: list[str]) -> dict[str, Any]:
    async def view() -> dict[str, Any]:
        return running.simulator.state.parameters_view(devids)

    return await on_sim(running, view)
