"""The transform pipeline, applied in order after the datatype decode.

Transforms: ``abs``, ``scale:X``, ``minus:X``, ``bitmask:X``, ``shift:X``, ``clamp:MIN:MAX``.

Transform specs are compiled once, when a schema is registered; an unknown name or a bad
argument is a :class:`~power_sdk.errors.SchemaError` then, never at parse time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from power_sdk.errors import SchemaError

__all__ = ["TRANSFORMS", "Transform", "compile_transforms"]

Transform = Callable[[Any], Any]


def _number(spec: str, arg: str) -> int | float:
    try:
        if arg.lower().startswith(("0x", "-0x")):
            return int(arg, 16)
        value = Decimal(arg)
    except (ValueError, InvalidOperation):
        raise SchemaError(f"transform {spec!r}: {arg!r} is not a number") from None
    if not value.is_finite():
        raise SchemaError(f"transform {spec!r}: {arg!r} is not a finite number")
    if value == value.to_integral_value() and "." not in arg:
        return int(value)
    number = float(value)
    if not math.isfinite(number):
        raise SchemaError(f"transform {spec!r}: {arg!r} is too large for a float")
    return number


def _integer(spec: str, arg: str) -> int:
    value = _number(spec, arg)
    if not isinstance(value, int) or value < 0:
        raise SchemaError(f"transform {spec!r}: {arg!r} must be a non-negative integer")
    return value


def _decimals(arg: str) -> int:
    """Decimal places of a decimal argument (0 for integers and ``0x`` hex)."""
    if arg.lower().startswith(("0x", "-0x")):
        return 0
    exponent = Decimal(arg).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _abs(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 0)
    return abs


def _scale(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 1)
    factor = _number(spec, args[0])
    digits = _decimals(args[0])
    if digits:
        # Round to the factor's precision so 2305 x 0.1 reads 230.5, not 230.50000000000003.
        return lambda v: round(v * factor, digits)
    return lambda v: v * factor


def _minus(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 1)
    amount = _number(spec, args[0])
    digits = _decimals(args[0])
    if digits:
        return lambda v: round(v - amount, digits)
    return lambda v: v - amount


def _bitmask(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 1)
    mask = _integer(spec, args[0])
    return lambda v: int(v) & mask


def _shift(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 1)
    bits = _integer(spec, args[0])
    return lambda v: int(v) >> bits


def _clamp(spec: str, args: list[str]) -> Transform:
    _arity(spec, args, 2)
    low, high = _number(spec, args[0]), _number(spec, args[1])
    if low > high:
        raise SchemaError(f"transform {spec!r}: minimum {low} is above maximum {high}")
    return lambda v: min(max(v, low), high)


def _arity(spec: str, args: list[str], expected: int) -> None:
    if len(args) != expected or any(not a for a in args):
        raise SchemaError(f"transform {spec!r} takes {expected} argument(s), got {len(args)}")


#: transform name -> factory taking (spec, arguments)
TRANSFORMS: dict[str, Callable[[str, list[str]], Transform]] = {
    "abs": _abs,
    "scale": _scale,
    "minus": _minus,
    "bitmask": _bitmask,
    "shift": _shift,
    "clamp": _clamp,
}


def compile_transforms(specs: Sequence[str]) -> Transform | None:
    """Compile transform specs into one function (``None`` when there are none)."""
    steps: list[Transform] = []
    for spec in specs:
        if not isinstance(spec, str):
            raise SchemaError(f"transform {spec!r} must be a string such as 'scale:0.1'")
        name, *args = spec.strip().split(":")
        factory = TRANSFORMS.get(name)
        if factory is None:
            known = ", ".join(sorted(TRANSFORMS))
            raise SchemaError(f"unknown transform {name!r} in {spec!r}; known: {known}")
        steps.append(factory(spec, args))
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]
    if len(steps) == 2:
        first, second = steps
        return lambda v: second(first(v))

    def chain(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return chain
