"""Payload serialization and the ``payload_metadata`` sent beside each encrypted payload."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ensync_core.errors import EnSyncValidationError

__all__ = ["byte_size", "dumps_payload", "payload_metadata", "skeleton", "type_name"]

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


# One encoder for every payload: json.dumps with these options builds a new one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_CONTAINERS = (dict, list, tuple)


def dumps_payload(payload: Any) -> bytes:
    """Return the compact UTF-8 JSON of ``payload`` (the plaintext that gets encrypted).

    Raises :class:`EnSyncValidationError` when the payload is not JSON-serializable (objects,
    bytes, sets, NaN or infinity, non-string keys, lone surrogates in strings...).
    """
    try:
        # Encoding first also proves the payload finite and free of cycles for the key check.
        text = _ENCODER.encode(payload)
        _check_keys(payload)
        return text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        raise EnSyncValidationError(
            f"the payload is not JSON-serializable ({exc}); pass dicts with string keys, lists, "
            f"strings (valid Unicode), finite numbers, booleans and None only",
            cause=exc,
        ) from exc


def _check_keys(value: Any) -> None:
    """Refuse non-string dict keys: JSON would turn ``1`` and ``"1"`` into one key (data loss).

    Only called on a value the encoder accepted, so it is acyclic and the walk ends.
    """
    if not isinstance(value, _CONTAINERS):
        return
    pending = [value]
    while pending:
        item = pending.pop()
        children: Iterable[Any] = item
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    raise TypeError(
                        f"keys must be strings, got the {type(key).__name__} key {key!r}"
                    )
            children = item.values()
        pending.extend(child for child in children if isinstance(child, _CONTAINERS))


def byte_size(payload: Any) -> int:
    """Length in bytes of the payload's UTF-8 JSON."""
    return len(dumps_payload(payload))


_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    float: "double",
    str: "string",
    dict: "object",
    list: "array",
    tuple: "array",
}


def type_name(value: Any) -> str:
    """Return the skeleton type of one JSON value."""
    kind = type(value)
    if kind is int:
        return "integer" if _INT32_MIN <= value <= _INT32_MAX else "long"
    name = _TYPE_NAMES.get(kind)
    if name is not None:
        return name
    # Subclasses (an IntEnum, an OrderedDict...) are named by what JSON makes of them.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if _INT32_MIN <= value <= _INT32_MAX else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    raise EnSyncValidationError(
        f"the payload holds a {type(value).__name__}, which JSON cannot represent"
    )


def skeleton(payload: Any) -> dict[str, str]:
    """Return the type of each top-level key of an object payload (``{}`` for other payloads)."""
    if not isinstance(payload, dict):
        return {}
    for key in payload:  # top level only: nested keys were checked by dumps_payload
        if not isinstance(key, str):
            raise EnSyncValidationError(
                f"the payload is not JSON-serializable (keys must be strings, got the "
                f"{type(key).__name__} key {key!r})"
            )
    return {key: type_name(value) for key, value in payload.items()}


def payload_metadata(payload: Any, plaintext: bytes | None = None) -> dict[str, Any]:
    """``{"byte_size": ..., "skeleton": ...}``; pass ``plaintext`` if already serialized."""
    size = len(plaintext) if plaintext is not None else byte_size(payload)
    return {"byte_size": size, "skeleton": skeleton(payload)}
