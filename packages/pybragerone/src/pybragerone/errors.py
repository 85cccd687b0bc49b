"""The exceptions of pybragerone: one base, one subclass per failure a user can meet."""

from __future__ import annotations

__all__ = [
    "BragerApiError",
    "BragerAssetError",
    "BragerAuthError",
    "BragerCommandTimeoutError",
    "BragerConfigError",
    "BragerConnectionError",
    "BragerError",
    "BragerKeyError",
    "BragerPayloadError",
    "BragerRealtimeError",
]


class BragerError(Exception):
    """Base of every error raised by pybragerone."""


class BragerConfigError(BragerError, ValueError):
    """A setting is invalid (a server URL, a queue size): fix the value passed in."""


class BragerConnectionError(BragerError):
    """The server could not be reached (network down, DNS, timeout)."""


class BragerAuthError(BragerError):
    """Login failed or the session cannot be renewed: check the e-mail and password."""


class BragerApiError(BragerError):
    """The server answered a request with an error status."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class BragerCommandTimeoutError(BragerApiError):
    """A module command was sent but the device did not confirm it in time (HTTP 408).

    The write may still be applied later; read the parameter back before retrying.
    """


class BragerRealtimeError(BragerError):
    """The Socket.IO connection could not be established or bound to the modules."""


class BragerPayloadError(BragerError):
    """A snapshot or event payload does not have the expected shape."""


class BragerKeyError(BragerError, KeyError):
    """A REST record was indexed with a key it does not have (``module["nope"]``).

    Also a ``KeyError``, so ``record.get(key)`` and ``except KeyError`` work as on a dict.
    """

    def __str__(self) -> str:
        # KeyError quotes its argument as a repr; this message is prose.
        return str(self.args[0]) if self.args else ""


class BragerAssetError(BragerError):
    """A web-app asset (i18n JSON, parameter bundle, module menu) could not be parsed."""
