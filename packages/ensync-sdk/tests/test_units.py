"""Unit tests of the codecs, URL rules and options (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ensync_sdk import EnSyncError, EnSyncValidationError
from ensync_sdk.events import RawMessage, build_event, parse_metadata
from ensync_sdk.options import EngineOptions
from ensync_sdk.urls import parse_grpc_url, parse_ws_url
from ensync_sdk.ws_codec import (
    FrameKind,
    encode_command,
    parse_command,
    parse_conn_reply,
    parse_defer_reply,
    parse_frame,
    parse_pub_reply,
    parse_record,
)


@pytest.mark.parametrize(
    ("url", "target", "secure"),
    [
        ("grpcs://node.example", "node.example:443", True),
        ("grpcs://node.example:9090", "node.example:9090", True),
        ("grpc://node.example", "node.example:50051", False),
        ("grpc://node.example:7000", "node.example:7000", False),
        ("node.example", "node.example:443", True),
        ("node.example:9090", "node.example:9090", True),
        ("localhost", "localhost:50051", False),
        ("127.0.0.1", "127.0.0.1:50051", False),
        ("localhost:6000", "localhost:6000", False),
        ("grpcs://localhost", "localhost:443", True),
    ],
)
def test_grpc_url_rules(url: str, target: str, secure: bool) -> None:
    parsed = parse_grpc_url(url)
    assert (parsed.target, parsed.secure) == (target, secure)


def test_disable_tls_forces_insecure() -> None:
    assert not parse_grpc_url("grpcs://node.example", disable_tls=True).secure
    assert parse_ws_url("wss://node.example", disable_tls=True) == "ws://node.example/message"


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("wss://node.example", "wss://node.example/message"),
        ("ws://127.0.0.1:8082", "ws://127.0.0.1:8082/message"),
        ("ws://h:1/message", "ws://h:1/message"),
        ("node.example", "wss://node.example/message"),
    ],
)
def test_ws_url_rules(url: str, endpoint: str) -> None:
    assert parse_ws_url(url) == endpoint


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "URL is empty"),
        ("http://node.example", "scheme must be grpc:// or grpcs://"),
        ("grpc://node.example:99999", "invalid EnSync URL"),
        ("grpc://", "no host"),
    ],
)
def test_bad_grpc_urls(url: str, message: str) -> None:
    with pytest.raises(EnSyncValidationError, match=message):
        parse_grpc_url(url)


def test_bad_ws_url() -> None:
    with pytest.raises(EnSyncValidationError, match="scheme must be ws:// or wss://"):
        parse_ws_url("grpc://node")


def test_options_defaults_and_backoff() -> None:
    options = EngineOptions.from_mapping(None)
    assert options.reconnect_interval == 5000
    assert options.max_reconnect_attempts == 10
    assert [options.reconnect_delay(n) for n in (1, 2, 3)] == [5.0, 7.5, 11.25]
    assert EngineOptions.from_mapping({"enableLogging": True}).enable_logging


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reconect_interval": 1}, "unknown engine option"),
        ({"reconnect_interval": -1}, "'reconnect_interval' must be a number >= 0"),
        ({"max_reconnect_attempts": 1.5}, "'max_reconnect_attempts' must be an integer"),
        ({"heartbeat_interval": "fast"}, "'heartbeat_interval' must be a number"),
        ("fast", "engine options must be a dict"),
        ({"disable_tls": "false"}, "'disable_tls' must be True or False, got 'false'"),
        ({"enableLogging": 1}, "'enableLogging' must be True or False, got 1"),
    ],
)
def test_bad_options(options: Any, message: str) -> None:
    with pytest.raises(EnSyncValidationError, match=message):
        EngineOptions.from_mapping(options)


def test_encode_command() -> None:
    line = encode_command("ACK", {"CLIENT_ID": "c1", "EVENT_IDEM": "e", "BLOCK": 3})
    assert line == "ACK;CLIENT_ID=:c1;EVENT_IDEM=:e;BLOCK=:3"


def test_encode_command_refuses_unframeable_values() -> None:
    with pytest.raises(EnSyncValidationError, match="REASON value contains ';'"):
        encode_command("DISCARD", {"REASON": "a;b"})
    with pytest.raises(EnSyncValidationError, match="line break"):
        encode_command("DISCARD", {"REASON": "a\nb"})
    with pytest.raises(EnSyncValidationError, match="command name"):
        encode_command("bad cmd", {})


_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";\r\n"), max_size=30
)
_keys = st.from_regex(r"[A-Z][A-Z_]{0,10}", fullmatch=True)


@settings(max_examples=100)
@given(st.from_regex(r"[A-Z]{1,8}", fullmatch=True), st.dictionaries(_keys, _values, max_size=5))
def test_command_round_trip(command: str, fields: dict[str, str]) -> None:
    assert parse_command(encode_command(command, fields)) == (command, fields)


@settings(max_examples=100)
@given(st.text(max_size=60))
def test_parse_frame_only_raises_ensync_errors(text: str) -> None:
    try:
        frame = parse_frame(text)
    except EnSyncError:
        return
    assert text.startswith(frame.kind.value)


def test_parse_frames() -> None:
    assert parse_frame("PING").kind is FrameKind.PING
    assert parse_frame("+PASS:ok").content == "ok"
    assert parse_frame("-FAIL:no").kind is FrameKind.FAIL
    assert parse_frame('+RECORD:{"idem":"1"}').json() == {"idem": "1"}
    with pytest.raises(EnSyncError, match="not JSON"):
        parse_frame("+REPLAY:{").json()


@settings(max_examples=100)
@given(
    st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True),
    st.from_regex(r"[a-f0-9]{0,32}", fullmatch=True),
)
def test_conn_reply_round_trip(client_id: str, client_hash: str) -> None:
    content = f"{{clientId={client_id},clientHash={client_hash}}}"
    assert parse_conn_reply(content) == (client_id, client_hash)


def test_conn_reply_without_client_id() -> None:
    with pytest.raises(EnSyncError, match="no clientId"):
        parse_conn_reply("{clientHash=x}")
    with pytest.raises(EnSyncError, match="no clientId"):
        parse_conn_reply("{clientId=,clientHash=x}")


def test_event_dict_and_metadata() -> None:
    raw = RawMessage("e1", "n", "p", 4, '{"a": 1}', "s", logged_at=123)
    event = build_event(raw, {"x": 1})
    assert event == {
        "idem": "e1",
        "eventName": "n",
        "messageName": "n",
        "block": 4,
        "timestamp": 123,
        "payload": {"x": 1},
        "sender": "s",
        "metadata": {"a": 1},
    }
    assert parse_metadata("not json") == {}
    assert parse_metadata("[1]") == {}
    assert parse_metadata({"k": 1}) == {"k": 1}


_hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True)


@settings(max_examples=100)
@given(_hosts, st.integers(min_value=1, max_value=65535), st.sampled_from(["grpc", "grpcs"]))
def test_grpc_url_property(host: str, port: int, scheme: str) -> None:
    parsed = parse_grpc_url(f"{scheme}://{host}:{port}")
    assert parsed.target == f"{host}:{port}"
    assert parsed.secure == (scheme == "grpcs")
    bare = parse_grpc_url(host)
    local = host == "localhost"
    assert bare.secure != local
    assert bare.port == (50051 if local else 443)


@settings(max_examples=100)
@given(st.text(max_size=40))
def test_url_parsers_only_raise_validation_errors(text: str) -> None:
    for parse in (parse_grpc_url, parse_ws_url):
        outcome: object
        try:
            outcome = parse(text)
        except EnSyncValidationError as exc:
            outcome = exc
        assert not isinstance(outcome, Exception) or "URL" in str(outcome)


@settings(max_examples=100)
@given(st.one_of(st.text(max_size=30), st.dictionaries(st.text(max_size=5), st.integers())))
def test_parse_metadata_always_gives_a_dict(raw: Any) -> None:
    assert isinstance(parse_metadata(raw), dict)


def test_parse_record() -> None:
    record = parse_record(
        {
            "name": "n",
            "id": 7,
            "block": "12",
            "loggedAt": 1.7e12,
            "payload": "cA==",
            "metadata": {"a": 1},
            "sender": "s",
        },
        "fallback",
    )
    assert record == RawMessage("7", "n", "cA==", 12, {"a": 1}, "s", logged_at=1_700_000_000_000)
    odd = parse_record({"idem": "e", "block": float("inf"), "loggedAt": float("nan")}, "fb")
    assert (odd.name, odd.block, odd.logged_at) == ("fb", 0, None)
    assert parse_record({"idem": "e", "block": "\u00b2"}, "fb").block == 0
    assert parse_record({"idem": "e", "block": -3}, "fb").block == 0
    for bad in ([1], {"block": 1}, {"idem": ""}, {"idem": {"x": 1}}):
        with pytest.raises(EnSyncError, match="record"):
            parse_record(bad, "fb")


def test_deeply_nested_frame_json_is_an_ensync_error() -> None:
    with pytest.raises(EnSyncError, match="not JSON"):
        parse_frame("+RECORD:" + "[" * 100_000 + "]" * 100_000).json()


def test_pub_and_defer_replies() -> None:
    assert parse_pub_reply("evt-1") == "evt-1"
    assert parse_pub_reply('{"idem":"evt-2"}') == "evt-2"
    assert parse_pub_reply("[" * 100_000) == "[" * 100_000
    assert parse_defer_reply('{"deliveryTime": 1700000000000}') == 1_700_000_000_000
    assert parse_defer_reply('{"deliveryTime": Infinity}') == 0
    assert parse_defer_reply("deferred") == 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["idem", "id", "name", "block", "loggedAt", "payload", "sender"])
            | st.text(max_size=4),
            children,
            max_size=7,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(_json)
def test_parse_record_gives_a_record_or_an_ensync_error(data: Any) -> None:
    outcome: object
    try:
        outcome = parse_record(data, "fb")
    except EnSyncError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncError):
        assert "record" in str(outcome)
        return
    assert isinstance(outcome, RawMessage)
    assert outcome.idem
    assert isinstance(outcome.block, int)
    assert outcome.block >= 0
    assert isinstance(outcome.name, str)
    assert outcome.logged_at is None or isinstance(outcome.logged_at, int)


@settings(max_examples=100)
@given(st.text(max_size=40) | _json.map(json.dumps))
def test_reply_parsers_never_raise(content: str) -> None:
    assert isinstance(parse_pub_reply(content), str)
    assert isinstance(parse_defer_reply(content), int)


def test_encode_command_refuses_lone_surrogates() -> None:
    with pytest.raises(EnSyncValidationError, match="EVENT_NAME value is not valid Unicode"):
        encode_command("SUB", {"EVENT_NAME": "a\ud800"})


@settings(max_examples=200)
@given(st.dictionaries(_keys, st.text(st.characters(), max_size=20), max_size=4))
def test_encode_command_frames_or_refuses_any_text(fields: dict[str, str]) -> None:
    """Any value either round-trips through a UTF-8 frame or is refused before sending."""
    outcome: object
    try:
        outcome = encode_command("PUB", fields)
    except EnSyncValidationError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncValidationError):
        assert any(c in v for v in fields.values() for c in ";\r\n") or "Unicode" in str(outcome)
        return
    assert isinstance(outcome, str)
    assert parse_command(outcome.encode("utf-8").decode("utf-8")) == ("PUB", fields)


class _FailingSocket:
    """Stands in for the aiohttp WebSocket: the first send fails."""

    closed = False

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_str(self, line: str) -> None:
        if not self.sent:
            self.sent.append("<lost>")
            raise ConnectionResetError("peer reset")
        self.sent.append(line)


async def test_a_line_that_was_not_sent_leaves_no_reply_slot() -> None:
    from ensync_sdk._transport import SessionLostError
    from ensync_sdk._ws_transport import WebSocketTransport

    transport = WebSocketTransport("ws://unused/message", request_timeout=5, heartbeat=30)
    transport._ws = _FailingSocket()  # type: ignore[assignment]
    with pytest.raises(SessionLostError, match="sending PAUSE failed"):
        await transport._request("PAUSE", {"EVENT_NAME": "a"})
    assert not transport._pending  # the next reply belongs to the next request
