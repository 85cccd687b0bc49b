"""The Bluetti V2 runtime plugin: transport ``mqtt``, vendor ``bluetti``, protocol ``v2``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from power_sdk.client import AsyncClient
from power_sdk.device.profiles import BlockGroup, get_profile
from power_sdk.errors import ConfigError
from power_sdk.parser.registry import SchemaRegistry
from power_sdk.parser.schema import ParsedBlock
from power_sdk.runtime.registry import PluginRegistry
from power_sdk.transport.mqtt import MqttTransport

__all__ = ["BluettiVendor", "MqttTransportPlugin", "V2Protocol", "register"]


class MqttTransportPlugin:
    """MQTT connections; devices on the same broker with the same credentials share one."""

    options = frozenset(
        {
            "broker",
            "pfx",
            "pfx_password",
            "ca_file",
            "tls_insecure",
            "username",
            "password",
            "keepalive",
            "connect_timeout",
        }
    )

    def key(self, options: Mapping[str, Any]) -> Hashable:
        """Broker, certificate and user identify a connection."""
        return (options.get("broker"), options.get("pfx"), options.get("username"))

    def create(self, options: Mapping[str, Any]) -> MqttTransport:
        """Build the transport from the options."""
        broker = options.get("broker")
        if not broker:
            raise ConfigError("the mqtt transport needs a broker at transport.opts.broker")
        return MqttTransport(
            str(broker),
            pfx=options.get("pfx"),
            pfx_password=options.get("pfx_password"),
            ca_file=options.get("ca_file"),
            tls_insecure=bool(options.get("tls_insecure", False)),
            username=options.get("username"),
            password=options.get("password"),
            keepalive=int(options.get("keepalive", 30)),
            connect_timeout=float(options.get("connect_timeout", 5.0)),
        )

    async def connect(self, transport: Any) -> None:
        """Connect (or wait for the automatic reconnect)."""
        await transport.connect()

    async def close(self, transport: Any) -> None:
        """Disconnect and delete TLS temp files."""
        await transport.close()


class V2Protocol:
    """Bluetti V2: Modbus RTU framing and the V2 block schemas."""

    name = "v2"

    def schemas(self) -> SchemaRegistry:
        """A fresh schema registry for one device."""
        return SchemaRegistry.with_builtins()


class _BluettiSession:
    def __init__(self, client: AsyncClient, blocks: Sequence[int]) -> None:
        self.serial = client.serial
        self.client = client
        self._blocks = tuple(blocks)

    @property
    def block_ids(self) -> Sequence[int]:
        return self._blocks

    async def read(self, block_id: int) -> ParsedBlock:
        return await self.client.read_block(block_id)

    async def close(self) -> None:
        await self.client.close()


class BluettiVendor:
    """Bluetti V2 devices (EL30V2, EL100V2, ELITE200V2)."""

    options = frozenset({"serial", "timeout", "retries", "backoff", "groups", "blocks"})
    protocols = frozenset({"v2"})

    def open(
        self,
        *,
        device_id: str,
        profile_id: str,
        options: Mapping[str, Any],
        transport: Any,
        protocol: Any,
    ) -> _BluettiSession:
        """Open a device; polls ``groups`` (default: all) or an explicit ``blocks`` list."""
        profile = get_profile(profile_id)
        client = AsyncClient(
            str(options.get("serial", device_id)),
            profile=profile,
            transport=transport,
            timeout=float(options.get("timeout", 5.0)),
            retries=int(options.get("retries", 2)),
            backoff=float(options.get("backoff", 0.2)),
            schemas=protocol.schemas(),
        )
        if "blocks" in options:
            blocks = [int(b) for b in options["blocks"]]
        else:
            try:
                groups = [
                    BlockGroup(g) for g in options.get("groups", [g.value for g in BlockGroup])
                ]
            except ValueError as exc:
                raise ConfigError(
                    f"{exc} at transport.opts.groups; use {', '.join(g.value for g in BlockGroup)}"
                ) from None
            blocks = [b for g in groups for b in profile.group(g)]
        for block in blocks:
            client.schemas.get(block)
        return _BluettiSession(client, blocks)


def register(registry: PluginRegistry) -> None:
    """Entry point: add the Bluetti V2 transport, vendor and protocol."""
    registry.register_transport("mqtt", MqttTransportPlugin())
    registry.register_vendor("bluetti", BluettiVendor())
    registry.register_protocol("v2", V2Protocol())
