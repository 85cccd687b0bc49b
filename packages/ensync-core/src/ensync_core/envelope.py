"""The encryption envelopes on the wire, and their base64-of-JSON encoding (no crypto here).

Single recipient: ``{"nonce", "ciphertext", "ephemeralPublicKey"}``, each standard base64.
Hybrid: ``{"type": "hybrid", "payload": {"nonce", "ciphertext"}, "keys": {<hex public key>:
<single-recipient envelope>}}``. A message's ``payload`` field carries base64(UTF-8 JSON).
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from ensync_core._base64 import b64decode, b64encode
from ensync_core.errors import EnSyncDecryptionError

__all__ = [
    "Envelope",
    "HybridEnvelope",
    "SealedEnvelope",
    "decode_envelope",
    "encode_envelope",
    "envelope_from_json",
]


_b64 = b64encode
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _is_object(obj: object) -> TypeGuard[Mapping[str, Any]]:
    # json.loads makes dicts: test for that before the (slower) abstract Mapping check.
    return type(obj) is dict or isinstance(obj, Mapping)


def _field(obj: Mapping[str, Any], name: str, where: str) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise EnSyncDecryptionError(f"malformed envelope: {where} has no {name!r} text field")
    try:
        return b64decode(value)
    except (binascii.Error, ValueError) as exc:
        raise EnSyncDecryptionError(
            f"malformed envelope: {where}.{name} is not base64", cause=exc
        ) from exc


@dataclass(frozen=True, slots=True)
class SealedEnvelope:
    """Data sealed for one recipient with an ephemeral Curve25519 key (NaCl box)."""

    nonce: bytes
    ciphertext: bytes
    ephemeral_public_key: bytes

    def to_json(self) -> dict[str, str]:
        """Return the JSON object form."""
        return {
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "ephemeralPublicKey": _b64(self.ephemeral_public_key),
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "envelope") -> SealedEnvelope:
        """Parse the JSON object form; :class:`EnSyncDecryptionError` when malformed."""
        if not _is_object(obj):
            raise EnSyncDecryptionError(f"malformed envelope: {where} is not a JSON object")
        return cls(
            nonce=_field(obj, "nonce", where),
            ciphertext=_field(obj, "ciphertext", where),
            ephemeral_public_key=_field(obj, "ephemeralPublicKey", where),
        )


@dataclass(frozen=True, slots=True)
class HybridEnvelope:
    """A payload under one random message key, that key sealed for each recipient."""

    nonce: bytes
    ciphertext: bytes
    keys: Mapping[str, SealedEnvelope]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object form."""
        return {
            "type": "hybrid",
            "payload": {"nonce": _b64(self.nonce), "ciphertext": _b64(self.ciphertext)},
            "keys": {hex_key: sealed.to_json() for hex_key, sealed in self.keys.items()},
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> HybridEnvelope:
        """Parse the JSON object form; :class:`EnSyncDecryptionError` when malformed."""
        payload = obj.get("payload")
        if not _is_object(payload):
            raise EnSyncDecryptionError("malformed envelope: hybrid payload is not an object")
        keys = obj.get("keys")
        if not _is_object(keys) or not keys:
            raise EnSyncDecryptionError("malformed envelope: hybrid envelope has no keys")
        return cls(
            nonce=_field(payload, "nonce", "payload"),
            ciphertext=_field(payload, "ciphertext", "payload"),
            keys={
                str(hex_key): SealedEnvelope.from_json(sealed, f"keys[{hex_key!r}]")
                for hex_key, sealed in keys.items()
            },
        )


Envelope = SealedEnvelope | HybridEnvelope


def envelope_from_json(obj: Any) -> Envelope:
    """Parse either envelope from its JSON object form."""
    if _is_object(obj) and obj.get("type") == "hybrid":
        return HybridEnvelope.from_json(obj)
    return SealedEnvelope.from_json(obj)


def _sealed_json(sealed: SealedEnvelope) -> str:
    # Base64 text needs no JSON escaping: the same bytes json.dumps(to_json()) would give.
    return (
        f'{{"nonce":"{_b64(sealed.nonce)}","ciphertext":"{_b64(sealed.ciphertext)}",'
        f'"ephemeralPublicKey":"{_b64(sealed.ephemeral_public_key)}"}}'
    )


def encode_envelope(envelope: Envelope) -> str:
    """base64 of the envelope's compact UTF-8 JSON: the ``payload`` field of a message."""
    if type(envelope) is SealedEnvelope:
        text = _sealed_json(envelope)
    else:
        text = _COMPACT.encode(envelope.to_json())
    return _b64(text.encode("utf-8"))


def _loads(data: bytes) -> Any:
    # What json.loads(bytes) does, without sniffing the encoding when the text is plain UTF-8
    # JSON starting with an object (every envelope); anything else takes json.loads's path.
    if data[:1] == b"{" and data[1:2] != b"\x00":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return json.loads(data)
        return json.loads(text)
    return json.loads(data)


def decode_envelope(encoded: str | bytes) -> Envelope:
    """Inverse of :func:`encode_envelope`; :class:`EnSyncDecryptionError` when malformed."""
    try:
        obj = _loads(b64decode(encoded))
    except (binascii.Error, ValueError, TypeError, RecursionError) as exc:
        raise EnSyncDecryptionError(
            "malformed envelope: the payload is not base64 of JSON", cause=exc
        ) from exc
    return envelope_from_json(obj)
