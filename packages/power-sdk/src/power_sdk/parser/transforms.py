"""The transform pipeline, applied in order after the datatype decode.

Transforms: ``abs``, ``scale:X``, ``minus:X``, ``bitmask:X``, ``shift:X``, ``clamp:MIN:MAX``
and ``hex_enable_list:MODE:INDEX`` (one small flag field out of a 16-bit register, as the
vendor app reads them). :func:`scale`, :func:`minus`... build the same specs with type checks.

Transform specs are compiled once, when a schema is registered; an unknown name or a bad
argument is a :class:`~power_sdk.errors.SchemaError` then, never at parse time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from power_sdk.errors import SchemaError

__all__ = [
    "TRANSFORMS",
    "Transform",
    "abs_",
    "bitmask",
    "clamp",
    "compile_transforms",
    "hex_enable_list",
    "minus",
    "scale",
    "shift",
    "transform_spec",
]

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
    if not digits:
        return lambda v: v * factor
    # Round to the factor's precision so 2305 x 0.1 reads 230.5, not 230.50000000000003.
    if digits > 9:
        return lambda v: round(v * factor, digits)
    # An integer (every raw register value is one) times numerator / 10**digits is that
    # rounded value already: the division is correctly rounded, so it gives the float
    # nearest to the exact decimal, as round() does, in a tenth of round()'s time.
    divisor = 10**digits
    numerator = int(Decimal(args[0]).scaleb(digits))
    if numerator == 1:
        return lambda v: v / divisor if v.__class__ is int else round(v * factor, digits)
    return lambda v: v * numerator / divisor if v.__class__ is int else round(v * factor, digits)


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


def _enable_list(spec: str, args: list[str]) -> Transform:
    """Element ``INDEX`` of the register read as a list of small flag fields.

    The vendor app turns the 16-bit register into its bits, most significant first, cuts
    them into chunks of 2 bits (3 with ``MODE`` 3; a short last chunk is dropped) and reads
    each chunk least significant bit first.
    """
    _arity(spec, args, 2)
    mode, index = _integer(spec, args[0]), _integer(spec, args[1])
    size = 3 if mode == 3 else 2
    count = 16 // size
    if index >= count:
        raise SchemaError(
            f"transform {spec!r}: index {index} is out of range; {size}-bit chunks give "
            f"indexes 0..{count - 1}"
        )
    first = 15 - index * size  # bit number of the chunk's first (least significant) bit

    def pick(value: Any) -> int:
        raw = int(value)
        if not 0 <= raw <= 0xFFFF:
            raise ValueError(f"hex_enable_list needs a 16-bit value, got {raw}")
        return sum((raw >> (first - j) & 1) << j for j in range(size))

    return pick


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
    "hex_enable_list": _enable_list,
}

#: transforms that only make sense on a 16-bit value
_SIXTEEN_BIT = frozenset({"hex_enable_list"})


def transform_spec(item: Any) -> str:
    """The text form of one transform: a spec string, or anything with ``to_spec()``."""
    if isinstance(item, str):
        return item
    to_spec = getattr(item, "to_spec", None)
    if callable(to_spec):
        spec = to_spec()
        if isinstance(spec, str):
            return spec
    raise SchemaError(f"transform {item!r} must be a string such as 'scale:0.1'")


def compile_transforms(specs: Sequence[str], *, width: int | None = None) -> Transform | None:
    """Compile transform specs into one function (``None`` when there are none).

    ``width`` is the field's size in bits, checked by transforms that need a given one.
    """
    steps: list[Transform] = []
    for spec in specs:
        if not isinstance(spec, str):
            raise SchemaError(f"transform {spec!r} must be a string such as 'scale:0.1'")
        name, *args = spec.strip().split(":")
        if name in _SIXTEEN_BIT and width is not None and width != 16 and not steps:
            raise SchemaError(f"transform {spec!r} reads a 16-bit register, not {width} bits")
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


# -- typed constructors: the same specs, checked where they are written ---------------------


def abs_() -> str:
    """``abs``: the magnitude."""
    return "abs"


def scale(factor: float) -> str:
    """``scale:X``: multiply by a finite, non-zero ``factor``."""
    if isinstance(factor, bool) or not math.isfinite(factor) or factor == 0:
        raise SchemaError(f"scale factor must be a finite number other than 0, got {factor!r}")
    return f"scale:{factor!r}"


def minus(amount: float) -> str:
    """``minus:X``: subtract ``amount`` (temperatures are often sent as value + 40)."""
    if isinstance(amount, bool) or not math.isfinite(amount):
        raise SchemaError(f"minus needs a finite number, got {amount!r}")
    return f"minus:{amount!r}"


def bitmask(mask: int) -> str:
    """``bitmask:0x..``: AND with ``mask``."""
    if isinstance(mask, bool) or not isinstance(mask, int) or mask < 0:
        raise SchemaError(f"bitmask needs a non-negative integer, got {mask!r}")
    return f"bitmask:{mask:#x}"


def shift(bits: int) -> str:
    """``shift:N``: shift right by ``bits``."""
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 0:
        raise SchemaError(f"shift needs a non-negative integer, got {bits!r}")
    return f"shift:{bits}"


def clamp(low: float, high: float) -> str:
    """``clamp:MIN:MAX``: limit to ``low..high``."""
    if not low <= high:
        raise SchemaError(f"clamp minimum {low!r} is above maximum {high!r}")
    return f"clamp:{low!r}:{high!r}"


def hex_enable_list(mode: int, index: int) -> str:
    """``hex_enable_list:MODE:INDEX``: one flag field of a 16-bit register (see above)."""
    spec = f"hex_enable_list:{mode}:{index}"
    compile_transforms([spec])
    return spec
