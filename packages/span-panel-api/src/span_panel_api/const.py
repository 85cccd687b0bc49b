"""HTTP status codes the panel answers with, grouped by what the client does about them.

The wrapper (:mod:`span_panel_api.exceptions`, :mod:`span_panel_api.client`) decides on these
names, so a status is spelled once. The groups are tuples, as in the published 1.x releases.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AUTH_ERROR_CODES",
    "HTTP_BAD_GATEWAY",
    "HTTP_FORBIDDEN",
    "HTTP_GATEWAY_TIMEOUT",
    "HTTP_INTERNAL_SERVER_ERROR",
    "HTTP_NOT_FOUND",
    "HTTP_OK",
    "HTTP_SERVICE_UNAVAILABLE",
    "HTTP_TOO_MANY_REQUESTS",
    "HTTP_UNAUTHORIZED",
    "RETRIABLE_ERROR_CODES",
    "SERVER_ERROR_CODES",
]

HTTP_OK: Final = 200
HTTP_UNAUTHORIZED: Final = 401
HTTP_FORBIDDEN: Final = 403
HTTP_NOT_FOUND: Final = 404
HTTP_TOO_MANY_REQUESTS: Final = 429
HTTP_INTERNAL_SERVER_ERROR: Final = 500
HTTP_BAD_GATEWAY: Final = 502
HTTP_SERVICE_UNAVAILABLE: Final = 503
HTTP_GATEWAY_TIMEOUT: Final = 504

#: The token is missing, unknown or revoked: authenticate again (never retried as is).
AUTH_ERROR_CODES: Final = (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN)
#: A gateway in between failed or the panel is busy: another attempt may succeed.
RETRIABLE_ERROR_CODES: Final = (HTTP_BAD_GATEWAY, HTTP_SERVICE_UNAVAILABLE, HTTP_GATEWAY_TIMEOUT)
#: The panel failed inside: repeating the same request would fail the same way.
SERVER_ERROR_CODES: Final = (HTTP_INTERNAL_SERVER_ERROR,)
