"""Type checks of parsed models: the generated ``from_dict`` copies JSON values unchecked.

``Branch.from_dict({"instantPowerW": "abc", ...})`` succeeds and leaves a string where a float
belongs; the error would surface much later, far from its cause, or never (silently wrong
figures). :func:`check_model` walks a parsed model against its field annotations and names the
first value of the wrong type. The checks are built once per annotation, so a valid answer
costs one cheap pass.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs

from span_panel_api.generated_client import models
from span_panel_api.generated_client.types import Unset

__all__ = ["ModelMismatchError", "check_model"]


class ModelMismatchError(ValueError):
    """A parsed value does not have the type the API document gives it."""


#: A problem found: (where, relative to the checked value; what is wrong).
Problem = tuple[str, str]
#: Checks one value; ``None`` when it is fine.
Check = Callable[[object], Problem | None]


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _exact(*kinds: type, expected: str) -> Check:
    """Accept values whose type is exactly one of ``kinds`` (so ``True`` is no integer)."""
    allowed = frozenset(kinds)

    def check(value: object) -> Problem | None:
        if type(value) in allowed:
            return None
        return ("", f"is {_describe(value)}, expected {expected}")

    _EXACT_TYPES[check] = allowed
    return check


#: The accepted types of every check made by :func:`_exact`, for the fast path of models.
_EXACT_TYPES: dict[Check, frozenset[type]] = {}


def _union(options: list[Check], allow_unset: bool) -> Check:
    def check(value: object) -> Problem | None:
        if allow_unset and isinstance(value, Unset):
            return None
        for option in options:
            problem = option(value)
            if problem is not None:
                return problem
        return None

    return check


def _list(item: Check) -> Check:
    def check(value: object) -> Problem | None:
        if not isinstance(value, list):
            return ("", f"is {_describe(value)}, expected a list")
        for index, element in enumerate(value):
            problem = item(element)
            if problem is not None:
                return (f"[{index}]{problem[0]}", problem[1])
        return None

    return check


def _mapping(item: Check) -> Check:
    def check(value: object) -> Problem | None:
        for key, element in typing.cast(dict[str, object], value).items():
            problem = item(element)
            if problem is not None:
                return (f"[{key!r}]{problem[0]}", problem[1])
        return None

    return check


def _accept(value: object) -> Problem | None:
    return None


@cache
def _check_for(hint: Any) -> Check:
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        options = typing.get_args(hint)
        return _union([_check_for(o) for o in options if o is not Unset], Unset in options)
    if hint is Any:
        return _accept
    if origin is list:
        return _list(_check_for(typing.get_args(hint)[0]))
    if origin is dict:
        value_hint = typing.get_args(hint)[1]
        return _accept if value_hint is Any else _mapping(_check_for(value_hint))
    if hint is float:
        return _exact(float, int, expected="a number")
    if hint is int:
        return _exact(int, expected="an integer")
    if attrs.has(hint):
        return _model_check(hint)
    if isinstance(hint, type):  # str, bool and the generated enums (which are final)
        return _exact(hint, expected=hint.__name__)
    raise TypeError(f"no check for the annotation {hint!r}")  # pragma: no cover


@cache
def _model_check(cls: type[Any]) -> Check:
    namespace = {**vars(models), "Unset": Unset, "Any": Any}
    hints = typing.get_type_hints(cls, localns=namespace)
    fields: list[tuple[str, str, frozenset[type], Check]] = []
    for field in attrs.fields(cls):
        # Extra JSON keys land in ``additional_properties``; name them as the JSON does.
        label = "" if field.name == "additional_properties" else f".{field.name}"
        field_check = _check_for(hints[field.name])
        fields.append((field.name, label, _EXACT_TYPES.get(field_check, frozenset()), field_check))

    def check(value: object) -> Problem | None:
        if not isinstance(value, cls):
            return ("", f"is {_describe(value)}, expected {cls.__name__}")
        for name, label, exact, field_check in fields:
            field_value = getattr(value, name)
            if type(field_value) in exact:  # the common case, without a call
                continue
            problem = field_check(field_value)
            if problem is not None:
                return (f"{label}{problem[0]}", problem[1])
        return None

    return check


def check_model(model: object) -> None:
    """Raise :class:`ModelMismatchError` naming the first field whose value has the wrong type.

    The message reads like ``branches[3].instant_power_w is 'abc', expected a number``.
    """
    kind: Any = type(model)
    problem = _check_for(kind)(model)
    if problem is not None:
        where = problem[0].removeprefix(".")
        raise ModelMismatchError(f"{where} {problem[1]}" if where else problem[1])
