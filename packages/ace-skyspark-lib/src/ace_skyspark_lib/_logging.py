"""The package's structlog logger, routed through the standard ``logging`` module.

The logger is wrapped locally (no global ``structlog.configure``), so applications keep their own
structlog setup; records reach ``logging.getLogger("ace_skyspark_lib")`` as key=value text.
Any key that looks like a secret is masked before rendering, as a second line of defence: the
client never passes secrets to the logger in the first place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["SecretFilter", "get_logger", "install_transport_log_filter", "redact"]

_SECRET_WORDS = ("password", "token", "authorization", "secret", "proof", "cookie")


def redact(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """Mask (a structlog processor) the value of every key naming a secret."""
    for key in list(event_dict):
        if any(word in key.lower() for word in _SECRET_WORDS):
            event_dict[key] = "***"
    return event_dict


def get_logger(name: str = "ace_skyspark_lib") -> Any:
    """A structlog logger writing to the stdlib logger ``name``."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            structlog.stdlib.filter_by_level,
            redact,
            structlog.processors.KeyValueRenderer(key_order=["event"], sort_keys=True),
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )


_SECRET_IN_TEXT = re.compile(r"(authToken=|BEARER |Bearer |password=)[^,\s'\")]+")
#: Loggers of the HTTP stack that print raw headers at DEBUG level.
_TRANSPORT_LOGGERS = ("httpcore.http11", "httpcore.http2", "httpcore.connection", "httpx")


class SecretFilter(logging.Filter):
    """Masks bearer tokens in records of the HTTP stack (httpcore logs raw headers at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message with every token masked; never drops a record."""
        message = record.getMessage()
        if _SECRET_IN_TEXT.search(message):
            record.msg = _SECRET_IN_TEXT.sub(r"\1***", message)
            record.args = None
        return True


_FILTER = SecretFilter()


def install_transport_log_filter() -> None:
    """Attach :class:`SecretFilter` to the httpx/httpcore loggers (once)."""
    for name in _TRANSPORT_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
