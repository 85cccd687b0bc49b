"""Standard base64 as EnSync uses it, straight through ``binascii`` (no per-call regex).

``base64.b64decode(text, validate=True)`` checks its input with a regular expression before
decoding; ``binascii.a2b_base64(text, strict_mode=True)`` (Python 3.11+) refuses the same
inputs (characters outside the alphabet, misplaced or missing padding) inside the C decoder.
Each message carries four base64 fields, so the difference shows per event.
"""

from __future__ import annotations

import binascii

__all__ = ["b64decode", "b64encode"]


def b64decode(text: str | bytes) -> bytes:
    """Decode strict standard base64; ``binascii.Error`` or ``ValueError`` when it is not."""
    return binascii.a2b_base64(text, strict_mode=True)


def b64encode(data: bytes) -> str:
    """Standard base64 text of ``data`` (padded, no newline)."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")
