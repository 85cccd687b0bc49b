"""Haystack authentication: the HELLO -> SCRAM -> BEARER handshake (SCRAM-SHA-256).

Each handshake runs on a connection of its own (SkySpark ties a handshake to its TCP
connection), never on the API pool. The server's signature is verified before the token is
accepted. Neither the password nor the token is ever logged or put in an exception message.
"""

from __future__ import annotations

import base64

import httpx
from scramp import ScramClient, ScramException  # type: ignore[import-untyped]

from ace_skyspark_lib._logging import get_logger
from ace_skyspark_lib.exceptions import AuthenticationError, ServerError

__all__ = ["b64url_decode", "b64url_encode", "parse_auth_header", "scram_login"]

_log = get_logger()
MECHANISM = "SCRAM-SHA-256"


def b64url_encode(text: str) -> str:
    """base64url (RFC 4648 section 5) of the UTF-8 ``text``, without ``=`` padding."""
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def b64url_decode(data: str) -> str:
    """Decode base64url with or without padding into text."""
    padded = data + "=" * (-len(data) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii")).decode()


def parse_auth_header(value: str) -> tuple[str, dict[str, str]]:
    """Split ``SCRAM handshakeToken=abc, hash=SHA-256`` into scheme and parameters."""
    scheme, _, rest = value.strip().partition(" ")
    if "=" in scheme:  # Authentication-Info has parameters only
        scheme, rest = "", value
    params: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            params[key.strip()] = val.strip()
    return scheme.upper(), params


def _header(response: httpx.Response, name: str, step: str) -> dict[str, str]:
    value = response.headers.get(name)
    if value is None:
        raise AuthenticationError(
            f"server sent no {name} header during {step} (HTTP {response.status_code}); "
            "is the URL a Haystack /api base?"
        )
    return parse_auth_header(value)[1]


def _refused(response: httpx.Response, username: str) -> AuthenticationError:
    return AuthenticationError(
        f"login refused for user {username!r} (HTTP {response.status_code}): check the user "
        "name and password"
    )


async def scram_login(
    about_url: str,
    username: str,
    password: str,
    *,
    http_timeout: float,
    client_nonce: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str:
    """Run the SCRAM-SHA-256 handshake against ``about_url`` and return the bearer token.

    Raises :class:`AuthenticationError` for a refused login or a server that cannot prove it
    knows the password, :class:`ServerError` when the HELLO is answered with another HTTP
    error (e.g. 404 for an unknown project); 502/503/504 and httpx transport errors propagate for
    the caller's retry policy.
    ``client_nonce`` and ``transport`` exist for tests (fixed nonce, stubbed server).
    """
    # A fresh client with one connection: the handshake never touches the API pool.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=http_timeout, limits=limits, transport=transport) as http:
        hello = await http.get(
            about_url, headers={"Authorization": f"HELLO username={b64url_encode(username)}"}
        )
        if hello.status_code in (502, 503, 504):
            hello.raise_for_status()
        if hello.status_code == 403:
            raise _refused(hello, username)
        if hello.status_code >= 400 and hello.status_code != 401:
            raise ServerError(
                f"login: HTTP {hello.status_code} from {about_url}; check the base URL (it "
                "ends in /api) and the project name",
                status=hello.status_code,
            )
        if hello.status_code != 401:
            raise AuthenticationError(
                f"expected 401 to HELLO, got HTTP {hello.status_code}; is {about_url} a "
                "Haystack server?"
            )
        params = _header(hello, "WWW-Authenticate", "HELLO")
        handshake = params.get("handshakeToken", "")
        if params.get("hash", "SHA-256").upper() != "SHA-256":
            raise AuthenticationError(f"server asks for unsupported hash {params.get('hash')!r}")
        try:
            scram = ScramClient([MECHANISM], username, password, c_nonce=client_nonce)
            first = scram.get_client_first()
        except ScramException as exc:
            raise AuthenticationError(f"cannot start SCRAM for user {username!r}: {exc}") from exc

        step1 = await http.get(
            about_url,
            headers={
                "Authorization": f"SCRAM handshakeToken={handshake}, data={b64url_encode(first)}"
            },
        )
        if step1.status_code in (502, 503, 504):
            step1.raise_for_status()
        if step1.status_code != 401:
            raise _refused(step1, username)
        params = _header(step1, "WWW-Authenticate", "SCRAM client-first")
        handshake = params.get("handshakeToken", handshake)
        try:
            scram.set_server_first(b64url_decode(params.get("data", "")))
            final = scram.get_client_final()
        except (ScramException, ValueError) as exc:
            raise AuthenticationError(f"server sent an invalid SCRAM server-first ({exc})") from exc

        step2 = await http.get(
            about_url,
            headers={
                "Authorization": f"SCRAM handshakeToken={handshake}, data={b64url_encode(final)}"
            },
        )
        if step2.status_code in (502, 503, 504):
            step2.raise_for_status()
        if step2.status_code != 200:
            raise _refused(step2, username)
        info = _header(step2, "Authentication-Info", "SCRAM client-final")
        token = info.get("authToken")
        if not token:
            raise AuthenticationError("server accepted the login but sent no authToken")
        try:
            scram.set_server_final(b64url_decode(info.get("data", "")))
        except (ScramException, ValueError) as exc:
            raise AuthenticationError(
                "the server's SCRAM signature does not match: it does not know this user's "
                "password (wrong server, or a man in the middle)"
            ) from exc
    _log.debug("authenticated", user=username)
    return token
