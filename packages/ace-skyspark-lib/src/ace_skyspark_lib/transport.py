"""HTTP transport: one pooled httpx client, bearer tokens, re-authentication and retries.

The transport knows ops, Zinc bodies and HTTP; it knows nothing of sites or points.

Retry policy (tenacity, exponential backoff with jitter): connection failures, timeouts and
HTTP 502/503/504 are retried, never a 4xx. Ops whose effect is unknown after a broken
connection (``commit``, ``eval``) are retried only when the request surely never reached the
server (connect errors, 503); ``read``, ``hisRead`` and ``hisWrite`` (which replaces the value
at the same timestamp) are safe to repeat and are retried on every transient failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from ace_skyspark_lib import zinc
from ace_skyspark_lib._logging import get_logger, install_transport_log_filter
from ace_skyspark_lib.auth import scram_login
from ace_skyspark_lib.exceptions import (
    AuthenticationError,
    InvalidInputError,
    ServerError,
    SkysparkConnectionError,
    SkysparkTimeoutError,
    ZincParseError,
)
from ace_skyspark_lib.kinds import Grid
from ace_skyspark_lib.timezones import load_zones, zones_loaded

__all__ = ["IDEMPOTENT_OPS", "Transport"]

_log = get_logger()
RETRY_STATUSES = frozenset({502, 503, 504})
IDEMPOTENT_OPS = frozenset({"about", "ops", "formats", "read", "nav", "hisRead", "hisWrite"})
_ZINC = "text/zinc; charset=utf-8"


class _RetryableStatus(Exception):
    """Internal: the server answered 502/503/504."""

    def __init__(self, status: int, op: str) -> None:
        super().__init__(f"HTTP {status} from op {op!r}")
        self.status = status


def _surely_unsent(exc: BaseException) -> bool:
    if isinstance(exc, _RetryableStatus):
        return exc.status == 503
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in RETRY_STATUSES
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, _RetryableStatus | httpx.TransportError):
        return True
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in RETRY_STATUSES


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_config(
    base_url: object,
    project: object,
    username: object,
    password: object,
    timeout: object,
    backoff: object,
) -> None:
    """Refuse settings that could never work, before any connection is tried."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"base_url must be an http(s) URL ending in /api, e.g. 'http://host:8080/api'; "
            f"got {base_url!r}"
        )
    if not isinstance(project, str) or not project or "/" in project:
        raise InvalidInputError(f"project must be a project name such as 'demo', got {project!r}")
    if not isinstance(username, str) or not username:
        raise InvalidInputError("username must be a non-empty str")
    if not isinstance(password, str):
        raise InvalidInputError(f"password must be a str, got {type(password).__name__}")
    if not _is_number(timeout) or not timeout > 0:  # type: ignore[operator]
        raise InvalidInputError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if not _is_number(backoff) or not backoff >= 0:  # type: ignore[operator]
        raise InvalidInputError(f"backoff must be a number of seconds >= 0, got {backoff!r}")


