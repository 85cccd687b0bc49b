"""Extra pytest fixtures for the span simulator (plain fixtures; import them in a conftest)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from shared_testing.simulator import RunningSimulator

__all__ = ["register_span_client", "span_token"]


def register_span_client(url: str, name: str = "pytest", description: str = "tests") -> str:
    """Register a client with the span simulator at ``url`` and return its access token."""
    request = urllib.request.Request(
        f"{url}/api/v1/auth/register",
        data=json.dumps({"name": name, "description": description}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        token: str = json.loads(reply.read())["accessToken"]
    return token


@pytest.fixture
def span_token(span_sim: RunningSimulator) -> str:
    """A valid bearer token of the ``span_sim`` simulator."""
    return register_span_client(span_sim.info()["url"])
