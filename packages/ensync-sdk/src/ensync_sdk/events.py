"""What a transport hands the client, and what a handler receives."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, TypedDict

__all__ = ["EnSyncEvent", "EventInfo", "RawMessage", "build_event", "parse_metadata"]


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One delivery as it came off the wire, payload still encrypted."""

    idem: str
    name: str
    payload: str
    block: int
    metadata: Any
    sender: str
    logged_at: int | None = None


class EventInfo(TypedDict):
    """Identifies a delivery in error callbacks (no payload: it could not be trusted)."""

    idem: str
    eventName: str
    block: int
    sender: str


class EnSyncEvent(TypedDict):
    """The event dict a handler receives (keys as the published clients name them)."""

    idem: str
    eventName: str
    messageName: str
    block: int
    timestamp: int
    payload: Any
    sender: str
    metadata: dict[str, Any]


def parse_metadata(raw: Any) -> dict[str, Any]:
    """Metadata as a dict: a JSON object string is parsed, anything unusable becomes ``{}``."""
    if isinstance(raw, dict):
        return raw
    if raw == "{}":  # what publishers without metadata send: no parser needed
        return {}
    if isinstance(raw, str) and raw:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            return {}
        if isinstance(value, dict):
            return value
    return {}


def info_of(message: RawMessage) -> EventInfo:
    """The identifying part of a delivery."""
    return EventInfo(
        idem=message.idem, eventName=message.name, block=message.block, sender=message.sender
    )


def build_event(message: RawMessage, payload: Any) -> EnSyncEvent:
    """The handler's event dict for a decrypted delivery."""
    timestamp = message.logged_at if message.logged_at else int(time.time() * 1000)
    return EnSyncEvent(
        idem=message.idem,
        eventName=message.name,
        messageName=message.name,
        block=message.block,
        timestamp=timestamp,
        payload=payload,
        sender=message.sender,
        metadata=parse_metadata(message.metadata),
    )
