"""Error mapping, retries and the cache, against the span simulator's fault injection."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import httpx
import pytest

from shared_testing.simulator import RunningSimulator
from span_panel_api import (
    SpanPanelAPIError,
    SpanPanelAuthError,
    SpanPanelClient,
    SpanPanelConnectionError,
    SpanPanelError,
    SpanPanelRetriableError,
    SpanPanelServerError,
    SpanPanelTimeoutError,
    SpanPanelValidationError,
    const,
)
from span_panel_api.cache import TimeWindowCache
from span_panel_api.exceptions import RETRIABLE_STATUSES, error_for_status
from span_panel_api.simulation import SimulationEngine
from span_panel_api.transport import HttpTransport

STATUS_TABLE = [
    (401, SpanPanelAuthError),
    (403, SpanPanelAuthError),
    (404, SpanPanelAPIError),
    (422, SpanPanelAPIError),
    (500, SpanPanelServerError),
    (502, SpanPanelRetriableError),
    (503, SpanPanelRetriableError),
    (504, SpanPanelRetriableError),
]


@pytest.mark.parametrize(("status", "kind"), STATUS_TABLE)
async def test_each_status_maps_to_its_exception(
    client: SpanPanelClient, span_sim: RunningSimulator, status: int, kind: type[Exception]
) -> None:
    span_sim.faults.fail_next(1, status)
    with pytest.raises(kind, match=f"HTTP {status}") as raised:
        await client.get_panel_state()
    assert type(raised.value) is kind
    assert isinstance(raised.value, SpanPanelAPIError)
    assert raised.value.status_code == status


def test_const_groups_decide_the_exception_kind() -> None:
    # The seed lays out span_panel_api.const with the status constants; the wrapper maps by them.
    assert const.AUTH_ERROR_CODES == (const.HTTP_UNAUTHORIZED, const.HTTP_FORBIDDEN) == (401, 403)
    assert const.RETRIABLE_ERROR_CODES == (502, 503, 504)
    assert const.SERVER_ERROR_CODES == (const.HTTP_INTERNAL_SERVER_ERROR,) == (500,)
    assert (const.HTTP_NOT_FOUND, const.HTTP_TOO_MANY_REQUESTS, const.HTTP_OK) == (404, 429, 200)
    assert set(const.RETRIABLE_ERROR_CODES) == RETRIABLE_STATUSES
    groups = (
        (const.AUTH_ERROR_CODES, SpanPanelAuthError),
        (const.SERVER_ERROR_CODES, SpanPanelServerError),
        (const.RETRIABLE_ERROR_CODES, SpanPanelRetriableError),
        ((const.HTTP_NOT_FOUND, const.HTTP_TOO_MANY_REQUESTS), SpanPanelAPIError),
    )
    for codes, kind in groups:
        for code in codes:
            error = error_for_status(code, "reading the panel")
            assert type(error) is kind, code
            assert error.status_code == code
            assert f"HTTP {code}" in str(error)


@pytest.mark.parametrize(("status", "kind"), STATUS_TABLE)
async def test_only_502_503_504_are_retried(
    client: SpanPanelClient, span_sim: RunningSimulator, status: int, kind: type[Exception]
) -> None:
    client.retries = 2
    client.retry_timeout = 0
    span_sim.faults.fail_next(2, status)
    seen = span_sim.faults.requests_seen
    if status in (502, 503, 504):
        panel = await client.get_panel_state()
        assert len(panel.branches) == 32
        assert span_sim.faults.requests_seen - seen == 3
    else:
        with pytest.raises(kind):
            await client.get_panel_state()
        assert span_sim.faults.requests_seen - seen == 1
        span_sim.faults.reset()


async def test_retries_give_up_after_the_configured_attempts(
    client: SpanPanelClient, span_sim: RunningSimulator
) -> None:
    client.retries = 1
    client.retry_timeout = 0.01
    span_sim.faults.fail_next(3, 503)
    seen = span_sim.faults.requests_seen
    with pytest.raises(SpanPanelRetriableError):
        await client.get_panel_state()
    assert span_sim.faults.requests_seen - seen == 2
    span_sim.faults.reset()


async def test_dropped_connections_are_connection_errors_and_retried(
    client: SpanPanelClient, span_sim: RunningSimulator
) -> None:
    span_sim.faults.drop_next(1)
    with pytest.raises(SpanPanelConnectionError, match="cannot reach the panel"):
        await client.get_storage_soe()
    client.retries = 1
    client.retry_timeout = 0
    span_sim.faults.drop_next(1)
    assert (await client.get_storage_soe()).soe is not None


async def test_timeouts_are_timeout_errors_and_retried(
    span_address: tuple[str, int], span_sim: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="span_panel_api")
    host, port = span_address
    span_sim.faults.set_latency(0.3)
    async with SpanPanelClient(host, port=port, timeout=0.05, retries=1, retry_timeout=0) as c:
        with pytest.raises(SpanPanelTimeoutError, match="did not answer within") as raised:
            await c.get_status()
    span_sim.faults.set_latency(0)
    assert "get_status failed (attempt 1 of 2), retrying" in caplog.text
    assert "attempt 2 of 2" not in caplog.text
    assert raised.value.__cause__ is not None


async def test_unreachable_panel_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    async with SpanPanelClient("127.0.0.1", port=free_port, retries=1, retry_timeout=0) as c:
        with pytest.raises(SpanPanelConnectionError) as raised:
            await c.get_status()
    assert isinstance(raised.value, SpanPanelError)
    assert raised.value.__cause__ is not None


async def test_retry_settings_are_checked_at_runtime(client: SpanPanelClient) -> None:
    client.retries = 3
    client.retry_timeout = 0.25
    client.retry_backoff_multiplier = 3
    assert (client.retries, client.retry_timeout, client.retry_backoff_multiplier) == (3, 0.25, 3)
    with pytest.raises(SpanPanelValidationError, match="retries must be an integer >= 0"):
        client.retries = -1
    with pytest.raises(SpanPanelValidationError, match="retry_timeout must be >= 0"):
        client.retry_timeout = -0.1
    with pytest.raises(SpanPanelValidationError, match="retry_backoff_multiplier must be >= 1"):
        client.retry_backoff_multiplier = 0.5
    with pytest.raises(SpanPanelValidationError, match="finite number"):
        client.retry_timeout = float("nan")


async def test_cache_serves_repeat_calls_without_io(
    span_address: tuple[str, int], span_sim: RunningSimulator, span_token: str
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port, cache_window=60) as c:
        c.set_access_token(span_token)
        for call in (c.get_status, c.get_panel_state, c.get_storage_soe):
            first = await call()
            seen = span_sim.faults.requests_seen
            assert await call() is first
            assert span_sim.faults.requests_seen == seen
        # get_circuits reuses the cached panel state: only /circuits goes out.
        seen = span_sim.faults.requests_seen
        circuits = await c.get_circuits()
        assert span_sim.faults.requests_seen - seen == 1
        assert await c.get_circuits() is circuits


async def test_cache_never_serves_failures(
    span_address: tuple[str, int], span_sim: RunningSimulator, span_token: str
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port, cache_window=60) as c:
        c.set_access_token(span_token)
        span_sim.faults.fail_next(1, 503)
        with pytest.raises(SpanPanelRetriableError):
            await c.get_panel_state()
        seen = span_sim.faults.requests_seen
        panel = await c.get_panel_state()
        assert span_sim.faults.requests_seen - seen == 1  # the failure was not cached
        assert len(panel.branches) == 32

        span_sim.faults.fail_next(1, 502)
        with pytest.raises(SpanPanelRetriableError):
            await c.get_circuits()
        circuits = await c.get_circuits()  # fetched again, not an error from the cache
        assert "refrigerator" in circuits.circuits
        seen = span_sim.faults.requests_seen
        assert await c.get_circuits() is circuits
        assert span_sim.faults.requests_seen == seen


async def test_cache_is_dropped_after_a_write(
    span_address: tuple[str, int], span_token: str
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port, cache_window=60) as c:
        c.set_access_token(span_token)
        before = await c.get_circuits()
        assert before.circuits["washer"].relay_state == "CLOSED"
        await c.set_circuit_relay("washer", "OPEN")
        assert (await c.get_circuits()).circuits["washer"].relay_state == "OPEN"


async def test_cache_window_zero_always_fetches(client: SpanPanelClient, span_sim) -> None:
    await client.get_status()
    seen = span_sim.faults.requests_seen
    await client.get_status()
    assert span_sim.faults.requests_seen == seen + 1


def test_time_window_cache_expires_at_the_window() -> None:
    now = [100.0]
    cache = TimeWindowCache(1.0, clock=lambda: now[0])
    cache.put("k", "v", cache.generation)
    now[0] = 100.999
    assert cache.get("k", str) == "v"
    now[0] = 101.0
    assert cache.get("k", str) is None
    disabled = TimeWindowCache(0.0, clock=lambda: now[0])
    disabled.put("k", "v", disabled.generation)
    assert disabled.get("k", str) is None


def test_time_window_cache_drops_answers_requested_before_an_invalidation() -> None:
    cache = TimeWindowCache(60.0)
    requested_at = cache.generation
    cache.invalidate("other")  # a write finished while the request was in flight
    cache.put("k", "stale", requested_at)
    assert cache.get("k", str) is None
    cache.put("k", "fresh", cache.generation)
    assert cache.get("k", str) == "fresh"


async def test_a_read_in_flight_across_a_write_is_not_cached() -> None:
    engine = SimulationEngine(seed=5)
    circuits_requested = asyncio.Event()
    release_circuits = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            body = json.loads(request.content)
            state = body["relayStateIn"]["relayState"]
            return httpx.Response(200, json=engine.set_circuit("washer", relay_state=state))
        if path.endswith("/panel"):
            return httpx.Response(200, json=engine.panel_state())
        answer = engine.circuits()  # read before the write...
        circuits_requested.set()
        await release_circuits.wait()  # ...answered after it
        return httpx.Response(200, json=answer)

    client = SpanPanelClient("panel.invalid", cache_window=60)
    client._transport = HttpTransport(
        client.base_url, 5.0, client._retry, transport=httpx.MockTransport(handler)
    )
    async with client:
        read = asyncio.ensure_future(client.get_circuits())
        await circuits_requested.wait()
        await client.set_circuit_relay("washer", "OPEN")
        release_circuits.set()
        assert (await read).circuits["washer"].relay_state == "CLOSED"  # what it asked for
        fresh = await client.get_circuits()
    assert fresh.circuits["washer"].relay_state == "OPEN"  # not the stale answer


async def test_tokens_never_reach_logs_or_errors(
    span_address: tuple[str, int], span_sim: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    host, port = span_address
    async with SpanPanelClient(host, port=port, cache_window=0) as c:
        token = (await c.authenticate("secretive", "checks logs")).access_token
        await c.get_circuits()
        span_sim.faults.expire_sessions()
        with pytest.raises(SpanPanelAuthError) as refused:
            await c.get_panel_state()
        c.set_access_token("not-a-valid-token-123")
        with pytest.raises(SpanPanelAuthError) as refused_again:
            await c.get_panel_state()
    assert caplog.records, "expected the client to log something at DEBUG"
    assert token not in caplog.text
    assert "not-a-valid-token-123" not in caplog.text
    assert token not in str(refused.value)
    assert "not-a-valid-token-123" not in str(refused_again.value)
