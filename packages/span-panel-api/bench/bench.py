"""span-panel-api benchmark: get_circuits() against the span simulator, beside raw httpx.

The client (cache off) fetches /api/v1/circuits and /api/v1/panel (together), parses both
into models and adds the unmapped-tab circuits; the baseline fetches the same two endpoints
the same way with a bare httpx.AsyncClient and json-decodes them. Both talk to the same
in-process simulator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from shared_testing import start_simulator
from shared_testing.bench import Figure, print_figures
from shared_testing.span.fixtures import register_span_client
from span_panel_api import SpanPanelClient

SECONDS = 6.0
ROUNDS = 4


async def rate(call: Callable[[], Awaitable[object]], seconds: float = SECONDS) -> float:
    """Calls per second of ``call`` run back to back for ``seconds``."""
    for _ in range(20):  # warm up connections and code paths
        await call()
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        await call()
        count += 1
    return count / elapsed


async def main() -> None:
    running = start_simulator("span", seed=1)
    try:
        url = running.info()["url"]
        token = register_span_client(url, "bench")
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80

        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as raw:

            async def fetch_json(path: str) -> object:
                return (await raw.get(path)).json()

            async def raw_fetch() -> object:
                # The same access pattern as the client: both requests in flight together.
                return await asyncio.gather(
                    fetch_json("/api/v1/circuits"), fetch_json("/api/v1/panel")
                )

            async with SpanPanelClient(host, port=port, cache_window=0) as client:
                client.set_access_token(token)
                # Interleave two rounds each so drift of the shared machine affects both.
                raw_rates, client_rates = [], []
                for _ in range(ROUNDS):
                    raw_rates.append(await rate(raw_fetch, SECONDS / ROUNDS))
                    client_rates.append(await rate(client.get_circuits, SECONDS / ROUNDS))

            async with SpanPanelClient(host, port=port, cache_window=3600) as cached:
                cached.set_access_token(token)
                await cached.get_circuits()
                loops = 200_000
                start = time.perf_counter()
                for _ in range(loops):
                    await cached.get_circuits()
                cached_us = (time.perf_counter() - start) / loops * 1e6
    finally:
        running.stop()

    client_rate, raw_rate = sum(client_rates) / ROUNDS, sum(raw_rates) / ROUNDS
    print_figures(
        "span-panel-api",
        [
            Figure(
                "get_circuits() calls/s, cache off",
                client_rate,
                "calls/s",
                baseline_name="raw httpx: GET+json /circuits and /panel",
                baseline_value=raw_rate,
                goal=0.7,
            ),
            Figure(
                "get_circuits() served from the cache",
                cached_us,
                "us",
                baseline_name="uncached get_circuits()",
                baseline_value=1e6 / client_rate,
                higher_is_better=False,
            ),
        ],
    )


if __name__ == "__main__":
    asyncio.run(main())
