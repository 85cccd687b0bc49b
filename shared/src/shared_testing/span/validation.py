"""Request-body validation for the span simulator, answering like the panel (HTTP 422).

Each schema is a small tree of checkers mirroring ``openapi/span-panel-api.yaml``; a failed
check yields ``{"loc": [...], "msg": ..., "type": ...}`` entries, as the panel reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "AUTH_IN",
    "BATTERY_STORAGE",
    "CIRCUIT_STATE_IN",
    "NICE_TO_HAVE_THRESHOLD",
    "RELAY_STATE_IN",
    "WIFI_CONNECT_IN",
    "Checker",
    "validate",
]

Error = dict[str, Any]
Checker = Callable[[Any, list[str]], list[Error]]


def _error(loc: list[str], msg: str, kind: str) -> list[Error]:
    return [{"loc": loc, "msg": msg, "type": kind}]


def string() -> Checker:
    """A JSON string."""

    def check(value: Any, loc: list[str]) -> list[Error]:
        return [] if isinstance(value, str) else _error(loc, "str type expected", "type_error.str")

    return check


def boolean() -> Checker:
    """A JSON boolean."""

    def check(value: Any, loc: list[str]) -> list[Error]:
        if isinstance(value, bool):
            return []
        return _error(loc, "value could not be parsed to a boolean", "type_error.bool")

    return check


def integer(minimum: int | None = None, maximum: int | None = None) -> Checker:
    """A JSON integer (not a float, not a boolean) within optional bounds."""

    def check(value: Any, loc: list[str]) -> list[Error]:
        if isinstance(value, bool) or not isinstance(value, int):
            return _error(loc, "value is not a valid integer", "type_error.integer")
        if minimum is not None and value < minimum:
            return _error(loc, f"ensure this value is >= {minimum}", "value_error.number.not_ge")
        if maximum is not None and value > maximum:
            return _error(loc, f"ensure this value is <= {maximum}", "value_error.number.not_le")
        return []

    return check


def enum(*choices: str) -> Checker:
    """One of ``choices``."""

    def check(value: Any, loc: list[str]) -> list[Error]:
        if isinstance(value, str) and value in choices:
            return []
        permitted = ", ".join(repr(c) for c in choices)
        return _error(
            loc,
            f"value is not a valid enumeration member; permitted: {permitted}",
            "type_error.enum",
        )

    return check


def obj(fields: Mapping[str, Checker], required: tuple[str, ...] = ()) -> Checker:
    """A JSON object; unknown members are ignored, as the panel does."""

    def check(value: Any, loc: list[str]) -> list[Error]:
        if not isinstance(value, dict):
            return _error(loc, "value is not a valid dict", "type_error.dict")
        errors: list[Error] = []
        for name in required:
            if name not in value:
                errors += _error([*loc, name], "field required", "value_error.missing")
        for name, checker in fields.items():
            if name in value:
                errors += checker(value[name], [*loc, name])
        return errors

    return check


def validate(checker: Checker, value: Any) -> list[Error]:
    """Every problem of a request body (empty when it is valid)."""
    return checker(value, ["body"])


_state_of_energy = obj({"percentage": integer(0, 100)})
_boolean_in = obj({"value": boolean()}, ("value",))

AUTH_IN = obj(
    {"name": string(), "description": string(), "otp": string(), "dashboardPassword": string()},
    ("name",),
)
RELAY_STATE_IN = obj({"relayState": enum("OPEN", "CLOSED")}, ("relayState",))
CIRCUIT_STATE_IN = obj(
    {
        "relayStateIn": RELAY_STATE_IN,
        "priorityIn": obj(
            {"priority": enum("NON_ESSENTIAL", "NICE_TO_HAVE", "MUST_HAVE")}, ("priority",)
        ),
        "circuitNameIn": obj({"name": string()}, ("name",)),
        "userControllableIn": _boolean_in,
        "sheddableIn": _boolean_in,
        "neverBackupIn": _boolean_in,
    }
)
BATTERY_STORAGE = obj({"soe": _state_of_energy}, ("soe",))
NICE_TO_HAVE_THRESHOLD = obj(
    {
        "nice_to_have_threshold_low_soe": _state_of_energy,
        "nice_to_have_threshold_high_soe": _state_of_energy,
    }
)
WIFI_CONNECT_IN = obj({"ssid": string(), "psk": string()}, ("ssid", "psk"))
