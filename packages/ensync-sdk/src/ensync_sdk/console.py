"""``enableLogging``: the SDK's log lines on the console, without configuring ``logging`` first.

The published SDK prints its lines as soon as ``enableLogging`` is set; so do we, down to DEBUG,
through one handler on the ``ensync_sdk`` logger that writes to stderr. It stays silent as soon
as the application configured logging itself (a handler on the root logger or on the way to
it), so lines are never printed twice: then they go where the application sends them. Nothing
logged by the SDK holds a secret: access keys and secret keys never, client ids only as a hint.
"""

from __future__ import annotations

import logging

__all__ = ["enable_console_logging"]

_LOGGER = "ensync_sdk"
_FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"


class _ConsoleUntilConfigured(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to stderr while no other handler would show the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        logger: logging.Logger | None = logging.getLogger(_LOGGER)
        while logger is not None:
            if any(handler is not self for handler in logger.handlers):
                return False
            logger = logger.parent if logger.propagate else None
        return super().filter(record)


def enable_console_logging() -> None:
    """Show the SDK's lines from DEBUG up on stderr (idempotent)."""
    logger = logging.getLogger(_LOGGER)
    logger.setLevel(logging.DEBUG)
    if not any(isinstance(handler, _ConsoleUntilConfigured) for handler in logger.handlers):
        handler = _ConsoleUntilConfigured()
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
