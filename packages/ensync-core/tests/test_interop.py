"""Envelopes built and opened with raw libsodium calls, following the fact sheet step by step.

Nothing here goes through ensync_core's encoders or decoders on the "other client" side, so a
drift of ours from the published envelope format fails these tests.
"""

from __future__ import annotations

import base64
import json
import os

from nacl import bindings

from ensync_core import decrypt_payload, encrypt_payload, generate_key_pair

BOB, CAROL = generate_key_pair(), generate_key_pair()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _curve_pk(app_id: str) -> bytes:
    return bindings.crypto_sign_ed25519_pk_to_curve25519(base64.b64decode(app_id))


def _curve_sk(secret_key: str) -> bytes:
    return bindings.crypto_sign_ed25519_sk_to_curve25519(base64.b64decode(secret_key))


def _their_seal(plaintext: bytes, app_id: str) -> dict[str, str]:
    ephemeral_pk, ephemeral_sk = bindings.crypto_box_keypair()
    nonce = os.urandom(24)
    ciphertext = bindings.crypto_box(plaintext, nonce, _curve_pk(app_id), ephemeral_sk)
    return {
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
        "ephemeralPublicKey": _b64(ephemeral_pk),
    }


def _their_open(sealed: dict[str, str], secret_key: str) -> bytes:
    return bindings.crypto_box_open(
        base64.b64decode(sealed["ciphertext"]),
        base64.b64decode(sealed["nonce"]),
        base64.b64decode(sealed["ephemeralPublicKey"]),
        _curve_sk(secret_key),
    )


def _wire(envelope: dict[str, object]) -> str:
    return _b64(json.dumps(envelope).encode())


def test_we_open_their_single_recipient_envelope() -> None:
    text = _wire(_their_seal(b'{"from":"them"}', BOB.app_id))
    assert decrypt_payload(text, BOB.secret_key) == b'{"from":"them"}'


def _their_hybrid(plaintext: bytes, recipients: list[str], *, key_as_text: bool) -> str:
    message_key, nonce = os.urandom(32), os.urandom(24)
    sealed_key = _b64(message_key).encode() if key_as_text else message_key
    return _wire(
        {
            "type": "hybrid",
            "payload": {
                "nonce": _b64(nonce),
                "ciphertext": _b64(bindings.crypto_secretbox(plaintext, nonce, message_key)),
            },
            "keys": {base64.b64decode(r).hex(): _their_seal(sealed_key, r) for r in recipients},
        }
    )


def test_we_open_their_hybrid_envelope_with_the_key_as_base64_text_or_raw() -> None:
    for key_as_text in (True, False):
        text = _their_hybrid(b"[1,2]", [BOB.app_id, CAROL.app_id], key_as_text=key_as_text)
        assert decrypt_payload(text, BOB.secret_key) == b"[1,2]"
        assert decrypt_payload(text, CAROL.secret_key) == b"[1,2]"


def test_they_open_our_single_recipient_envelope() -> None:
    envelope = json.loads(base64.b64decode(encrypt_payload(b'{"from":"us"}', [BOB.app_id])))
    assert set(envelope) == {"nonce", "ciphertext", "ephemeralPublicKey"}
    assert _their_open(envelope, BOB.secret_key) == b'{"from":"us"}'


def test_they_open_our_hybrid_envelope_by_their_hex_key() -> None:
    text = encrypt_payload(b'{"to":"both"}', [BOB.app_id, CAROL.app_id])
    envelope = json.loads(base64.b64decode(text))
    assert envelope["type"] == "hybrid"
    for pair in (BOB, CAROL):
        own = base64.b64decode(pair.app_id).hex()  # lowercase hex, as Buffer.toString("hex")
        sealed_key = _their_open(envelope["keys"][own], pair.secret_key)
        message_key = base64.b64decode(sealed_key, validate=True)  # the key as base64 text
        payload = envelope["payload"]
        plaintext = bindings.crypto_secretbox_open(
            base64.b64decode(payload["ciphertext"]), base64.b64decode(payload["nonce"]), message_key
        )
        assert plaintext == b'{"to":"both"}'
