"""The exceptions the client raises: one base, one subclass per kind of failure.

HTTP statuses map as follows (see :func:`error_for_status`):

=========== ============================== =========
status      exception                      retried
=========== ============================== =========
401, 403    :class:`SpanPanelAuthError`    no
500         :class:`SpanPanelServerError`  no
502-504     :class:`SpanPanelRetriableError` yes
other 4xx   :class:`SpanPanelAPIError`     no
=========== ============================== =========

Connection failures raise :class:`SpanPanelConnectionError` and timeouts
:class:`SpanPanelTimeoutError`; both are retried. An answer that does not match the v1 API
(not JSON, a missing field, a value of the wrong type) raises :class:`SpanPanelAPIError`
naming the field; it is not retried.
"""

from __future__ import annotations

from span_panel_api.const import (
    AUTH_ERROR_CODES,
    HTTP_INTERNAL_SERVER_ERROR,
    RETRIABLE_ERROR_CODES,
    SERVER_ERROR_CODES,
)

__all__ = [
    "RETRIABLE_STATUSES",
    "SimulationConfigurationError",
    "SpanPanelAPIError",
    "SpanPanelAuthError",
    "SpanPanelConnectionError",
    "SpanPanelError",
    "SpanPanelRetriableError",
    "SpanPanelServerError",
    "SpanPanelSimulationError",
    "SpanPanelTimeoutError",
    "SpanPanelValidationError",
    "error_for_status",
]

#: Statuses that mean "busy or a gateway in between failed": worth another attempt.
RETRIABLE_STATUSES = frozenset(RETRIABLE_ERROR_CODES)


class SpanPanelError(Exception):
    """Base of every error raised by span_panel_api."""


class SpanPanelValidationError(SpanPanelError, ValueError):
    """An argument was refused before any request was sent (bad enum value, read-only circuit)."""


class SpanPanelConnectionError(SpanPanelError):
    """The panel could not be reached, or it closed the connection without answering."""


class SpanPanelTimeoutError(SpanPanelError):
    """The panel did not answer within the client's timeout."""


class SpanPanelAPIError(SpanPanelError):
    """The panel answered with an error status, or with an answer the v1 API does not allow.

    Attributes:
        status_code: The HTTP status the panel answered with.

    """

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class SpanPanelAuthError(SpanPanelAPIError):
    """The panel refused the request: the token is missing, unknown or revoked (401/403)."""


class SpanPanelServerError(SpanPanelAPIError):
    """The panel failed internally (500); repeating the request would not help."""


class SpanPanelRetriableError(SpanPanelAPIError):
    """The panel (or a gateway) was busy or unavailable (502/503/504); it is worth retrying."""


class SpanPanelSimulationError(SpanPanelError):
    """A simulation-only operation was used on a client talking to a real panel."""


class SimulationConfigurationError(SpanPanelError):
    """The simulation configuration (YAML or mapping) is invalid; the message names the key."""


def error_for_status(status_code: int, operation: str, detail: str = "") -> SpanPanelAPIError:
    """Build the exception matching an HTTP error status of ``operation``."""
    suffix = f": {detail}" if detail else ""
    if status_code in AUTH_ERROR_CODES:
        return SpanPanelAuthError(
            f"{operation} was refused with HTTP {status_code}{suffix}; call authenticate() "
            "(with the panel in pairing mode) or set_access_token() with a valid token",
            status_code,
        )
    if status_code in SERVER_ERROR_CODES:
        return SpanPanelServerError(
            f"{operation} failed inside the panel (HTTP {HTTP_INTERNAL_SERVER_ERROR}){suffix}; "
            "the request is not retried, check the panel's firmware or try again later",
            status_code,
        )
    if status_code in RETRIABLE_STATUSES:
        return SpanPanelRetriableError(
            f"{operation} got HTTP {status_code} (panel busy or unavailable){suffix}; raise "
            "`retries` or try again later",
            status_code,
        )
    return SpanPanelAPIError(f"{operation} failed with HTTP {status_code}{suffix}", status_code)
