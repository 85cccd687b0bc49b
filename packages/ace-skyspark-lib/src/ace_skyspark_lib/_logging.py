"""The package's structlog logger, routed through the standard ``logging`` module.

The logger is wrapped locally (no global ``structlog.configure``), so applications keep their own
structlog setup; records reach ``logging.getLogger("ace_skyspark_lib")`` as key=value text.
Any key that looks like a secret is masked before rendering, as a second line of defence: the
client never passes secrets to the logger in the first place.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["get_logger", "redact"]

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
