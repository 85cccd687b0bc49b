"""The exceptions every EnSync client raises: one base, one subclass per kind of failure."""

from __future__ import annotations

__all__ = [
    "EnSyncAuthError",
    "EnSyncConnectionError",
    "EnSyncDecryptionError",
    "EnSyncError",
    "EnSyncPublishError",
    "EnSyncSubscriptionError",
    "EnSyncValidationError",
]


class EnSyncError(Exception):
    """Base of every EnSync error.

    ``error_type`` names the kind of failure the way the published clients do
    (``"EnSyncAuthError"``, ...); ``cause`` is the underlying exception, if any, and is also
    chained as ``__cause__``.
    """

    default_error_type = "EnSyncGenericError"

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type or self.default_error_type
        self.cause = cause
        if cause is not None:
            self.__cause__ = cause

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, error_type={self.error_type!r})"


class EnSyncAuthError(EnSyncError):
    """The node refused the access key, or the app secret key does not fit it."""

    default_error_type = "EnSyncAuthError"


class EnSyncConnectionError(EnSyncError):
    """The node could not be reached, or the connection was lost and could not be restored."""

    default_error_type = "EnSyncConnectionError"


class EnSyncPublishError(EnSyncError):
    """The node did not accept a published event."""

    default_error_type = "EnSyncPublishError"


class EnSyncSubscriptionError(EnSyncError):
    """A subscription, or one of its controls (ack, defer, pause, ...), failed."""

    default_error_type = "EnSyncSubscriptionError"


class EnSyncDecryptionError(EnSyncError):
    """A payload could not be decrypted: tampered, malformed, or not addressed to this key."""

    default_error_type = "EnSyncDecryptionError"


class EnSyncValidationError(EnSyncError):
    """An argument was refused before anything was sent (bad key, event name, payload...)."""

    default_error_type = "EnSyncValidationError"
