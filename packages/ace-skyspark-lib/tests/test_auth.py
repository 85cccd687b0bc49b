"""SCRAM-SHA-256 client side against the RFC 7677 test vector, over a stubbed transport."""

from __future__ import annotations

import httpx
import pytest

from ace_skyspark_lib.auth import b64url_decode, b64url_encode, parse_auth_header, scram_login
from ace_skyspark_lib.exceptions import AuthenticationError

NONCE = "rOprNGfwEbeRWgbNEkqO"
SERVER_FIRST = (
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
)
CLIENT_FINAL = (
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
)
SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def rfc_server(server_final: str, seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        scheme, params = parse_auth_header(request.headers["Authorization"])
        if scheme == "HELLO":
            seen.append(b64url_decode(params["username"]))
            return httpx.Response(
                401, headers={"WWW-Authenticate": "SCRAM handshakeToken=hs1, hash=SHA-256"}
            )
        assert params["handshakeToken"] == "hs1"
        message = b64url_decode(params["data"])
        seen.append(message)
        if message.startswith("n,,"):
            data = b64url_encode(SERVER_FIRST)
            return httpx.Response(
                401,
                headers={
                    "WWW-Authenticate": f"SCRAM handshakeToken=hs1, hash=SHA-256, data={data}"
                },
            )
        if message != CLIENT_FINAL:
            return httpx.Response(403)
        info = f"authToken=tok123, data={b64url_encode(server_final)}"
        return httpx.Response(200, headers={"Authentication-Info": info})

    return httpx.MockTransport(handler)


async def test_rfc7677_vector() -> None:
    seen: list[str] = []
    token = await scram_login(
        "http://sky/api/demo/about",
        "user",
        "pencil",
        http_timeout=5,
        client_nonce=NONCE,
        transport=rfc_server(SERVER_FINAL, seen),
    )
    assert token == "tok123"
    assert seen == ["user", f"n,,n=user,r={NONCE}", CLIENT_FINAL]


async def test_wrong_server_signature_is_rejected() -> None:
    forged = "v=" + "A" * 43 + "="
    with pytest.raises(AuthenticationError, match="SCRAM signature does not match") as info:
        await scram_login(
            "http://sky/api/demo/about",
            "user",
            "pencil",
            http_timeout=5,
            client_nonce=NONCE,
            transport=rfc_server(forged, []),
        )
    assert "pencil" not in str(info.value)


async def test_wrong_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(AuthenticationError, match="login refused for user 'user'") as info:
        await scram_login(
            "http://sky/api/demo/about",
            "user",
            "not-pencil",
            http_timeout=5,
            client_nonce=NONCE,
            transport=rfc_server(SERVER_FINAL, []),
        )
    assert "not-pencil" not in str(info.value)


async def test_non_haystack_server() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="hello"))
    with pytest.raises(AuthenticationError, match="expected 401 to HELLO"):
        await scram_login("http://x/api/p/about", "u", "p", http_timeout=5, transport=transport)


def test_base64url_without_padding() -> None:
    assert b64url_encode("user") == "dXNlcg"
    assert b64url_decode("dXNlcg") == "user"
    assert b64url_decode("dXNlcg==") == "user"
