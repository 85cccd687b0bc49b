"""Language packs (``parameters.json``, ``units.json``): JSON objects of translated texts."""

from __future__ import annotations

import json
from typing import Any

from pybragerone.errors import BragerAssetError

__all__ = ["parse_i18n"]


def parse_i18n(text: str | bytes) -> dict[str, str]:
    """Flatten a language pack to ``{"dotted.key": "text"}``.

    Nested objects give dotted keys (``{"parameters": {"PARAM_0": "x"}}`` ->
    ``parameters.PARAM_0``); numbers become text; lists and nulls are left out. Raises
    :class:`BragerAssetError` when the text is not a JSON object.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:  # also a number too long for int()
        raise BragerAssetError(f"language pack is not valid JSON: {exc}") from exc
    except RecursionError:
        raise BragerAssetError("language pack nests too deep") from None
    if not isinstance(data, dict):
        raise BragerAssetError(f"language pack must be a JSON object, got {type(data).__name__}")
    out: dict[str, str] = {}
    try:
        _flatten(data, "", out)
    except RecursionError:
        raise BragerAssetError("language pack nests too deep") from None
    return out


def _flatten(node: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        elif isinstance(value, str):
            out[name] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = str(value)
