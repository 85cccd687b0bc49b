import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from ensync_core import (
    DecryptionKey,
    EnSyncDecryptionError,
    EnSyncValidationError,
    HybridEnvelope,
    SealedEnvelope,
    decode_envelope,
    decrypt_ed25519,
    decrypt_payload,
    encode_envelope,
    encrypt_ed25519,
    encrypt_payload,
    generate_key_pair,
    hybrid_decrypt,
    hybrid_encrypt,
)

ALICE, BOB, CAROL = generate_key_pair(), generate_key_pair(), generate_key_pair()


def test_single_recipient_round_trip() -> None:
    envelope = encrypt_ed25519(b'{"a":1}', BOB.app_id)
    assert decrypt_ed25519(envelope, BOB.secret_key) == b'{"a":1}'


def test_single_recipient_wire_format() -> None:
    text = encrypt_payload(b"{}", [BOB.app_id])
    obj = json.loads(base64.b64decode(text))
    assert set(obj) == {"nonce", "ciphertext", "ephemeralPublicKey"}
    assert len(base64.b64decode(obj["nonce"])) == 24
    # ciphertext without the nonce prefix: 16-byte MAC + plaintext
    assert len(base64.b64decode(obj["ciphertext"])) == 16 + 2


def test_non_recipient_cannot_open_single() -> None:
    envelope = encrypt_ed25519(b"secret", BOB.app_id)
    with pytest.raises(EnSyncDecryptionError, match="not addressed to this key"):
        decrypt_ed25519(envelope, CAROL.secret_key)


def test_hybrid_round_trip_for_each_recipient() -> None:
    envelope = hybrid_encrypt(b"[1,2,3]", [BOB.app_id, CAROL.app_id])
    assert set(envelope.keys) == {
        base64.b64decode(BOB.app_id).hex(),
        base64.b64decode(CAROL.app_id).hex(),
    }
    for pair in (BOB, CAROL):
        assert hybrid_decrypt(envelope, pair.secret_key) == b"[1,2,3]"


def test_hybrid_wire_format_and_key_as_base64_text() -> None:
    text = encrypt_payload(b'"x"', [BOB.app_id, CAROL.app_id])
    obj = json.loads(base64.b64decode(text))
    assert obj["type"] == "hybrid"
    assert set(obj["payload"]) == {"nonce", "ciphertext"}
    entry = SealedEnvelope.from_json(obj["keys"][base64.b64decode(BOB.app_id).hex()])
    curve = DecryptionKey.from_secret(BOB.secret_key).curve_secret
    opened = bindings.crypto_box_open(
        entry.ciphertext, entry.nonce, entry.ephemeral_public_key, curve
    )
    assert len(base64.b64decode(opened)) == 32


def test_hybrid_accepts_raw_32_byte_sealed_key() -> None:
    message_key = bytes(range(32))
    nonce = bytes(24)
    ciphertext = bindings.crypto_secretbox(b"raw", nonce, message_key)
    hex_key = base64.b64decode(BOB.app_id).hex()
    sealed = encrypt_ed25519(message_key, BOB.app_id)
    envelope = HybridEnvelope(nonce, ciphertext, {hex_key: sealed})
    assert hybrid_decrypt(envelope, BOB.secret_key) == b"raw"


def test_hybrid_decoder_tries_other_entries_with_curve_only_secret() -> None:
    envelope = hybrid_encrypt(b"1", [BOB.app_id, CAROL.app_id])
    curve_only = DecryptionKey.from_secret(CAROL.secret_key).curve_secret
    assert hybrid_decrypt(envelope, base64.b64encode(curve_only).decode()) == b"1"


def test_hybrid_non_recipient_is_refused() -> None:
    envelope = hybrid_encrypt(b"1", [BOB.app_id, CAROL.app_id])
    with pytest.raises(EnSyncDecryptionError, match="no key entry"):
        hybrid_decrypt(envelope, ALICE.secret_key)


