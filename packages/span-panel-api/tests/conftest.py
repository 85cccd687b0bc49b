from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared_testing.simulator import RunningSimulator
from shared_testing.span import fixtures as span_fixtures
from span_panel_api import SpanPanelClient

PACKAGE = Path(__file__).resolve().parents[1]

span_token = span_fixtures.span_token


@pytest.fixture
def span_address(span_sim: RunningSimulator) -> tuple[str, int]:
    """(host, port) of the span simulator."""
    parts = urlsplit(span_sim.info()["url"])
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


@pytest.fixture
async def client(span_address: tuple[str, int], span_token: str) -> AsyncIterator[SpanPanelClient]:
    """An authenticated client of the span simulator, cache off, no retries."""
    host, port = span_address
    async with SpanPanelClient(host, port=port, cache_window=0, timeout=5) as c:
        c.set_access_token(span_token)
        yield c
