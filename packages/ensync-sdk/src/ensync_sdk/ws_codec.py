"""The EnSync WebSocket text protocol: command lines out, replies and deliveries in (no I/O).

Requests are ``COMMAND;KEY=:value;KEY=:value``; replies ``+PASS:<content>`` or
``-FAIL:<reason>``; deliveries ``+RECORD:<json>``; replays ``+REPLAY:<json>``; the node sends
``PING`` and expects ``PONG``. Values are not escaped, so a value holding ``;`` is refused.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ensync_core import EnSyncError, EnSyncValidationError
from ensync_sdk.events import RawMessage

__all__ = [
    "Frame",
    "FrameKind",
    "encode_command",
    "parse_command",
    "parse_conn_reply",
    "parse_defer_reply",
    "parse_frame",
    "parse_pub_reply",
    "parse_record",
]

_COMMAND = re.compile(r"[A-Z][A-Z_]*")
_KEY = re.compile(r"[A-Z][A-Z_]*")
_DECIMAL = re.compile(r"-?[0-9]{1,20}")


def encode_command(command: str, fields: Mapping[str, object]) -> str:
    """One request line; :class:`EnSyncValidationError` for a value that cannot be framed."""
    if not _COMMAND.fullmatch(command):
        raise EnSyncValidationError(f"invalid WebSocket command name {command!r}")
    parts = [command]
    for key, value in fields.items():
        if not _KEY.fullmatch(key):
            raise EnSyncValidationError(f"invalid WebSocket field name {key!r}")
        text = value if isinstance(value, str) else str(value)
        if ";" in text:
            raise EnSyncValidationError(
                f"the {key} value contains ';', which the EnSync WebSocket protocol cannot "
                f"carry; remove it or use the gRPC engine"
            )
        if "\n" in text or "\r" in text:
            raise EnSyncValidationError(
                f"the {key} value contains a line break, which the EnSync WebSocket protocol "
                f"cannot carry"
            )
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise EnSyncValidationError(
                    f"the {key} value is not valid Unicode (lone surrogate at position "
                    f"{exc.start})",
                    cause=exc,
                ) from exc
        parts.append(f"{key}=:{text}")
    return ";".join(parts)


def parse_command(line: str) -> tuple[str, dict[str, str]]:
    """Split a request line into its command and fields (the node side of the protocol)."""
    command, *pairs = line.split(";")
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=:")
        if not sep:
            raise ValueError(f"malformed field {pair!r} (expected KEY=:value)")
        fields[key] = value
    return command, fields


class FrameKind(enum.Enum):
    """What a frame from the node is."""

    PASS = "+PASS:"
    FAIL = "-FAIL:"
    RECORD = "+RECORD:"
    REPLAY = "+REPLAY:"
    PING = "PING"


@dataclass(frozen=True, slots=True)
class Frame:
    """One parsed frame from the node: its kind and its content after the prefix."""

    kind: FrameKind
    content: str

    def json(self) -> Any:
        """Parse the content as JSON (records and replays)."""
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError) as exc:
            raise EnSyncError(
                f"the node sent a {self.kind.name} frame that is not JSON", cause=exc
            ) from exc


def parse_frame(text: str) -> Frame:
    """Classify a text frame from the node; :class:`EnSyncError` for an unknown one."""
    if text == "PING":
        return Frame(FrameKind.PING, "")
    for kind in (FrameKind.PASS, FrameKind.FAIL, FrameKind.RECORD, FrameKind.REPLAY):
        if text.startswith(kind.value):
            return Frame(kind, text[len(kind.value) :])
    raise EnSyncError(f"the node sent an unknown frame starting {text[:20]!r}")


def parse_conn_reply(content: str) -> tuple[str, str]:
    """``{clientId=<id>,clientHash=<hash>}`` -> ``(client_id, client_hash)``."""
    body = content.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    values: dict[str, str] = {}
    for pair in body.split(","):
        key, sep, value = pair.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    if not values.get("clientId"):
        raise EnSyncError(f"the node's CONN reply has no clientId: {content[:80]!r}")
    return values["clientId"], values.get("clientHash", "")


def _integer(value: Any) -> int | None:
    """An integral JSON number or decimal string as ``int``; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return int(value)
    return None


def parse_record(data: Any, fallback_name: str) -> RawMessage:
    """A ``+RECORD:``/``+REPLAY:`` JSON object as a :class:`RawMessage` (payload still encrypted).

    ``idem`` (or ``id``) is required; a missing, negative or non-integral ``block`` becomes 0 (an
    ack then names no block) and a missing or unusable ``loggedAt`` ``None``.
    :class:`EnSyncError` when the record cannot be used.
    """
    if not isinstance(data, Mapping):
        raise EnSyncError("the node sent a record that is not a JSON object")
    idem = data.get("idem", data.get("id"))
    if idem is None or isinstance(idem, Mapping | list) or str(idem) == "":
        raise EnSyncError("the node sent a record without idem")
    name = data.get("name")
    sender = data.get("sender")
    return RawMessage(
        idem=str(idem),
        name=name if isinstance(name, str) and name else fallback_name,
        payload=str(data.get("payload", "")),
        block=max(_integer(data.get("block")) or 0, 0),
        metadata=data.get("metadata") or {},
        sender=sender if isinstance(sender, str) else "",
        logged_at=_integer(data.get("loggedAt")),
    )


def _json_or_none(content: str) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def parse_pub_reply(content: str) -> str:
    """The event id in a ``PUB`` reply: the plain text, or ``idem``/``id`` of a JSON object."""
    data = _json_or_none(content)
    if isinstance(data, Mapping):
        idem = data.get("idem", data.get("id"))
        if isinstance(idem, str | int) and not isinstance(idem, bool):
            return str(idem)
    return content


def parse_defer_reply(content: str) -> int:
    """The planned delivery time (ms) in a ``DEFER`` reply ``{"deliveryTime": n}``; 0 unknown."""
    data = _json_or_none(content)
    if isinstance(data, Mapping):
        return _integer(data.get("deliveryTime")) or 0
    return 0
