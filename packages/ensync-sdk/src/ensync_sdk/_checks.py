"""Argument checks shared by the client and its subscriptions (run before anything is sent)."""

from __future__ import annotations

from ensync_core import EnSyncValidationError

__all__ = ["check_text", "is_int64"]


def check_text(value: object, what: str, *, allow_empty: bool = False, secret: bool = False) -> str:
    """Return ``value`` if it is a string the wire can carry; :class:`EnSyncValidationError` if not.

    Both transports send UTF-8, so a string holding a lone surrogate is refused here instead of
    failing half-way through a request. With ``secret`` the message never shows the value.
    """
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        kind = "a string" if allow_empty else "a non-empty string"
        shown = type(value).__name__ if secret else repr(value)
        raise EnSyncValidationError(f"{what} must be {kind}, got {shown}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EnSyncValidationError(
            f"{what} is not valid Unicode (lone surrogate at position {exc.start})", cause=exc
        ) from exc
    return value


def is_int64(value: object) -> bool:
    """Whether ``value`` fits the wire's non-negative int64 fields (``block``, ``delay_ms``)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
