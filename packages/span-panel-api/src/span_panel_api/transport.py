"""The HTTP side of the client: one httpx pool, the generated API, retries and error mapping.

Every request goes through :meth:`HttpTransport.call`, which runs one generated
``asyncio_detailed`` function, turns error statuses and httpx failures into the package's
exceptions, and retries what :class:`~span_panel_api.retry.RetryPolicy` allows (connection
errors, timeouts, HTTP 502/503/504).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, Self, TypeVar

import httpx

from span_panel_api.exceptions import (
    SpanPanelAPIError,
    SpanPanelConnectionError,
    SpanPanelRetriableError,
    SpanPanelTimeoutError,
    error_for_status,
)
from span_panel_api.generated_client import Client
from span_panel_api.generated_client.errors import UnexpectedStatus
from span_panel_api.generated_client.types import Response
from span_panel_api.model_check import ModelMismatchError, check_model
from span_panel_api.retry import RetryPolicy

__all__ = ["HttpTransport", "Model", "Request"]

_LOGGER = logging.getLogger(__name__)


class Model(Protocol):
    """A generated model: built from the panel's JSON."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build the model from decoded JSON."""
        ...


M = TypeVar("M", bound=Model)

#: One call of a generated ``asyncio_detailed`` function.
Request = Callable[[Client], Awaitable[Response[Any]]]


class _ErrorStatus(Exception):
    """Raised by the response hook for every error status, before any parsing."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


async def _raise_for_error_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        await response.aread()
        raise _ErrorStatus(response.status_code, response.content)


def _detail(body: bytes) -> str:
    """A short, printable excerpt of an error body."""
    return " ".join(body[:200].decode("utf-8", "replace").split())


class HttpTransport:
    """Talks to one panel; the connection pool opens lazily and reopens after :meth:`close`."""

    def __init__(
        self,
        base_url: str,
        timeout: float,
        retry: RetryPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self._transport = transport
        self._timeout = timeout
        self._retry = retry
        self._token: str | None = None
        self._http: httpx.AsyncClient | None = None
        self._api: Client | None = None

    def set_token(self, token: str) -> None:
        """Send ``Authorization: Bearer <token>`` from now on."""
        self._token = token
        if self._http is not None:
            self._http.headers["Authorization"] = f"Bearer {token}"

    async def close(self) -> None:
        """Close the connection pool."""
        http, self._http, self._api = self._http, None, None
        if http is not None:
            await http.aclose()

    def _client(self) -> Client:
        if self._api is None:
            headers = {"Accept": "application/json"}
            if self._token:
                headers["Authorization"] = f"Bearer {self._token}"
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                headers=headers,
                timeout=httpx.Timeout(self._timeout),
                event_hooks={"response": [_raise_for_error_status]},
                transport=self._transport,
            )
            api = Client(base_url=self.base_url, raise_on_unexpected_status=True)
            self._api = api.set_async_httpx_client(self._http)
        return self._api

    async def call(self, operation: str, model: type[M], request: Request) -> M:
        """Run ``request``, retrying as the policy allows; return its parsed ``model``."""
        attempts = self._retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                return await self._attempt(operation, model, request)
            except (SpanPanelConnectionError, SpanPanelTimeoutError, SpanPanelRetriableError):
                if attempt == attempts:
                    raise
                delay = self._retry.delay(attempt)
                _LOGGER.debug(
                    "%s failed (attempt %d of %d), retrying in %.2fs",
                    operation,
                    attempt,
                    attempts,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _attempt(self, operation: str, model: type[M], request: Request) -> M:
        try:
            response = await request(self._client())
        except _ErrorStatus as exc:
            raise error_for_status(exc.status_code, operation, _detail(exc.body)) from None
        except UnexpectedStatus as exc:  # a 1xx-3xx status the API does not document
            raise error_for_status(exc.status_code, operation, _detail(exc.content)) from exc
        except httpx.TimeoutException as exc:
            raise SpanPanelTimeoutError(
                f"{operation}: the panel at {self.base_url} did not answer within "
                f"{self._timeout:g}s; check the panel or raise `timeout`/`retries`"
            ) from exc
        except httpx.TransportError as exc:
            raise SpanPanelConnectionError(
                f"{operation}: cannot reach the panel at {self.base_url} "
                f"({type(exc).__name__}: {exc or 'connection closed'}); check the address "
                "and that the panel is online"
            ) from exc
        except KeyError as exc:
            raise SpanPanelAPIError(
                f"{operation}: the panel's answer does not match the v1 API "
                f"(missing field {exc.args[0]!r})",
                200,
            ) from exc
        except (TypeError, ValueError) as exc:
            raise SpanPanelAPIError(
                f"{operation}: the panel's answer does not match the v1 API ({exc!r})", 200
            ) from exc
        status = int(response.status_code)
        parsed = response.parsed
        if not isinstance(parsed, model):
            raise SpanPanelAPIError(
                f"{operation}: unexpected answer {type(parsed).__name__} (HTTP {status})", status
            )
        try:
            check_model(parsed)
        except ModelMismatchError as exc:
            raise SpanPanelAPIError(
                f"{operation}: the panel's answer does not match the v1 API ({exc})", status
            ) from exc
        return parsed
