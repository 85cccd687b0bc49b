"""Parsers of the web app's assets and the catalog that resolves labels, units and visibility."""

from pybragerone.assets.catalog import AssetCatalog, ParamDescriptor
from pybragerone.assets.i18n import parse_i18n
from pybragerone.assets.jsparse import JSRef, iter_object_literals, parse_js_literal
from pybragerone.assets.menu import MenuParam, MenuRoute, ModuleMenu, parse_module_menu
from pybragerone.assets.params import CellRef, ParamMapping, parse_param_bundle
from pybragerone.assets.units import HA_CATEGORIES, UNIT_CODES, ha_category, ha_unit, unit_code

__all__ = [
    "HA_CATEGORIES",
    "UNIT_CODES",
    "AssetCatalog",
    "CellRef",
    "JSRef",
    "MenuParam",
    "MenuRoute",
    "ModuleMenu",
    "ParamDescriptor",
    "ParamMapping",
    "ha_category",
    "ha_unit",
    "iter_object_literals",
    "parse_i18n",
    "parse_js_literal",
    "parse_module_menu",
    "parse_param_bundle",
    "unit_code",
]
