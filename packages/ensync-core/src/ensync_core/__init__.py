"""EnSync core: end-to-end encryption envelopes, keys and errors shared by EnSync clients."""

from importlib.metadata import version as _version

from ensync_core.ecc_crypto import (
    decrypt_ed25519,
    decrypt_envelope,
    decrypt_payload,
    encrypt_ed25519,
    encrypt_payload,
    hybrid_decrypt,
    hybrid_encrypt,
)
from ensync_core.envelope import (
    Envelope,
    HybridEnvelope,
    SealedEnvelope,
    decode_envelope,
    encode_envelope,
)
from ensync_core.errors import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncDecryptionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncSubscriptionError,
    EnSyncValidationError,
)
from ensync_core.keys import (
    DecryptionKey,
    KeyPair,
    decode_public_key,
    ed25519_pk_to_curve25519,
    ed25519_sk_to_curve25519,
    generate_key_pair,
)
from ensync_core.payload import byte_size, dumps_payload, payload_metadata, skeleton

__all__ = [
    "DecryptionKey",
    "EnSyncAuthError",
    "EnSyncConnectionError",
    "EnSyncDecryptionError",
    "EnSyncError",
    "EnSyncPublishError",
    "EnSyncSubscriptionError",
    "EnSyncValidationError",
    "Envelope",
    "HybridEnvelope",
    "KeyPair",
    "SealedEnvelope",
    "__version__",
    "byte_size",
    "decode_envelope",
    "decode_public_key",
    "decrypt_ed25519",
    "decrypt_envelope",
    "decrypt_payload",
    "dumps_payload",
    "ed25519_pk_to_curve25519",
    "ed25519_sk_to_curve25519",
    "encode_envelope",
    "encrypt_ed25519",
    "encrypt_payload",
    "generate_key_pair",
    "hybrid_decrypt",
    "hybrid_encrypt",
    "payload_metadata",
    "skeleton",
]

__version__ = _version("ensync-core")