class Transport:
    """Sends Haystack ops to ``{base_url}/{project}/{op}`` and returns the parsed grid."""

    def __init__(
        self,
        base_url: str,
        project: str,
        username: str,
        password: str,
        *,
        timeout: float,
        max_retries: int,
        pool_size: int,
        backoff: float,
    ) -> None:
        _check_config(base_url, project, username, password, timeout, backoff)
        if not _is_int(max_retries) or max_retries < 0:
            raise InvalidInputError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if not _is_int(pool_size) or pool_size < 1:
            raise InvalidInputError(f"pool_size must be an int >= 1, got {pool_size!r}")
        install_transport_log_filter()
        self.project_url = f"{base_url.rstrip('/')}/{project}/"
        self.username = username
        self._password = password
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff
        self._token: str | None = None
        self._closed = False
        self._generation = 0
        self._auth_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            base_url=self.project_url,
            timeout=timeout,
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            headers={"Accept": "text/zinc"},
        )

    def __repr__(self) -> str:
        return f"Transport({self.project_url!r}, user={self.username!r})"

    @property
    def authenticated(self) -> bool:
        """Whether a bearer token is cached."""
        return self._token is not None

    def _retrying(self, retry_on: Any) -> AsyncRetrying:
        def log_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            _log.warning(
                "retrying",
                attempt=state.attempt_number,
                error=type(exc).__name__,
                detail=str(exc)[:200],
            )

        return AsyncRetrying(
            stop=stop_after_attempt(self._max_retries + 1),
            wait=wait_exponential(multiplier=self._backoff, max=self._backoff * 16)
            + wait_random(0, self._backoff / 2),
            retry=retry_if_exception(retry_on),
            before_sleep=log_retry,
            reraise=True,
        )

    async def login(self) -> None:
        """Authenticate (with the retry policy for transient failures) and cache the token."""
        if self._closed:
            raise SkysparkConnectionError("the client is closed; open a new one to log in again")
        if not zones_loaded():
            # Reading the zone files on the loop would block it; answers decode datetimes.
            await asyncio.to_thread(load_zones)
        async with self._auth_lock:
            await self._login_locked()

    async def _login_locked(self) -> None:
        try:
            async for attempt in self._retrying(_transient):
                with attempt:
                    token = await scram_login(
                        self.project_url + "about",
                        self.username,
                        self._password,
                        http_timeout=self._timeout,
                    )
        except httpx.HTTPStatusError as exc:
            raise ServerError(
                f"login failed: HTTP {exc.response.status_code} after "
                f"{self._max_retries + 1} attempts; the server is unavailable, try later",
                status=exc.response.status_code,
            ) from None
        except httpx.TransportError as exc:
            raise self._connection_error("login", exc) from exc
        self._token = token
        self._generation += 1

    async def _reauthenticate(self, failed_generation: int) -> None:
        async with self._auth_lock:
            if self._generation != failed_generation and self._token is not None:
                return  # another request already logged in again
            _log.info("token rejected, authenticating again", user=self.username)
            await self._login_locked()

    def _tries(self, op: str, exc: BaseException) -> str:
        retried = op in IDEMPOTENT_OPS or op == "login" or _surely_unsent(exc)
        return f"after {self._max_retries + 1} attempts" if retried else "(not repeated)"

    def _connection_error(self, op: str, exc: BaseException) -> SkysparkConnectionError:
        tries = self._tries(op, exc)
        unknown = ""
        if op not in IDEMPOTENT_OPS and op != "login" and not _surely_unsent(exc):
            # The request may have been applied: repeating a commit blindly could apply it twice.
            unknown = (
                "; the request was sent, so the server may have applied it: check before "
                "repeating (find_or_create_* are safe to repeat)"
            )
        if isinstance(exc, httpx.TimeoutException):
            return SkysparkTimeoutError(
                f"op {op!r} timed out after {self._timeout:g}s ({type(exc).__name__}) at "
                f"{self.project_url} {tries}; raise timeout= or check the server{unknown}"
            )
        return SkysparkConnectionError(
            f"op {op!r} failed at {self.project_url}: {type(exc).__name__} "
            f"({exc or 'connection lost'}) {tries}{unknown}"
        )

    async def call(
        self,
        op: str,
        grid: Grid | None = None,
        *,
        params: dict[str, str] | None = None,
        body: str | None = None,
    ) -> Grid:
        """Send ``op`` (POST with a Zinc grid, or GET with ``params``) and return the answer.

        ``body`` is a grid already written as Zinc, sent instead of ``grid``. Error grids raise
        :class:`ServerError`; transient failures are retried per the policy in the module
        docstring.
        """
        if grid is not None:
            body = zinc.dumps(grid)
        retry_on = _transient if op in IDEMPOTENT_OPS else _surely_unsent
        try:
            async for attempt in self._retrying(retry_on):
                with attempt:
                    text = await self._send(op, body, params)
        except _RetryableStatus as exc:
            raise ServerError(
                f"op {op!r}: HTTP {exc.status} {self._tries(op, exc)}; the server or a proxy "
                "in front of it is overloaded or down, try later",
                status=exc.status,
            ) from None
        except httpx.TransportError as exc:
            raise self._connection_error(op, exc) from exc
        try:
            result = zinc.loads(text)
        except ZincParseError as exc:
            raise ZincParseError(
                f"op {op!r}: the server's answer is not valid Zinc ({exc.reason}); is the URL "
                "a SkySpark /api base?",
                line=exc.line,
                column=exc.column,
            ) from exc
        if result.is_error:
            meta = result.meta
            dis = str(meta.get("dis", "unknown error"))
            raise ServerError(
                f"op {op!r} failed on the server: {dis}",
                dis=dis,
                err_trace=meta.get("errTrace"),
                err_type=meta.get("errType"),
                status=200,
            )
        return result

    async def _send(self, op: str, body: str | None, params: dict[str, str] | None) -> str:
        if self._closed:
            raise SkysparkConnectionError(
                f"op {op!r}: the client is closed; open a new one (async with SkysparkClient(...))"
            )
        if self._token is None:
            await self.login()
        for again in (False, True):
            generation, token = self._generation, self._token
            headers = {"Authorization": f"BEARER authToken={token}"}
            if body is not None:
                headers["Content-Type"] = _ZINC
                response = await self._http.post(op, content=body.encode(), headers=headers)
            else:
                response = await self._http.get(op, params=params, headers=headers)
            status = response.status_code
            if status in (401, 403):
                if again:
                    raise AuthenticationError(
                        f"op {op!r} refused (HTTP {status}) right after logging in again as "
                        f"{self.username!r}: the user may lack permission for this project"
                    )
                await self._reauthenticate(generation)
                continue
            if status in RETRY_STATUSES:
                raise _RetryableStatus(status, op)
            if status >= 400:
                raise ServerError(
                    f"op {op!r}: HTTP {status} {response.reason_phrase}: {response.text[:200]}",
                    status=status,
                )
            return response.text
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """End the server session (op ``close``) and release every connection."""
        try:
            if self._token is not None:
                headers = {"Authorization": f"BEARER authToken={self._token}"}
                body = zinc.dumps(Grid())
                await self._http.post(
                    "close", content=body.encode(), headers={**headers, "Content-Type": _ZINC}
                )
        except httpx.HTTPError as exc:
            _log.debug("close op failed", error=type(exc).__name__)
        finally:
            self._token = None
            self._closed = True
            await self._http.aclose()
