"""Engine and client options, from the dictionaries the published clients accept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ensync_core import EnSyncValidationError

__all__ = ["ClientOptions", "EngineOptions"]


def _flag(options: Mapping[str, Any], *keys: str) -> bool:
    for key in keys:
        if key in options:
            value = options[key]
            if not isinstance(value, bool):
                raise EnSyncValidationError(f"option {key!r} must be True or False, got {value!r}")
            return value
    return False


def _number(options: Mapping[str, Any], key: str, default: float, minimum: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise EnSyncValidationError(f"option {key!r} must be a number >= {minimum}, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Options of :class:`~ensync_sdk.EnSyncEngine` and :class:`~ensync_sdk.EnSyncWebSocketEngine`.

    Times are in milliseconds, as in the published clients.
    """

    enable_logging: bool = False
    disable_tls: bool = False
    reconnect_interval: float = 5000.0
    max_reconnect_attempts: int = 10
    heartbeat_interval: float = 30000.0
    request_timeout: float = 30000.0

    KNOWN = frozenset(
        {
            "enableLogging",
            "enable_logging",
            "disable_tls",
            "reconnect_interval",
            "max_reconnect_attempts",
            "heartbeat_interval",
            "request_timeout",
        }
    )

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> EngineOptions:
        """Validate an options dictionary; unknown keys and wrong types are refused."""
        if options is None:
            return cls()
        if not isinstance(options, Mapping):
            raise EnSyncValidationError(
                f"engine options must be a dict, got {type(options).__name__}"
            )
        unknown = sorted(set(options) - cls.KNOWN)
        if unknown:
            raise EnSyncValidationError(
                f"unknown engine option(s) {unknown}; known: {sorted(cls.KNOWN)}"
            )
        attempts = options.get("max_reconnect_attempts", 10)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
            raise EnSyncValidationError(
                f"option 'max_reconnect_attempts' must be an integer >= 0, got {attempts!r}"
            )
        return cls(
            enable_logging=_flag(options, "enableLogging", "enable_logging"),
            disable_tls=_flag(options, "disable_tls"),
            reconnect_interval=_number(options, "reconnect_interval", 5000.0, 0.0),
            max_reconnect_attempts=attempts,
            heartbeat_interval=_number(options, "heartbeat_interval", 30000.0, 1.0),
            request_timeout=_number(options, "request_timeout", 30000.0, 1.0),
        )

    def reconnect_delay(self, attempt: int) -> float:
        """Seconds to wait before reconnect ``attempt`` (1-based): interval x 1.5^(attempt-1)."""
        return self.reconnect_interval * 1.5 ** (attempt - 1) / 1000.0


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Options of ``create_client``: the app secret key that decrypts received payloads."""

    app_secret_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> ClientOptions:
        """Validate a ``create_client`` options dictionary."""
        if options is None:
            return cls()
        if not isinstance(options, Mapping):
            raise EnSyncValidationError(
                f"client options must be a dict, got {type(options).__name__}"
            )
        unknown = sorted(set(options) - {"app_secret_key"})
        if unknown:
            raise EnSyncValidationError(
                f"unknown client option(s) {unknown}; known: ['app_secret_key']"
            )
        secret = options.get("app_secret_key")
        if secret is not None and not isinstance(secret, str):
            raise EnSyncValidationError("option 'app_secret_key' must be base64 text")
        return cls(app_secret_key=secret)
