"""Ed25519 identities and their Curve25519 forms (libsodium's conversions, via PyNaCl).

An app id is the standard base64 of a 32-byte Ed25519 public key; an app secret key is the
base64 of the 64-byte Ed25519 secret key (seed followed by public key). A 32-byte Curve25519
secret is accepted in its place, as the published clients do.
"""

from __future__ import annotations

import binascii
import functools
from dataclasses import dataclass, field

from nacl import bindings
from nacl.exceptions import CryptoError

from ensync_core._base64 import b64decode, b64encode
from ensync_core.errors import EnSyncValidationError

__all__ = [
    "DecryptionKey",
    "KeyPair",
    "decode_public_key",
    "ed25519_pk_to_curve25519",
    "ed25519_sk_to_curve25519",
    "generate_key_pair",
    "recipient_curve_key",
]

PUBLIC_KEY_SIZE = 32
ED25519_SECRET_KEY_SIZE = 64
CURVE25519_SECRET_KEY_SIZE = 32


def ed25519_pk_to_curve25519(public_key: bytes) -> bytes:
    """Convert a 32-byte Ed25519 public key to its Curve25519 (X25519) form.

    Raises :class:`EnSyncValidationError` when the bytes are not a usable Ed25519 point.
    """
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise EnSyncValidationError(
            f"an Ed25519 public key has {PUBLIC_KEY_SIZE} bytes, got {len(public_key)}"
        )
    try:
        return bindings.crypto_sign_ed25519_pk_to_curve25519(public_key)
    except (CryptoError, RuntimeError, ValueError) as exc:
        raise EnSyncValidationError(
            "the public key is not a valid Ed25519 point; check the recipient's app id",
            cause=exc,
        ) from exc


def ed25519_sk_to_curve25519(secret_key: bytes) -> bytes:
    """Convert a 64-byte Ed25519 secret key to its 32-byte Curve25519 secret."""
    if len(secret_key) != ED25519_SECRET_KEY_SIZE:
        raise EnSyncValidationError(
            f"an Ed25519 secret key has {ED25519_SECRET_KEY_SIZE} bytes, got {len(secret_key)}"
        )
    return bindings.crypto_sign_ed25519_sk_to_curve25519(secret_key)


def decode_public_key(app_id: str) -> bytes:
    """Return the 32 raw bytes of an app id (standard base64 of an Ed25519 public key).

    Raises :class:`EnSyncValidationError` naming the problem when ``app_id`` is not one.
    """
    if not isinstance(app_id, str):
        raise EnSyncValidationError(
            f"a recipient must be an app id string (base64 Ed25519 public key), "
            f"got {type(app_id).__name__}"
        )
    try:
        raw = b64decode(app_id)
    except (binascii.Error, ValueError) as exc:
        raise EnSyncValidationError(
            f"recipient {app_id!r} is not a valid key: not standard base64", cause=exc
        ) from exc
    if len(raw) != PUBLIC_KEY_SIZE:
        raise EnSyncValidationError(
            f"recipient {app_id!r} is not a valid key: it decodes to {len(raw)} bytes, "
            f"an Ed25519 public key has {PUBLIC_KEY_SIZE}"
        )
    return raw


def recipient_curve_key(app_id: object) -> bytes:
    """Return the Curve25519 public key of a recipient app id (validated, cached)."""
    if not isinstance(app_id, str):  # checked before the cache, which needs hashable keys
        raise EnSyncValidationError(
            f"a recipient must be an app id string (base64 Ed25519 public key), "
            f"got {type(app_id).__name__}"
        )
    return _recipient_curve_key(app_id)


@functools.lru_cache(maxsize=4096)
def _recipient_curve_key(app_id: str) -> bytes:
    raw = decode_public_key(app_id)
    try:
        return ed25519_pk_to_curve25519(raw)
    except EnSyncValidationError as exc:
        raise EnSyncValidationError(
            f"recipient {app_id!r} is not a valid key: not an Ed25519 point", cause=exc
        ) from exc


@dataclass(frozen=True, slots=True)
class DecryptionKey:
    """A resolved app secret: the Curve25519 secret and, when known, the own public key.

    Build it once with :meth:`from_secret` and reuse it; its ``repr`` never shows the secret.
    """

    curve_secret: bytes = field(repr=False)
    public_key: bytes | None = None

    @property
    def public_key_hex(self) -> str | None:
        """The own Ed25519 public key as hex (the key of this app's entry in hybrid envelopes)."""
        return None if self.public_key is None else self.public_key.hex()

    @property
    def app_id(self) -> str | None:
        """The own app id (base64 public key), known when the 64-byte secret was given."""
        return None if self.public_key is None else b64encode(self.public_key)

    @classmethod
    def from_secret(cls, secret_key: str | bytes) -> DecryptionKey:
        """Resolve a base64 (or raw) 64-byte Ed25519 or 32-byte Curve25519 secret key."""
        if isinstance(secret_key, str):
            try:
                raw = b64decode(secret_key)
            except (binascii.Error, ValueError) as exc:
                raise EnSyncValidationError(
                    "the app secret key is not standard base64; pass the base64 text of the "
                    "64-byte Ed25519 secret key",
                    cause=exc,
                ) from exc
        elif isinstance(secret_key, bytes):
            raw = secret_key
        else:
            raise EnSyncValidationError(
                f"the app secret key must be base64 text or bytes, got {type(secret_key).__name__}"
            )
        if len(raw) == ED25519_SECRET_KEY_SIZE:
            return cls(ed25519_sk_to_curve25519(raw), raw[32:])
        if len(raw) == CURVE25519_SECRET_KEY_SIZE:
            return cls(raw, None)
        raise EnSyncValidationError(
            f"the app secret key decodes to {len(raw)} bytes; expected a 64-byte Ed25519 "
            f"secret key or a 32-byte Curve25519 secret"
        )


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A new app identity: ``app_id`` (share it) and ``secret_key`` (keep it; never logged)."""

    app_id: str
    secret_key: str = field(repr=False)


def generate_key_pair() -> KeyPair:
    """Generate a fresh Ed25519 identity in the encodings EnSync uses."""
    public_key, secret_key = bindings.crypto_sign_keypair()
    return KeyPair(
        app_id=b64encode(public_key),
        secret_key=b64encode(secret_key),
    )
