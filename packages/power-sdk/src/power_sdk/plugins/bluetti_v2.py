"""The Bluetti V2 runtime plugin: transport ``mqtt``, vendor ``bluetti``, protocol ``v2``."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from power_sdk.client import AsyncClient
from power_sdk.devices.profiles import get_profile
from power_sdk.errors import ConfigError, TlsError
from power_sdk.models.types import MONITORING_GROUPS, BlockGroup
from power_sdk.parser.registry import SchemaRegistry
from power_sdk.parser.schema import BlockSchema, ParsedBlock
from power_sdk.runtime.registry import PluginRegistry
from power_sdk.transport.mqtt import MqttTransport
from power_sdk.transport.tls import load_pkcs12, read_pkcs12

__all__ = ["BluettiVendor", "MqttTransportPlugin", "V2Protocol", "register"]

T = TypeVar("T")
D = TypeVar("D")


def _option(options: Mapping[str, Any], name: str, kind: Callable[[Any], T], default: D) -> T | D:
    """One option converted to ``kind``; a value that does not convert is a ConfigError."""
    if name not in options or options[name] is None:
        return default
    value = options[name]
    try:
        if kind is bool and not isinstance(value, bool):
            raise ValueError(value)
        if kind is int and (
            isinstance(value, bool) or (isinstance(value, float) and not value.is_integer())
        ):
            raise ValueError(value)  # int() would silently cut 1.9 to 1
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"invalid value {value!r} at transport.opts.{name}; expected {kind.__name__}"
        ) from None


def _int_list(value: Any) -> list[int]:
    if isinstance(value, str | bytes):
        raise ValueError(value)
    return [int(item) for item in value]


class MqttTransportPlugin:
    """MQTT connections; devices on the same broker with the same credentials share one.

    Options use the published package's names (``broker`` + ``port``, ``pfx_cert``,
    ``cert_password``); this package's earlier names are aliases.
    """

    options = frozenset(
        {
            "broker",
            "port",
            "tls",
            "allow_insecure",
            "pfx_cert",
            "cert_password",
            "ca_file",
            "tls_insecure",
            "username",
            "password",
            "keepalive",
            "connect_timeout",
        }
    )
    aliases: Mapping[str, str] = {"pfx": "pfx_cert", "pfx_password": "cert_password"}

    def key(self, options: Mapping[str, Any]) -> Hashable:
        """Broker, certificate and user identify a connection."""
        return (
            options.get("broker"),
            options.get("port"),
            _hashable(options.get("pfx_cert")),
            options.get("username"),
        )

    def create(self, options: Mapping[str, Any]) -> MqttTransport:
        """Build the transport from the options (no I/O)."""
        broker = options.get("broker")
        if not broker:
            raise ConfigError("the mqtt transport needs a broker at transport.opts.broker")
        certificate = options.get("pfx_cert")
        if certificate is not None and not isinstance(certificate, str | bytes):
            raise ConfigError(
                f"invalid value {certificate!r} at transport.opts.pfx_cert; expected the path "
                "of the .pfx file"
            )
        tls = _option(options, "tls", bool, None)
        allow_insecure = _option(options, "allow_insecure", bool, True)
        try:
            transport = MqttTransport(
                str(broker),
                port=_option(options, "port", int, None),
                tls=tls,
                pfx=certificate or None,
                pfx_password=options.get("cert_password"),
                ca_file=options.get("ca_file"),
                tls_insecure=_option(options, "tls_insecure", bool, False),
                username=options.get("username"),
                password=options.get("password"),
                keepalive=_option(options, "keepalive", int, 30),
                connect_timeout=_option(options, "connect_timeout", float, 5.0),
            )
        except ConfigError as exc:
            raise ConfigError(f"{exc} (at transport.opts)") from None
        if not allow_insecure and not transport.tls:
            raise ConfigError(
                "allow_insecure is false but the connection to "
                f"{transport.host}:{transport.port} would be plain MQTT; give pfx_cert "
                "(and cert_password), an mqtts:// broker or tls: true"
            )
        return transport

    def check(self, options: Mapping[str, Any]) -> list[str]:
        """Offline checks of the TLS files (blocking file reads: not for the event loop).

        The certificate must be readable and, when its password is known, open with it; the
        CA file must load. Returns warnings (a password without a certificate).
        """
        warnings = []
        certificate = options.get("pfx_cert")
        password = options.get("cert_password")
        if certificate:
            data = certificate if isinstance(certificate, bytes) else read_pkcs12(certificate)
            if password:
                load_pkcs12(data, password)
        elif password:
            warnings.append(
                "cert_password is set but there is no pfx_cert: the connection uses no client "
                "certificate and the password is not used"
            )
        ca_file = options.get("ca_file")
        if ca_file:
            try:
                ssl.create_default_context().load_verify_locations(cafile=str(ca_file))
            except (OSError, ValueError) as exc:
                raise TlsError(f"cannot load the CA file {str(ca_file)!r}: {exc}") from exc
        return warnings

    async def connect(self, transport: Any) -> None:
        """Connect (or wait for the automatic reconnect)."""
        await transport.connect()

    async def close(self, transport: Any) -> None:
        """Disconnect and delete TLS temp files."""
        await transport.close()


def _first(value: Any, default: str) -> Any:
    return default if value is None else value


def _hashable(value: Any) -> Hashable:
    return value if isinstance(value, Hashable) else repr(value)


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

    options = frozenset({"device_sn", "timeout", "retries", "backoff", "groups", "blocks"})
    aliases: Mapping[str, str] = {"serial": "device_sn"}
    protocols = frozenset({"v2"})

    def open(
        self,
        *,
        device_id: str,
        profile_id: str,
        options: Mapping[str, Any],
        transport: Any,
        protocol: Any,
        schemas: Sequence[BlockSchema] = (),
    ) -> _BluettiSession:
        """Open a device; polls ``groups`` or an explicit ``blocks`` list.

        The default groups are the published package's five (core, grid, battery, cells,
        inverter); the settings, energy, IoT, schedule, system and accessory blocks are
        read when a device names their groups or blocks.

        ``schemas`` (from the runtime file) are added to, or replace, the built-in ones.
        """
        profile = get_profile(profile_id)
        client = AsyncClient(
            str(_first(options.get("device_sn"), device_id)),
            profile=profile,
            transport=transport,
            timeout=_option(options, "timeout", float, 5.0),
            retries=_option(options, "retries", int, 2),
            backoff=_option(options, "backoff", float, 0.2),
            schemas=protocol.schemas(),
        )
        for schema in schemas:
            client.register_schema(schema, replace=True)
        blocks: list[int]
        if "blocks" in options:
            blocks = _option(options, "blocks", _int_list, [])
        else:
            names = options.get("groups") or [g.value for g in MONITORING_GROUPS]
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list | tuple):
                raise ConfigError(
                    f"invalid value {names!r} at transport.opts.groups; "
                    "expected a list of block groups such as [core, battery]"
                )
            blocks = [b for name in names for b in profile.group(BlockGroup.parse(name))]
        for block in blocks:
            client.schemas.get(block)
        return _BluettiSession(client, blocks)


def register(registry: PluginRegistry) -> None:
    """Entry point: add the Bluetti V2 transport, vendor and protocol."""
    registry.register_transport("mqtt", MqttTransportPlugin())
    registry.register_vendor("bluetti", BluettiVendor())
    registry.register_protocol("v2", V2Protocol())
