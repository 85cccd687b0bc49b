"""The server side of Haystack SCRAM-SHA-256 authentication (HELLO -> SCRAM -> BEARER).

The simulator's own implementation of the handshake state machine; the SCRAM mathematics
come from scramp. A handshake lives between requests under its ``handshakeToken``; a finished
one hands out a bearer token.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from scramp import ScramException, ScramMechanism  # type: ignore[import-untyped]

__all__ = ["AuthOutcome", "ScramServer", "b64url_decode", "b64url_encode"]

_ITERATIONS = 4096


def b64url_encode(text: str) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def b64url_decode(data: str) -> str:
    """Decode base64url, padded or not."""
    return base64.urlsafe_b64decode((data + "=" * (-len(data) % 4)).encode("ascii")).decode()


def _params(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            params[key.strip()] = value.strip()
    return scheme.upper(), params


@dataclass
class AuthOutcome:
    """What to answer: an HTTP status and headers; ``user`` is set once authenticated."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    message: str = ""


@dataclass
class _Handshake:
    username: str
    connection: object = None
    server: Any = None


class ScramServer:
    """Users, handshakes in progress and issued bearer tokens."""

    def __init__(self, *, tamper_signature: bool = False) -> None:
        self._mechanism = ScramMechanism("SCRAM-SHA-256")
        self._users: dict[str, tuple[bytes, bytes, bytes, int]] = {}
        self._handshakes: dict[str, _Handshake] = {}
        self.tokens: dict[str, str] = {}
        self.tamper_signature = tamper_signature
        # Unknown users still get a full challenge (no user enumeration); they fail at the end.
        self._decoy: tuple[bytes, bytes, bytes, int] = self._mechanism.make_auth_info(
            secrets.token_hex(16), _ITERATIONS
        )

    def add_user(self, username: str, password: str) -> None:
        """Create or replace a user."""
        self._users[username] = self._mechanism.make_auth_info(password, _ITERATIONS)

    def expire_tokens(self) -> None:
        """Invalidate every bearer token issued so far."""
        self.tokens.clear()

    def revoke(self, token: str) -> None:
        """End one session (op ``close``)."""
        self.tokens.pop(token, None)

    def bearer_user(self, header: str) -> str | None:
        """The user a ``BEARER authToken=...`` header belongs to, if its token is live."""
        scheme, params = _params(header)
        if scheme != "BEARER":
            return None
        return self.tokens.get(params.get("authToken", ""))

    def step(self, header: str, connection: object = None) -> AuthOutcome:
        """Advance the handshake named by an ``Authorization`` header.

        Like SkySpark, a handshake is tied to the TCP connection it started on: pass the
        connection's identity (e.g. the peer address) and later steps from another connection
        are refused.
        """
        scheme, params = _params(header)
        if scheme == "HELLO":
            try:
                username = b64url_decode(params.get("username", ""))
            except (ValueError, UnicodeDecodeError):
                return AuthOutcome(400, message="HELLO username is not base64url")
            if not username:
                return AuthOutcome(400, message="HELLO without username")
            token = secrets.token_urlsafe(16)
            self._handshakes[token] = _Handshake(username, connection)
            return AuthOutcome(
                401,
                {"WWW-Authenticate": f"SCRAM handshakeToken={token}, hash=SHA-256"},
            )
        if scheme != "SCRAM":
            return AuthOutcome(401, {"WWW-Authenticate": "HELLO"}, message="authenticate first")
        token = params.get("handshakeToken", "")
        handshake = self._handshakes.get(token)
        if handshake is None:
            return AuthOutcome(403, message="unknown or finished handshake")
        if handshake.connection != connection:
            self._handshakes.pop(token, None)
            return AuthOutcome(403, message="handshake continued on another connection")
        try:
            data = b64url_decode(params.get("data", ""))
        except (ValueError, UnicodeDecodeError):
            self._handshakes.pop(token, None)
            return AuthOutcome(400, message="SCRAM data is not base64url")
        if handshake.server is None:
            return self._client_first(token, handshake, data)
        return self._client_final(token, handshake, data)

    def _auth_info(self, username: str) -> tuple[bytes, bytes, bytes, int]:
        return self._users.get(username) or self._decoy

    def _client_first(self, token: str, handshake: _Handshake, data: str) -> AuthOutcome:
        seen: list[str] = []

        def auth_fn(username: str) -> tuple[bytes, bytes, bytes, int]:
            seen.append(username)
            return self._auth_info(username)

        server = self._mechanism.make_server(auth_fn)
        try:
            server.set_client_first(data)
        except ScramException as exc:
            self._handshakes.pop(token, None)
            return AuthOutcome(403, message=f"bad client-first: {exc}")
        if seen != [handshake.username]:
            self._handshakes.pop(token, None)
            return AuthOutcome(403, message="user differs from HELLO")
        handshake.server = server
        first = b64url_encode(server.get_server_first())
        return AuthOutcome(
            401,
            {"WWW-Authenticate": f"SCRAM handshakeToken={token}, hash=SHA-256, data={first}"},
        )

    def _client_final(self, token: str, handshake: _Handshake, data: str) -> AuthOutcome:
        self._handshakes.pop(token, None)
        try:
            handshake.server.set_client_final(data)
        except ScramException:
            return AuthOutcome(403, message="authentication failed")
        if handshake.username not in self._users:
            return AuthOutcome(403, message="authentication failed")
        final = handshake.server.get_server_final()
        if self.tamper_signature:
            final = "v=" + base64.b64encode(secrets.token_bytes(32)).decode()
        bearer = secrets.token_urlsafe(24)
        self.tokens[bearer] = handshake.username
        return AuthOutcome(
            200,
            {"Authentication-Info": f"authToken={bearer}, data={b64url_encode(final)}"},
            user=handshake.username,
        )
