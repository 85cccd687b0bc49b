"""HttpTransport alone, over a stubbed httpx transport: answers that break the API contract."""

from __future__ import annotations

import itertools

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from span_panel_api import SpanPanelAPIError, SpanPanelClient, SpanPanelRetriableError
from span_panel_api.generated_client.api.status import get_status
from span_panel_api.generated_client.models import StatusOut
from span_panel_api.retry import RetryPolicy
from span_panel_api.transport import HttpTransport


def transport_answering(*responses: httpx.Response) -> tuple[HttpTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    answers = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    stub = httpx.MockTransport(handler)
    return HttpTransport("http://panel", 5.0, RetryPolicy(2, 0, 1), transport=stub), seen


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>not json</html>"),
        httpx.Response(200, json={"software": {}}),
        httpx.Response(200, json=[1, 2, 3]),
    ],
)
async def test_malformed_answers_are_api_errors(response: httpx.Response) -> None:
    transport, _ = transport_answering(response)
    with pytest.raises(SpanPanelAPIError, match="does not match the v1 API"):
        await transport.call(
            "get_status", StatusOut, lambda c: get_status.asyncio_detailed(client=c)
        )
    await transport.close()


async def test_undocumented_success_status_is_an_api_error() -> None:
    transport, _ = transport_answering(httpx.Response(204))
    with pytest.raises(SpanPanelAPIError, match="HTTP 204") as raised:
        await transport.call(
            "get_status", StatusOut, lambda c: get_status.asyncio_detailed(client=c)
        )
    assert raised.value.status_code == 204
    await transport.close()


async def test_error_bodies_need_not_be_json_and_bearer_header_is_sent() -> None:
    transport, seen = transport_answering(
        httpx.Response(503, content=b"<html>busy</html>"),
        httpx.Response(502, content=b""),
        httpx.Response(504, text="gateway"),
    )
    transport.set_token("tok")
    with pytest.raises(
        SpanPanelRetriableError, match=r"HTTP 504 \(panel busy or unavailable\): gateway"
    ):
        await transport.call(
            "get_status", StatusOut, lambda c: get_status.asyncio_detailed(client=c)
        )
    assert len(seen) == 3
    assert all(r.headers["Authorization"] == "Bearer tok" for r in seen)
    await transport.close()


async def test_backoff_delays_follow_the_runtime_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr("span_panel_api.transport.asyncio.sleep", fake_sleep)
    answers: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answers.append(503)
        return httpx.Response(503, text="busy")

    client = SpanPanelClient("panel.invalid", cache_window=0)
    client._transport = HttpTransport(
        client.base_url, 5.0, client._retry, transport=httpx.MockTransport(handler)
    )
    async with client:
        client.retries = 3
        client.retry_timeout = 0.5
        client.retry_backoff_multiplier = 3.0
        with pytest.raises(SpanPanelRetriableError):
            await client.get_status()
        assert waits == [0.5, 1.5, 4.5]
        assert len(answers) == 4

        waits.clear()
        answers.clear()
        client.retries = 0  # takes effect on the next call
        with pytest.raises(SpanPanelRetriableError):
            await client.get_status()
        assert waits == []
        assert len(answers) == 1


@settings(max_examples=50, deadline=None)
@given(
    retries=st.integers(0, 6),
    base=st.floats(0, 10, allow_nan=False),
    multiplier=st.floats(1, 5, allow_nan=False),
)
def test_retry_policy_delays_grow_geometrically(
    retries: int, base: float, multiplier: float
) -> None:
    policy = RetryPolicy(retries, base, multiplier)
    assert policy.attempts == retries + 1
    delays = [policy.delay(n) for n in range(1, retries + 1)]
    if delays:
        assert delays[0] == pytest.approx(base)
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    for n, delay in enumerate(delays, start=1):
        assert delay == pytest.approx(base * multiplier ** (n - 1))
