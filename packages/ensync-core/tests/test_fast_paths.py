"""The per-message shortcuts give what the plain standard-library forms give.

The envelope text is built without ``json.dumps``, envelopes are parsed without sniffing their
encoding when they are plain UTF-8, base64 is checked inside ``binascii``, and payloads are
encoded by one shared encoder before their keys are checked. Each test pins the shortcut to the
slow form it replaces, over generated input.
"""

from __future__ import annotations

import base64
import binascii
import collections
import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ensync_core import (
    EnSyncDecryptionError,
    EnSyncValidationError,
    SealedEnvelope,
    decode_envelope,
    dumps_payload,
    encode_envelope,
    skeleton,
)
from ensync_core._base64 import b64decode, b64encode

_bytes = st.binary(max_size=96)


@settings(max_examples=100)
@given(_bytes, _bytes, _bytes)
def test_sealed_envelope_text_is_what_json_dumps_gives(
    nonce: bytes, ciphertext: bytes, ephemeral: bytes
) -> None:
    envelope = SealedEnvelope(nonce, ciphertext, ephemeral)
    slow = json.dumps(envelope.to_json(), separators=(",", ":")).encode()
    assert encode_envelope(envelope) == base64.b64encode(slow).decode()


@settings(max_examples=100)
@given(
    _bytes,
    _bytes,
    _bytes,
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]),
)
def test_envelopes_in_every_encoding_json_reads_still_parse(
    nonce: bytes, ciphertext: bytes, ephemeral: bytes, encoding: str
) -> None:
    envelope = SealedEnvelope(nonce, ciphertext, ephemeral)
    text = json.dumps(envelope.to_json()).encode(encoding)
    assert decode_envelope(base64.b64encode(text)) == envelope


_encodings = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
_peer_bytes = (
    st.binary(max_size=64)
    | st.builds(lambda obj, enc: json.dumps(obj).encode(enc), _json_values, _encodings)
    | st.builds(lambda tail: b"{" + tail, st.binary(max_size=32))
    | st.builds(lambda obj: json.dumps(obj, ensure_ascii=False).encode(), _json_values)
)


@settings(max_examples=300)
@given(_peer_bytes)
def test_envelope_parser_reads_any_bytes_as_json_loads_does(data: bytes) -> None:
    """Whatever bytes a peer base64-encodes, they are JSON to us exactly when json.loads says."""
    try:
        json.loads(data)
        readable = True
    except (ValueError, RecursionError):
        readable = False
    try:
        decode_envelope(base64.b64encode(data))
        unreadable = False
    except EnSyncDecryptionError as exc:  # a shape error is raised only after reading the JSON
        unreadable = "not base64 of JSON" in str(exc)
    assert unreadable is not readable


def test_utf8_envelope_with_encoded_surrogates_parses_as_json_loads_does() -> None:
    # json.loads decodes bytes with 'surrogatepass'; a lone surrogate in a key must not change
    # whether the envelope parses
    data = b'{"\xed\xa0\x80":1,"nonce":"","ciphertext":"","ephemeralPublicKey":""}'
    assert json.loads(data)
    assert decode_envelope(base64.b64encode(data)) == SealedEnvelope(b"", b"", b"")


_base64ish = st.text(alphabet="AQgw+/=aZ09 -_\n\u00e9", max_size=24)


@settings(max_examples=500)
@given(_base64ish | st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode()))
def test_strict_base64_accepts_exactly_what_validating_b64decode_accepts(text: str) -> None:
    try:
        expected: bytes | None = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        expected = None
    try:
        got: bytes | None = b64decode(text)
    except (binascii.Error, ValueError):
        got = None
    assert got == expected


@settings(max_examples=100)
@given(st.binary(max_size=64))
def test_base64_text_is_standard_base64(data: bytes) -> None:
    assert b64encode(data) == base64.b64encode(data).decode()


def test_a_payload_that_contains_itself_is_refused_not_walked_forever() -> None:
    payload: dict[str, object] = {"a": 1}
    payload["self"] = payload
    looped: list[object] = [1]
    looped.append(looped)
    for value in (payload, {"list": looped}):
        with pytest.raises(EnSyncValidationError, match="not JSON-serializable") as info:
            dumps_payload(value)
        assert "Circular reference" in str(info.value)


def test_a_payload_nested_too_deep_is_refused() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(EnSyncValidationError, match="not JSON-serializable"):
        dumps_payload(deep)


def test_non_string_keys_are_found_at_any_depth() -> None:
    for payload in ({"a": [{"b": {1: "x"}}]}, [[{"ok": {}}, {None: 1}]], ({"t": ({2.5: 1},)},)):
        with pytest.raises(EnSyncValidationError, match="keys must be strings"):
            dumps_payload(payload)


class Level(enum.IntEnum):
    HIGH = 3


class Label(str, enum.Enum):
    A = "a"


def test_skeleton_names_subclasses_by_what_json_makes_of_them() -> None:
    payload = {
        "level": Level.HIGH,
        "big": 2**40,
        "label": Label.A,
        "ordered": collections.OrderedDict(a=1),
        "flag": False,
        "nothing": None,
        "ratio": 0.5,
        "items": (1, 2),
    }
    assert skeleton(payload) == {
        "level": "integer",
        "big": "long",
        "label": "string",
        "ordered": "object",
        "flag": "boolean",
        "nothing": "null",
        "ratio": "double",
        "items": "array",
    }
    assert json.loads(dumps_payload(payload))["level"] == 3
