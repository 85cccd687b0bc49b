"""StateStore: parameter families (``P4:1``) grouping their channels, with labels and units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pybragerone.assets.catalog import AssetCatalog
from pybragerone.models.param import ParamUpdate
from pybragerone.store._consumer import BusConsumer

__all__ = ["FamilyState", "StateStore"]

_EMPTY_CATALOG = AssetCatalog()


@dataclass(slots=True)
class FamilyState:
    """One parameter family of one device: channels ``v/s/u/n/x/...``, metadata, label, unit."""

    devid: str
    pool: str
    index: int
    channels: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    symbol: str | None = None
    label: str = ""
    unit: str | None = None
    ha_unit: str | None = None
    ha_category: str | None = None
    writable: bool = False

    @property
    def name(self) -> str:
        """``P4:1``."""
        return f"{self.pool}:{self.index}"

    @property
    def value(self) -> Any:
        """The ``v`` channel."""
        return self.channels.get("v")

    @property
    def status(self) -> Any:
        """The ``s`` channel."""
        return self.channels.get("s")

    @property
    def minimum(self) -> Any:
        """The ``n`` channel."""
        return self.channels.get("n")

    @property
    def maximum(self) -> Any:
        """The ``x`` channel."""
        return self.channels.get("x")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (what ``flatten()`` returns per family)."""
        return {
            "value": self.value,
            "label": self.label,
            "unit": self.unit,
            "ha_unit": self.ha_unit,
            "ha_category": self.ha_category,
            "symbol": self.symbol,
            "status": self.status,
            "min": self.minimum,
            "max": self.maximum,
            "writable": self.writable,
            "channels": dict(self.channels),
        }


class StateStore(BusConsumer):
    """Families per device, labelled and united through an optional :class:`AssetCatalog`.

    Families of unknown pools or indexes (no asset describes them) are kept with a fallback
    label (``P4:1``) and counted in :attr:`unknown_families`.
    """

    _subscriber_name = "StateStore"

    def __init__(self, catalog: AssetCatalog | None = None) -> None:
        super().__init__()
        self._catalog = catalog or _EMPTY_CATALOG
        self._families: dict[str, dict[str, FamilyState]] = {}

    @property
    def unknown_families(self) -> int:
        """How many families the catalog does not describe (0 without a catalog)."""
        if self._catalog is _EMPTY_CATALOG:
            return 0
        return sum(
            family.symbol is None
            for families in self._families.values()
            for family in families.values()
        )

    @property
    def catalog(self) -> AssetCatalog:
        """The catalog labels and units come from."""
        return self._catalog

    def set_catalog(self, catalog: AssetCatalog) -> None:
        """Use another catalog and re-resolve every family's label and unit."""
        self._catalog = catalog
        for families in self._families.values():
            for family in families.values():
                self._resolve(family)

    def _resolve(self, family: FamilyState) -> None:
        described = self._catalog.describe(
            family.pool, family.index, unit_code=family.channels.get("u")
        )
        family.symbol = described.symbol
        family.label = described.label
        family.unit = described.unit
        family.ha_unit = described.ha_unit
        family.ha_category = described.ha_category
        family.writable = described.writable

    def ingest(self, update: ParamUpdate) -> None:
        """Apply one cell update to its family."""
        if update.seq > self.last_seq:
            self.last_seq = update.seq
        families = self._families.setdefault(update.devid, {})
        name = f"{update.pool}:{update.idx}"
        family = families.get(name)
        created = family is None
        if family is None:
            family = families[name] = FamilyState(update.devid, update.pool, update.idx)
        if update.meta is not None:
            family.meta.setdefault(update.chan, {}).update(update.meta)
        if update.value is not None or update.meta is None:
            family.channels[update.chan] = update.value
        if created or update.chan == "u":
            self._resolve(family)

    def family(self, devid: str, name: str) -> FamilyState | None:
        """The family ``name`` (``P4:1``) of ``devid``."""
        return self._families.get(devid, {}).get(name)

    def families(self, devid: str) -> list[FamilyState]:
        """Every family of ``devid``."""
        return list(self._families.get(devid, {}).values())

    @property
    def devices(self) -> list[str]:
        """Devices with at least one family."""
        return list(self._families)

    def flatten(
        self, permissions: Iterable[str] | None = None, level: int = 0
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """``{devid: {"P4:1": {value, label, unit, ha_unit, ...}}}`` for every family.

        With ``permissions`` only the families the catalog's ``module.menu`` shows to such a
        user (and ``level``) are included, as the web app would show them.
        """
        visible = None if permissions is None else self._catalog.visible_symbols(permissions, level)
        return {
            devid: {
                name: family.as_dict()
                for name, family in families.items()
                if visible is None or family.symbol in visible
            }
            for devid, families in self._families.items()
        }
