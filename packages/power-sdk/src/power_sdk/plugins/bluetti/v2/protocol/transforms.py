"""Transforms (``"scale:0.1"``... or :func:`scale` and friends), by their published path."""

from power_sdk.parser.transforms import (
    TRANSFORMS,
    abs_,
    bitmask,
    clamp,
    compile_transforms,
    hex_enable_list,
    minus,
    scale,
    shift,
)

__all__ = [
    "TRANSFORMS",
    "abs_",
    "bitmask",
    "clamp",
    "compile_transforms",
    "hex_enable_list",
    "minus",
    "scale",
    "shift",
]
