"""Every error this package raises derives from :class:`SkysparkError`."""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "CommitError",
    "FilterSyntaxError",
    "HaysonEncodeError",
    "HaysonParseError",
    "InvalidInputError",
    "ServerError",
    "SkysparkConnectionError",
    "SkysparkError",
    "SkysparkTimeoutError",
    "TagNotFoundError",
    "UnknownKeywordError",
    "ZincEncodeError",
    "ZincParseError",
]


class SkysparkError(Exception):
    """Base of every error raised by ace-skyspark-lib."""


class AuthenticationError(SkysparkError):
    """Logging in failed: wrong user name or password, or the server could not prove itself."""


class SkysparkConnectionError(SkysparkError):
    """The server could not be reached, or the connection broke before an answer arrived."""


class SkysparkTimeoutError(SkysparkConnectionError):
    """The server did not answer within the client's ``timeout``."""


class ServerError(SkysparkError):
    """The server answered with an error grid or an HTTP error status.

    ``dis`` is the server's message, ``err_trace`` its stack trace (if sent), ``err_type`` its
    error type, and ``status`` the HTTP status (200 for an error grid).
    """

    def __init__(
        self,
        message: str,
        *,
        dis: str | None = None,
        err_trace: str | None = None,
        err_type: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.dis = dis if dis is not None else message
        self.err_trace = err_trace
        self.err_type = err_type
        self.status = status


class CommitError(ServerError):
    """A commit was rejected, e.g. because a record changed since it was read (stale ``mod``).

    ``record_id`` names the record the server complained about, when known.
    """

    def __init__(self, message: str, *, record_id: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.record_id = record_id


class InvalidInputError(SkysparkError, ValueError):
    """An argument cannot be sent as given (e.g. creating a record that already has an id)."""


class ZincParseError(SkysparkError, ValueError):
    """Text is not valid Zinc; ``line`` and ``column`` (1-based) say where it went wrong.

    ``reason`` is the message without the position.
    """

    def __init__(self, message: str, *, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.reason = message
        self.line = line
        self.column = column


class ZincEncodeError(SkysparkError, TypeError):
    """A value cannot be written as Zinc (unsupported type, naive datetime, unnamed zone)."""


class FilterSyntaxError(SkysparkError, ValueError):
    """A Haystack filter is malformed; ``position`` (0-based) is where the problem starts."""

    def __init__(self, message: str, *, filter_text: str, position: int) -> None:
        super().__init__(f"invalid filter {filter_text!r}: {message} at position {position}")
        self.filter_text = filter_text
        self.position = position


class UnknownKeywordError(SkysparkError, TypeError):
    """A model was built with a keyword it does not have (``Site(area_sq_ft=...)``).

    Raised instead of dropping the value silently; the message names the keyword, the closest
    known one and where other tags go (``kv_tags`` / ``marker_tags``).
    """


class TagNotFoundError(SkysparkError, KeyError):
    """``record["tag"]`` on a model or a Haystack value that has no such tag or key."""

    def __str__(self) -> str:
        # KeyError quotes its argument; this message is a sentence.
        return str(self.args[0]) if self.args else ""


class HaysonParseError(SkysparkError, ValueError):
    """Text is not a Haystack 4 JSON (Hayson) grid or value; the message says what is wrong."""


class HaysonEncodeError(SkysparkError, TypeError):
    """A value cannot be written as Haystack 4 JSON (unsupported type, naive datetime, ...)."""
