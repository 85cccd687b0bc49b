"""AssetCatalog: labels, units and visibility of parameters, resolved from the parsed assets."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from pybragerone.assets.i18n import parse_i18n
from pybragerone.assets.menu import ModuleMenu, parse_module_menu
from pybragerone.assets.params import ParamMapping, parse_param_bundle
from pybragerone.assets.units import HA_CATEGORIES, UNIT_CODES, ha_unit
from pybragerone.assets.units import unit_code as code_of
from pybragerone.errors import BragerAssetError

__all__ = ["AssetCatalog", "ParamDescriptor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParamDescriptor:
    """What a user should see for parameter family ``pool:index``."""

    pool: str
    index: int
    symbol: str | None
    label: str
    unit: str | None
    ha_unit: str | None
    writable: bool = False
    ha_category: str | None = None


class AssetCatalog:
    """Resolves pool/index to symbol, label and unit, and symbols to visibility.

    Build it with :meth:`from_sources` from asset texts (garbage assets are logged and skipped,
    counted in :attr:`skipped_assets`), or with ``BragerApiClient.load_catalog``.
    """

    def __init__(
        self,
        *,
        labels: dict[str, str] | None = None,
        units: dict[str, str] | None = None,
        mappings: Iterable[ParamMapping] = (),
        menu: ModuleMenu | None = None,
    ) -> None:
        self.labels = dict(labels or {})
        self.units = dict(units or {})
        self.menu = menu
        self.skipped_assets = 0
        self._by_cell: dict[tuple[str, int], ParamMapping] = {}
        self._by_symbol: dict[str, ParamMapping] = {}
        for mapping in mappings:
            self._by_cell[(mapping.pool, mapping.index)] = mapping
            self._by_symbol[mapping.symbol] = mapping

    @classmethod
    def from_sources(
        cls,
        *,
        parameters_json: str | None = None,
        units_json: str | None = None,
        bundles: Iterable[str] = (),
        menu_js: str | None = None,
    ) -> AssetCatalog:
        """Parse asset texts; each one that cannot be parsed is logged and skipped."""
        skipped = 0
        labels: dict[str, str] = {}
        units: dict[str, str] = {}
        mappings: list[ParamMapping] = []
        menu: ModuleMenu | None = None
        for name, text, target in (
            ("parameters.json", parameters_json, labels),
            ("units.json", units_json, units),
        ):
            if text is None:
                continue
            try:
                target.update(parse_i18n(text))
            except BragerAssetError as exc:
                skipped += 1
                log.warning("skipping language pack %s: %s", name, exc)
        for n, bundle in enumerate(bundles):
            try:
                mappings.extend(parse_param_bundle(bundle))
            except BragerAssetError as exc:
                skipped += 1
                log.warning("skipping parameter bundle #%d: %s", n, exc)
        if menu_js is not None:
            try:
                menu = parse_module_menu(menu_js)
            except BragerAssetError as exc:
                skipped += 1
                log.warning("skipping module.menu: %s", exc)
        catalog = cls(labels=labels, units=units, mappings=mappings, menu=menu)
        catalog.skipped_assets = skipped
        return catalog

    @property
    def mappings(self) -> list[ParamMapping]:
        """Every known parameter mapping."""
        return list(self._by_symbol.values())

    def mapping_for(self, pool: str, index: int) -> ParamMapping | None:
        """The mapping of family ``pool:index``, if a bundle described it."""
        return self._by_cell.get((pool, index))

    def mapping_of(self, symbol: str) -> ParamMapping | None:
        """The mapping of a parameter symbol (``PARAM_0``)."""
        return self._by_symbol.get(symbol)

    def label_of(self, symbol: str) -> str | None:
        """The translated label of a symbol, looked up with and without a namespace."""
        return self.labels.get(f"parameters.{symbol}") or self.labels.get(symbol)

    def unit_text(self, unit: object) -> str | None:
        """Unit text for a unit code (language pack first, then the built-in table).

        A unit text (``"°C"``) is returned stripped; anything that is neither a code nor a
        text (a fraction, a list from a garbled cell, an out-of-range digit string) is ``None``.
        """
        code = code_of(unit)
        if code is None:
            text = unit.strip() if isinstance(unit, str) else ""
            return text if text and not text.isdigit() else None
        known = self.units.get(f"units.{code}") or self.units.get(str(code))
        return known if known is not None else UNIT_CODES.get(code)

    def describe(self, pool: str, index: int, *, unit_code: object = None) -> ParamDescriptor:
        """Label and unit of family ``pool:index``; ``unit_code`` is the live ``u`` cell.

        Unknown families get a fallback label (``P4:1``) and the unit of ``unit_code`` alone.
        """
        mapping = self.mapping_for(pool, index)
        symbol = mapping.symbol if mapping else None
        label = (self.label_of(symbol) if symbol else None) or f"{pool}:{index}"
        unit = unit_code if unit_code is not None else (mapping.unit if mapping else None)
        text = self.unit_text(unit)
        canonical = ha_unit(text)
        return ParamDescriptor(
            pool=pool,
            index=index,
            symbol=symbol,
            label=label,
            unit=text,
            ha_unit=canonical,
            writable=bool(mapping and mapping.writable),
            ha_category=None if canonical is None else HA_CATEGORIES.get(canonical),
        )

    def visible_symbols(self, permissions: Iterable[str], level: int = 0) -> set[str]:
        """Symbols the user may see; without a menu every known symbol is visible."""
        if self.menu is None:
            return set(self._by_symbol)
        return self.menu.visible_symbols(permissions, level)

    def is_visible(self, pool: str, index: int, permissions: Iterable[str], level: int = 0) -> bool:
        """Whether family ``pool:index`` is visible to a user with ``permissions``."""
        mapping = self.mapping_for(pool, index)
        if mapping is None:
            return False
        return mapping.symbol in self.visible_symbols(permissions, level)
