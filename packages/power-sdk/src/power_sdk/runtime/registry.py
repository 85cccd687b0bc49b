"""A registry of the plugins pipelines name: transports, vendors and protocols.

Plugins register themselves: a module exposes ``register(registry)`` and is listed under the
``power_sdk.plugins`` entry-point group (the built-in Bluetti V2 plugin is registered the same
way). A second vendor therefore needs no change to this package.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol

from power_sdk.errors import UnknownPluginError
from power_sdk.parser.schema import BlockSchema, ParsedBlock

__all__ = [
    "DeviceSession",
    "PluginRegistry",
    "TransportPlugin",
    "VendorPlugin",
    "default_registry",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "power_sdk.plugins"

#: the installed plugins, found when this module is imported: finding them reads the
#: installation's metadata files, which must not happen on a running event loop
INSTALLED_PLUGINS: tuple[EntryPoint, ...] = tuple(entry_points(group=ENTRY_POINT_GROUP))


class DeviceSession(Protocol):
    """One device opened by a vendor plugin: which blocks to poll and how to read one."""

    serial: str

    @property
    def block_ids(self) -> Sequence[int]:
        """Blocks read every poll cycle, in order."""
        ...

    async def read(self, block_id: int) -> ParsedBlock:
        """Read and parse one block."""
        ...

    async def close(self) -> None:
        """Release what the session holds (not the shared transport)."""
        ...


class TransportPlugin(Protocol):
    """Creates transports; devices whose options share a key share one transport."""

    options: frozenset[str]

    def key(self, options: Mapping[str, Any]) -> Hashable:
        """Identity of the connection the options describe."""
        ...

    def create(self, options: Mapping[str, Any]) -> Any:
        """Build (not connect) a transport."""
        ...

    async def connect(self, transport: Any) -> None:
        """Connect the transport (idempotent)."""
        ...

    async def close(self, transport: Any) -> None:
        """Close the transport."""
        ...


class VendorPlugin(Protocol):
    """Opens devices of one vendor on a transport, speaking one of its protocols."""

    options: frozenset[str]
    protocols: frozenset[str]

    def open(
        self,
        *,
        device_id: str,
        profile_id: str,
        options: Mapping[str, Any],
        transport: Any,
        protocol: Any,
        schemas: Sequence[BlockSchema],
    ) -> DeviceSession:
        """Open one device session; ``schemas`` are the config's extra block schemas."""
        ...


class PluginRegistry:
    """Transports, vendors and protocols by name."""

    def __init__(self) -> None:
        self.transports: dict[str, TransportPlugin] = {}
        self.vendors: dict[str, VendorPlugin] = {}
        self.protocols: dict[str, Any] = {}

    def register_transport(self, name: str, plugin: TransportPlugin) -> None:
        """Make ``name`` usable as a pipeline ``transport``."""
        self.transports[name] = plugin

    def register_vendor(self, name: str, plugin: VendorPlugin) -> None:
        """Make ``name`` usable as a pipeline ``vendor``."""
        self.vendors[name] = plugin

    def register_protocol(self, name: str, protocol: Any) -> None:
        """Make ``name`` usable as a pipeline ``protocol`` (an object its vendors understand)."""
        self.protocols[name] = protocol

    def _get(self, kind: str, table: Mapping[str, Any], name: str, where: str) -> Any:
        try:
            return table[name]
        except KeyError:
            known = ", ".join(sorted(table)) or "none"
            raise UnknownPluginError(
                f"no {kind} plugin named {name!r} (at {where}); registered: {known}"
            ) from None

    def transport(self, name: str, where: str = "pipeline") -> TransportPlugin:
        """The transport plugin ``name``."""
        plugin: TransportPlugin = self._get("transport", self.transports, name, where)
        return plugin

    def vendor(self, name: str, where: str = "pipeline") -> VendorPlugin:
        """The vendor plugin ``name``."""
        plugin: VendorPlugin = self._get("vendor", self.vendors, name, where)
        return plugin

    def protocol(self, name: str, where: str = "pipeline") -> Any:
        """The protocol ``name``."""
        return self._get("protocol", self.protocols, name, where)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Call ``register(self)`` of every plugin installed under ``group``.

        The default group uses :data:`INSTALLED_PLUGINS`; another one is looked up now
        (reading metadata files: not from a running event loop).
        """
        found = INSTALLED_PLUGINS if group == ENTRY_POINT_GROUP else entry_points(group=group)
        for entry in found:
            try:
                register: Callable[[PluginRegistry], None] = entry.load()
                register(self)
            except Exception:  # one broken third-party plugin must not take the rest down
                logger.exception("runtime plugin %s failed to load; skipped", entry.name)
                continue
            logger.debug("loaded runtime plugin %s", entry.name)


def default_registry() -> PluginRegistry:
    """A registry with the built-in plugins and every installed entry-point plugin."""
    from power_sdk.plugins import bluetti_v2

    registry = PluginRegistry()
    bluetti_v2.register(registry)
    registry.load_entry_points()
    return registry
