"""ParamStore: the latest value of every cell (``P4.v1``), per device."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pybragerone.models.param import ParamUpdate
from pybragerone.store._consumer import BusConsumer

__all__ = ["ParamStore"]


class ParamStore(BusConsumer):
    """Latest value per key and device, fed by :meth:`ingest` or by :meth:`run` on a bus."""

    _subscriber_name = "ParamStore"

    def __init__(self) -> None:
        super().__init__()
        self._values: dict[str, dict[str, Any]] = {}
        self._meta: dict[str, dict[str, dict[str, Any]]] = {}
        self.ingested = 0

    def ingest(self, update: ParamUpdate) -> None:
        """Apply one update; a metadata-only frame keeps the value and updates the metadata."""
        self.ingested += 1
        if update.seq > self.last_seq:
            self.last_seq = update.seq
        key = f"{update.pool}.{update.chan}{update.idx}"
        meta = update.meta
        if meta is not None:
            self._meta.setdefault(update.devid, {}).setdefault(key, {}).update(meta)
            if update.value is None:
                return
        values = self._values.get(update.devid)
        if values is None:
            values = self._values[update.devid] = {}
        values[key] = update.value

    def ingest_many(self, updates: Iterable[ParamUpdate]) -> None:
        """Apply updates in order."""
        for update in updates:
            self.ingest(update)

    def get(self, devid: str, key: str, default: Any = None) -> Any:
        """The latest value of ``key`` (``P4.v1``) on ``devid``."""
        return self._values.get(devid, {}).get(key, default)

    def meta(self, devid: str, key: str) -> dict[str, Any]:
        """The latest metadata of ``key`` on ``devid`` (empty when none came)."""
        return dict(self._meta.get(devid, {}).get(key, {}))

    @property
    def devices(self) -> list[str]:
        """Devices with at least one value."""
        return list(self._values)

    def device(self, devid: str) -> dict[str, Any]:
        """A copy of every value of one device, ``{"P4.v1": 54.5, ...}``."""
        return dict(self._values.get(devid, {}))

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """A copy of everything: ``{devid: {"P4.v1": value, ...}}``."""
        return {devid: dict(values) for devid, values in self._values.items()}

    def to_nested(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Values nested like the server's payloads: ``{devid: {"P4": {"v1": value}}}``."""
        nested: dict[str, dict[str, dict[str, Any]]] = {}
        for devid, values in self._values.items():
            pools: dict[str, dict[str, Any]] = {}
            for key, value in values.items():
                pool, _, cell = key.partition(".")
                pools.setdefault(pool, {})[cell] = value
            nested[devid] = pools
        return nested

    def __len__(self) -> int:
        return sum(len(values) for values in self._values.values())
