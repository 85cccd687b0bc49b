from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ace_skyspark_lib import SkysparkClient
from shared_testing import RunningSimulator


def make_client(info: dict[str, Any], **options: Any) -> SkysparkClient:
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", 10.0)
    return SkysparkClient(
        info["url"], info["project"], info["username"], info["password"], **options
    )


@pytest.fixture
def client_factory() -> Callable[..., SkysparkClient]:
    """Build (not connect) a client from a simulator info dict, with fast retries."""
    return make_client


@pytest.fixture
async def client(skyspark_sim: RunningSimulator) -> AsyncIterator[SkysparkClient]:
    async with make_client(skyspark_sim.info()) as connected:
        yield connected
