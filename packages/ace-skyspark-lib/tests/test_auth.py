"""SCRAM-SHA-256 client side against the RFC 7677 test vector, over a stubbed transport."""

from __future__ import annotations

import asyncio
import string

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_base64url_round_trips_any_text(text: str) -> None:
    encoded = b64url_encode(text)
    assert set(encoded) <= set(string.ascii_letters + string.digits + "-_")
    assert b64url_decode(encoded) == text


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["SCRAM", "scram", "HELLO", "BEARER", ""]),
    st.dictionaries(
        st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9+/=_\-]{0,20}", fullmatch=True),
        max_size=4,
    ),
)
def test_auth_headers_parse_back(scheme: str, params: dict[str, str]) -> None:
    header = f"{scheme} " + ", ".join(f"{k}={v}" for k, v in params.items())
    assert parse_auth_header(header) == (scheme.upper(), params)


HEADER_TEXT = st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=60)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([200, 401, 403]),
            st.sampled_from(["WWW-Authenticate", "Authentication-Info"]),
            st.one_of(
                HEADER_TEXT,
                HEADER_TEXT.map(lambda t: f"SCRAM handshakeToken=h, hash=SHA-256, data={t}"),
                HEADER_TEXT.map(lambda t: f"authToken=x, data={t}"),
                HEADER_TEXT.map(lambda t: f"SCRAM hash=SHA-256, data={b64url_encode(t)}"),
            ),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_any_garbled_handshake_is_an_authentication_error(
    answers: list[tuple[int, str, str]],
) -> None:
    replies = iter(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        status, name, value = next(replies)
        return httpx.Response(status, headers={name: value})

    async def login() -> str:
        return await scram_login(
            "http://x/api/p/about",
            "user",
            "pencil",
            http_timeout=5,
            transport=httpx.MockTransport(handler),
        )

    with pytest.raises(AuthenticationError):
        asyncio.run(login())
