"""HttpTransport alone, over a stubbed httpx transport: answers that break the API contract."""

from __future__ import annotations

import httpx
import pytest

from span_panel_api import SpanPanelAPIError, SpanPanelRetriableError
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