@pytest.mark.parametrize("recipients", [[BOB.app_id], [BOB.app_id, CAROL.app_id]])
def test_tampered_ciphertext_is_rejected(recipients: list[str]) -> None:
    obj = json.loads(base64.b64decode(encrypt_payload(b'{"n":1}', recipients)))
    target = obj["payload"] if "type" in obj else obj
    raw = bytearray(base64.b64decode(target["ciphertext"]))
    raw[-1] ^= 1
    target["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    tampered = base64.b64encode(json.dumps(obj).encode()).decode()
    with pytest.raises(EnSyncDecryptionError, match="tampered"):
        decrypt_payload(tampered, BOB.secret_key)


@pytest.mark.parametrize(
    ("recipient", "problem"),
    [
        ("not base64!", "not standard base64"),
        (base64.b64encode(b"short").decode(), "decodes to 5 bytes"),
        (base64.b64encode(b"\xff" * 32).decode(), "not an Ed25519 point"),
    ],
)
def test_invalid_recipient_is_a_validation_error(recipient: str, problem: str) -> None:
    with pytest.raises(EnSyncValidationError, match=problem):
        encrypt_payload(b"{}", [recipient])


def test_invalid_secret_key_message_does_not_echo_the_secret() -> None:
    secret = base64.b64encode(b"s" * 40).decode()
    with pytest.raises(EnSyncValidationError, match="decodes to 40 bytes") as info:
        DecryptionKey.from_secret(secret)
    assert secret not in str(info.value)
    assert secret not in repr(DecryptionKey.from_secret(BOB.secret_key))
    assert BOB.secret_key not in repr(BOB)


def test_malformed_envelopes_are_decryption_errors() -> None:
    for text in ["%%%", base64.b64encode(b"[1]").decode(), base64.b64encode(b"{}").decode()]:
        with pytest.raises(EnSyncDecryptionError, match="malformed envelope"):
            decrypt_payload(text, BOB.secret_key)


def test_key_pair_app_id_matches_secret() -> None:
    pair = generate_key_pair()
    assert DecryptionKey.from_secret(pair.secret_key).app_id == pair.app_id


_b = st.binary(min_size=0, max_size=64)


@settings(max_examples=50)
@given(nonce=_b, ciphertext=_b, ephemeral=_b)
def test_sealed_envelope_codec_round_trips(
    nonce: bytes, ciphertext: bytes, ephemeral: bytes
) -> None:
    envelope = SealedEnvelope(nonce, ciphertext, ephemeral)
    assert decode_envelope(encode_envelope(envelope)) == envelope


@settings(max_examples=50)
@given(
    nonce=_b,
    ciphertext=_b,
    keys=st.dictionaries(
        st.text("0123456789abcdef", min_size=1, max_size=64),
        st.builds(SealedEnvelope, _b, _b, _b),
        min_size=1,
        max_size=4,
    ),
)
def test_hybrid_envelope_codec_round_trips(
    nonce: bytes, ciphertext: bytes, keys: dict[str, SealedEnvelope]
) -> None:
    envelope = HybridEnvelope(nonce, ciphertext, keys)
    assert decode_envelope(encode_envelope(envelope)) == envelope


@settings(max_examples=100)
@given(st.text(max_size=80))
def test_decoder_never_raises_anything_but_decryption_error(text: str) -> None:
    outcome: object
    try:
        outcome = decode_envelope(text)
    except EnSyncDecryptionError as exc:
        outcome = exc
    assert isinstance(outcome, SealedEnvelope | HybridEnvelope) or "malformed" in str(outcome)


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=512), st.integers(min_value=1, max_value=3))
def test_encrypt_decrypt_property(plaintext: bytes, count: int) -> None:
    pairs = [BOB, CAROL, ALICE][:count]
    text = encrypt_payload(plaintext, [p.app_id for p in pairs])
    for pair in pairs:
        assert decrypt_payload(text, pair.secret_key) == plaintext


def test_deeply_nested_envelope_json_is_a_decryption_error() -> None:
    deep = base64.b64encode(b"[" * 100_000 + b"]" * 100_000).decode()
    with pytest.raises(EnSyncDecryptionError, match="not base64 of JSON"):
        decode_envelope(deep)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["type", "payload", "keys", "nonce", "ciphertext", "ephemeralPublicKey"]
            )
            | st.text(max_size=4),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(
    _json
    | st.fixed_dictionaries({"type": st.just("hybrid")}, optional={"payload": _json, "keys": _json})
)
def test_any_json_envelope_parses_or_is_a_decryption_error(obj: object) -> None:
    """Whatever JSON a peer sends as an envelope: a parsed envelope or EnSyncDecryptionError."""
    encoded = base64.b64encode(json.dumps(obj).encode()).decode()
    outcome: object
    try:
        outcome = decode_envelope(encoded)
    except EnSyncDecryptionError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncDecryptionError):
        assert "malformed envelope" in str(outcome)
        return
    assert isinstance(outcome, SealedEnvelope | HybridEnvelope)
    with pytest.raises(EnSyncDecryptionError):
        decrypt_payload(encoded, BOB.secret_key)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: encrypt_payload("text", [BOB.app_id]), "plaintext must be bytes .*got str"),
        (lambda: hybrid_encrypt(None, [BOB.app_id]), "plaintext must be bytes .*got NoneType"),
        (lambda: encrypt_ed25519(b"", ["x"]), "must be an app id string .*got list"),
        (lambda: encrypt_ed25519(b"", {"k": 1}), "must be an app id string .*got dict"),
        (lambda: decrypt_ed25519("text", BOB.secret_key), "expected a SealedEnvelope, got str"),
        (lambda: hybrid_decrypt(b"x", BOB.secret_key), "expected a HybridEnvelope, got bytes"),
        (lambda: DecryptionKey.from_secret(None), "must be base64 text or bytes, got NoneType"),
    ],
)
def test_wrong_argument_types_are_validation_errors(call: Any, message: str) -> None:
    with pytest.raises(EnSyncValidationError, match=message):
        call()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@settings(max_examples=200)
@given(st.text(max_size=60) | st.binary(min_size=32, max_size=32).map(_b64))
def test_recipient_parser_gives_a_key_or_a_validation_error(app_id: str) -> None:
    from ensync_core.keys import decode_public_key, recipient_curve_key

    outcome: object
    try:
        outcome = (decode_public_key(app_id), recipient_curve_key(app_id))
    except EnSyncValidationError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncValidationError):
        assert "recipient" in str(outcome)
        return
    assert isinstance(outcome, tuple)
    assert [len(part) for part in outcome] == [32, 32]


@settings(max_examples=200)
@given(
    st.text(max_size=100) | st.binary(max_size=80) | st.binary(min_size=64, max_size=64).map(_b64)
)
def test_secret_key_parser_gives_a_key_or_a_validation_error(secret: str | bytes) -> None:
    outcome: object
    try:
        outcome = DecryptionKey.from_secret(secret)
    except EnSyncValidationError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncValidationError):
        assert "secret key" in str(outcome)
        assert not isinstance(secret, str) or len(secret) < 8 or secret not in str(outcome)
        return
    assert isinstance(outcome, DecryptionKey)
    assert len(outcome.curve_secret) == 32
