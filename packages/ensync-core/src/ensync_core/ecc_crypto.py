"""End-to-end encryption of EnSync payloads (NaCl box and secretbox, through PyNaCl).

* :func:`encrypt_ed25519` / :func:`decrypt_ed25519`: one recipient, a fresh ephemeral
  Curve25519 key pair per message.
* :func:`hybrid_encrypt` / :func:`hybrid_decrypt`: several recipients; the payload is encrypted
  once under a random 32-byte message key and that key is sealed for each recipient.
* :func:`encrypt_payload` / :func:`decrypt_payload`: the base64 text a message carries.

Every authentication failure raises :class:`~ensync_core.errors.EnSyncDecryptionError`.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence

from nacl import bindings
from nacl.exceptions import CryptoError

from ensync_core.envelope import (
    Envelope,
    HybridEnvelope,
    SealedEnvelope,
    decode_envelope,
    encode_envelope,
)
from ensync_core.errors import EnSyncDecryptionError, EnSyncValidationError
from ensync_core.keys import DecryptionKey, decode_public_key, recipient_curve_key

__all__ = [
    "decrypt_ed25519",
    "decrypt_envelope",
    "decrypt_payload",
    "encrypt_ed25519",
    "encrypt_payload",
    "hybrid_decrypt",
    "hybrid_encrypt",
]

_NONCE_SIZE = bindings.crypto_box_NONCEBYTES
_KEY_SIZE = bindings.crypto_secretbox_KEYBYTES

SecretKey = str | bytes | DecryptionKey


def _resolve(secret_key: SecretKey) -> DecryptionKey:
    if isinstance(secret_key, DecryptionKey):
        return secret_key
    return DecryptionKey.from_secret(secret_key)


def _check_plaintext(plaintext: object) -> bytes:
    if not isinstance(plaintext, bytes):
        raise EnSyncValidationError(
            f"the plaintext must be bytes (the UTF-8 JSON of the payload, see dumps_payload), "
            f"got {type(plaintext).__name__}"
        )
    return plaintext


def _seal(plaintext: bytes, recipient_curve: bytes) -> SealedEnvelope:
    ephemeral_public, ephemeral_secret = bindings.crypto_box_keypair()
    nonce = os.urandom(_NONCE_SIZE)
    ciphertext = bindings.crypto_box(plaintext, nonce, recipient_curve, ephemeral_secret)
    return SealedEnvelope(nonce, ciphertext, ephemeral_public)


def _open(sealed: SealedEnvelope, key: DecryptionKey) -> bytes:
    if len(sealed.nonce) != _NONCE_SIZE or len(sealed.ephemeral_public_key) != 32:
        raise EnSyncDecryptionError("malformed envelope: wrong nonce or ephemeral key size")
    try:
        return bindings.crypto_box_open(
            sealed.ciphertext, sealed.nonce, sealed.ephemeral_public_key, key.curve_secret
        )
    except (CryptoError, ValueError, TypeError) as exc:
        raise EnSyncDecryptionError(
            "decryption failed: the payload was tampered with or is not addressed to this key",
            cause=exc,
        ) from exc


def encrypt_ed25519(plaintext: bytes, recipient_public_key: str) -> SealedEnvelope:
    """Seal ``plaintext`` for one recipient app id (base64 Ed25519 public key)."""
    return _seal(_check_plaintext(plaintext), recipient_curve_key(recipient_public_key))


def decrypt_ed25519(envelope: SealedEnvelope, secret_key: SecretKey) -> bytes:
    """Open a single-recipient envelope with the app secret key."""
    _check_envelope(envelope, SealedEnvelope)
    return _open(envelope, _resolve(secret_key))


def hybrid_encrypt(plaintext: bytes, recipient_public_keys: Sequence[str]) -> HybridEnvelope:
    """Encrypt ``plaintext`` once and seal its message key for each recipient app id."""
    if isinstance(recipient_public_keys, str) or not recipient_public_keys:
        raise EnSyncValidationError("hybrid encryption needs a non-empty list of recipients")
    _check_plaintext(plaintext)
    curves = [(decode_public_key(r).hex(), recipient_curve_key(r)) for r in recipient_public_keys]
    message_key = os.urandom(_KEY_SIZE)
    nonce = os.urandom(bindings.crypto_secretbox_NONCEBYTES)
    ciphertext = bindings.crypto_secretbox(plaintext, nonce, message_key)
    # Published decoders expect the sealed plaintext to be the base64 text of the key bytes.
    sealed_key = base64.b64encode(message_key)
    keys = {hex_key: _seal(sealed_key, curve) for hex_key, curve in curves}
    return HybridEnvelope(nonce, ciphertext, keys)


def _message_key(opened: bytes) -> bytes:
    if len(opened) == _KEY_SIZE:
        return opened
    try:
        key = base64.b64decode(opened, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnSyncDecryptionError(
            "malformed envelope: the sealed message key is neither 32 bytes nor base64",
            cause=exc,
        ) from exc
    if len(key) != _KEY_SIZE:
        raise EnSyncDecryptionError(
            f"malformed envelope: the sealed message key has {len(key)} bytes, not {_KEY_SIZE}"
        )
    return key


def hybrid_decrypt(envelope: HybridEnvelope, secret_key: SecretKey) -> bytes:
    """Open a hybrid envelope: the own key entry first, then every other entry."""
    _check_envelope(envelope, HybridEnvelope)
    key = _resolve(secret_key)
    own = key.public_key_hex
    entries = list(envelope.keys.items())
    entries.sort(key=lambda item: item[0].lower() != own)
    message_key: bytes | None = None
    for _hex_key, sealed in entries:
        try:
            message_key = _message_key(_open(sealed, key))
            break
        except EnSyncDecryptionError:
            continue
    if message_key is None:
        raise EnSyncDecryptionError(
            "decryption failed: no key entry of this hybrid envelope opens with this app's key "
            "(not a recipient, or tampered)"
        )
    try:
        return bindings.crypto_secretbox_open(envelope.ciphertext, envelope.nonce, message_key)
    except (CryptoError, ValueError, TypeError) as exc:
        raise EnSyncDecryptionError(
            "decryption failed: the hybrid payload was tampered with", cause=exc
        ) from exc


def decrypt_envelope(envelope: Envelope, secret_key: SecretKey) -> bytes:
    """Open either kind of envelope."""
    if isinstance(envelope, HybridEnvelope):
        return hybrid_decrypt(envelope, secret_key)
    return decrypt_ed25519(envelope, secret_key)


def _check_envelope(envelope: object, kind: type) -> None:
    if not isinstance(envelope, kind):
        raise EnSyncValidationError(
            f"expected a {kind.__name__}, got {type(envelope).__name__}; "
            f"decode wire text with decode_envelope or use decrypt_payload"
        )


def encrypt_payload(
    plaintext: bytes, recipients: Sequence[str], *, hybrid: bool | None = None
) -> str:
    """Return the base64 envelope text for ``recipients`` (hybrid by default when more than one)."""
    if isinstance(recipients, str) or not recipients:
        raise EnSyncValidationError("at least one recipient app id is required")
    use_hybrid = len(recipients) > 1 if hybrid is None else hybrid
    envelope: Envelope
    if use_hybrid:
        envelope = hybrid_encrypt(plaintext, recipients)
    else:
        if len(recipients) != 1:
            raise EnSyncValidationError("non-hybrid encryption takes exactly one recipient")
        envelope = encrypt_ed25519(plaintext, recipients[0])
    return encode_envelope(envelope)


def decrypt_payload(encoded: str | bytes, secret_key: SecretKey) -> bytes:
    """Decode and open the base64 envelope text of a received message."""
    return decrypt_envelope(decode_envelope(encoded), secret_key)
