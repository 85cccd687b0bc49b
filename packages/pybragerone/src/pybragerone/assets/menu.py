"""``module.menu``: menu sections, the parameters each shows, and who may see them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pybragerone.assets.jsparse import iter_object_literals
from pybragerone.errors import BragerAssetError

__all__ = ["MenuParam", "MenuRoute", "ModuleMenu", "parse_module_menu"]


class MenuParam(BaseModel):
    """A parameter shown in a section; ``permission`` (if any) is needed to see it."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    permission: str | None = None
    writable: bool = False


class MenuRoute(BaseModel):
    """A menu section; visible when the user holds ``permission`` and ``min_level``."""

    name: str
    display_name: str | None = None
    permission: str | None = None
    min_level: int = 0
    parameters: list[MenuParam] = Field(default_factory=list)
    children: list[MenuRoute] = Field(default_factory=list)

    def is_visible(self, permissions: frozenset[str], level: int) -> bool:
        """Whether a user with ``permissions`` and access ``level`` sees this section."""
        return (self.permission is None or self.permission in permissions) and (
            self.min_level <= level
        )


class ModuleMenu(BaseModel):
    """The parsed ``module.menu``."""

    priority: int | None = None
    routes: list[MenuRoute] = Field(default_factory=list)

    def walk(self) -> Iterator[MenuRoute]:
        """Every section, depth first."""
        stack = list(reversed(self.routes))
        while stack:
            route = stack.pop()
            yield route
            stack.extend(reversed(route.children))

    def visible_routes(self, permissions: Iterable[str], level: int = 0) -> list[MenuRoute]:
        """Sections the user sees (a hidden section hides its children too)."""
        perms = frozenset(permissions)
        out: list[MenuRoute] = []
        stack = list(reversed(self.routes))
        while stack:
            route = stack.pop()
            if route.is_visible(perms, level):
                out.append(route)
                stack.extend(reversed(route.children))
        return out

    def visible_symbols(self, permissions: Iterable[str], level: int = 0) -> set[str]:
        """Parameter symbols the user sees, by section visibility and parameter permission."""
        perms = frozenset(permissions)
        return {
            p.symbol
            for route in self.visible_routes(perms, level)
            for p in route.parameters
            if p.permission is None or p.permission in perms
        }

    def all_symbols(self) -> set[str]:
        """Every parameter symbol the menu mentions."""
        return {p.symbol for route in self.walk() for p in route.parameters}


def _params(raw: Any, *, writable: bool) -> list[MenuParam]:
    out: list[MenuParam] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            out.append(MenuParam(symbol=item, writable=writable))
        elif isinstance(item, dict) and isinstance(item.get("token"), str):
            perm = item.get("permission")
            out.append(
                MenuParam(
                    symbol=item["token"],
                    permission=perm if isinstance(perm, str) else None,
                    writable=writable,
                )
            )
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _route(raw: Any, depth: int = 0) -> MenuRoute | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or depth > 50:
        return None
    meta, params = _dict(raw.get("meta")), _dict(raw.get("parameters"))
    level = meta.get("minLevel", 0)
    display = meta.get("displayName")
    permission = meta.get("permission")
    children = raw.get("children")
    return MenuRoute(
        name=raw["name"],
        display_name=display if isinstance(display, str) else None,
        permission=permission if isinstance(permission, str) else None,
        min_level=level if isinstance(level, int) and not isinstance(level, bool) else 0,
        parameters=_params(params.get("read"), writable=False)
        + _params(params.get("write"), writable=True),
        children=[c for child in _list(children) if (c := _route(child, depth + 1)) is not None],
    )


def _routes_of(obj: dict[str, Any]) -> list[Any] | None:
    routes = obj.get("routes")
    if isinstance(routes, list):
        return routes
    menu = obj.get("deviceMenu")  # the REST answer wraps the menu
    routes = menu.get("routes") if isinstance(menu, dict) else None
    return routes if isinstance(routes, list) else None


def _menu(obj: dict[str, Any], routes: list[Any]) -> ModuleMenu:
    priority = obj.get("priority")
    return ModuleMenu(
        priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else None,
        routes=[r for raw in routes if (r := _route(raw)) is not None],
    )


def parse_module_menu(source: str | dict[str, Any]) -> ModuleMenu:
    """Parse ``module.menu`` from minified JS, JSON text, or the REST ``deviceMenu`` answer.

    Raises :class:`BragerAssetError` when no object with a ``routes`` list is found.
    """
    if isinstance(source, dict):
        candidates: Iterable[Any] = [source]
    else:
        candidates = iter_object_literals(source)
        stripped = source.lstrip()
        if stripped.startswith("{"):
            try:
                data = json.loads(stripped)
            except (ValueError, RecursionError):  # not JSON (maybe a JS literal), or hostile
                data = None
            if isinstance(data, dict):
                candidates = [data]
    for obj in candidates:
        routes = _routes_of(obj) if isinstance(obj, dict) else None
        if routes is not None:
            return _menu(obj, routes)
    raise BragerAssetError("module.menu holds no object with 'routes'; is it the right file?")
