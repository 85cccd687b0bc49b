"""What the runtime hands to sinks: one parsed block with where and when it came from."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import attrs

__all__ = ["Record"]


@attrs.frozen
class Record:
    """One block read from one device at ``timestamp`` (UTC)."""

    device_id: str
    serial: str
    profile: str
    block_id: int
    block_name: str
    values: dict[str, Any]
    units: dict[str, str]
    timestamp: datetime = attrs.field(factory=lambda: datetime.now(timezone.utc))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ts": self.timestamp.isoformat(timespec="milliseconds"),
            "device": self.device_id,
            "serial": self.serial,
            "profile": self.profile,
            "block_id": self.block_id,
            "block": self.block_name,
            "values": self.values,
            "units": self.units,
        }

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)
