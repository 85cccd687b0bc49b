"""The public clients: :class:`AsyncClient` and its synchronous twin :class:`Client`.

A client talks to one device (serial + profile). It composes a transport (MQTT), the Modbus
protocol and the schema registry: frame the read, send it, check the answer, parse the block.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

from power_sdk.devices.profiles import DeviceProfile, get_profile
from power_sdk.errors import BrokerUnavailableError, ConfigError, TransportError
from power_sdk.models.device import DeviceState
from power_sdk.models.types import BlockGroup
from power_sdk.parser.registry import SchemaRegistry
from power_sdk.parser.schema import BlockSchema, ParsedBlock
from power_sdk.protocol import modbus
from power_sdk.transport.mqtt import MqttTransport

__all__ = ["AsyncClient", "Client"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _check_seconds(name: str, value: float, *, zero_ok: bool) -> None:
    valid = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value > 0 or (zero_ok and value == 0))
    )
    if not valid:
        limit = ">= 0" if zero_ok else "> 0"
        raise ConfigError(f"{name} must be a number of seconds {limit}, got {value!r}")


class AsyncClient:
    """Read and write one Bluetti V2 device over MQTT.

    Give either ``broker`` (a host name with ``port``, or an ``mqtt(s)://`` URL: the client
    opens and owns its transport) or a shared ``transport`` (the caller owns it; the serial
    may then come from its ``MQTTConfig``). Transport errors are retried ``retries`` times with
    exponential backoff starting at ``backoff`` seconds; protocol and parse errors are not.
    A broker that is away fails fast with :class:`~power_sdk.errors.BrokerUnavailableError`.
    """

    def __init__(
        self,
        serial: str | None = None,
        *,
        profile: str | DeviceProfile = "EL100V2",
        broker: str | None = None,
        port: int | None = None,
        transport: MqttTransport | None = None,
        pfx: str | os.PathLike[str] | bytes | None = None,
        pfx_password: str | None = None,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        schemas: SchemaRegistry | None = None,
    ) -> None:
        if (broker is None) == (transport is None):
            raise ConfigError(
                "give exactly one of broker= (the client opens its own connection) or "
                "transport= (a shared MqttTransport)"
            )
        if serial is None and transport is not None:
            serial = transport.device_sn  # MQTTTransport(MQTTConfig(device_sn=...))
        if not isinstance(serial, str) or not serial or any(c in serial for c in "/+#\x00"):
            raise ConfigError(
                f"device serial {serial!r} cannot name the MQTT topics SUB/<serial> and "
                "PUB/<serial>: it must be non-empty text without '/', '+', '#'"
            )
        _check_seconds("timeout", timeout, zero_ok=False)
        _check_seconds("backoff", backoff, zero_ok=True)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigError(f"retries must be an integer >= 0, got {retries!r}")
        self.serial = serial
        self.profile = profile if isinstance(profile, DeviceProfile) else get_profile(profile)
        self._owns_transport = transport is None
        self.transport = transport or MqttTransport(
            broker or "", port=port, pfx=pfx, pfx_password=pfx_password
        )
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.schemas = schemas if schemas is not None else SchemaRegistry.with_builtins()
        self.state = DeviceState(serial)

    async def connect(self) -> None:
        """Connect the transport (no-op for an already connected shared transport)."""
        await self.transport.connect()

    async def close(self) -> None:
        """Close the transport if this client owns it."""
        if self._owns_transport:
            await self.transport.close()

    async def __aenter__(self) -> AsyncClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- schemas ------------------------------------------------------------------------------

    def register_schema(self, schema: BlockSchema, *, replace: bool = False) -> list[str]:
        """Add a block schema to this client's registry; returns validation warnings."""
        return self.schemas.register(schema, replace=replace)

    # -- requests -----------------------------------------------------------------------------

    async def _exchange(self, frame: bytes) -> bytes:
        attempt = 0
        accept = functools.partial(modbus.answers, frame)
        while True:
            try:
                return await self.transport.request(
                    self.serial, frame, timeout=self.timeout, accept=accept
                )
            except BrokerUnavailableError:
                raise  # fail fast: nothing to wait for while the broker is away
            except TransportError as exc:
                if attempt >= self.retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                logger.info(
                    "device %s: %s; retry %d/%d in %.2f s",
                    self.serial,
                    exc,
                    attempt,
                    self.retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def read_registers(self, start: int, count: int) -> bytes:
        """Raw bytes of ``count`` registers from ``start`` (split into reads of <= 125)."""
        chunks = modbus.split_read(start, count)
        if len(chunks) == 1:  # the usual case: one read, its data as it is
            frame = modbus.build_read_request(start, count)
            return modbus.parse_read_response(await self._exchange(frame), expected_count=count)
        data = bytearray()
        for chunk_start, chunk_count in chunks:
            frame = modbus.build_read_request(chunk_start, chunk_count)
            answer = await self._exchange(frame)
            data += modbus.parse_read_response(answer, expected_count=chunk_count)
        return bytes(data)

    async def read_block(self, block_id: int, register_count: int | None = None) -> ParsedBlock:
        """Read and parse one block; ``register_count`` defaults to the profile's."""
        schema = self.schemas.get(block_id)
        if register_count is None:
            register_count = self.profile.blocks.get(block_id)
            if register_count is None:
                register_count = schema.register_count
        data = await self.read_registers(block_id, register_count)
        block = schema.parse(data, protocol=self.profile.protocol_version)
        self.state.update(block)
        return block

    def _group_blocks(self, group: BlockGroup | str) -> tuple[int, ...]:
        return self.profile.group(BlockGroup.parse(group))

    async def read_group(self, group: BlockGroup | str) -> dict[int, ParsedBlock]:
        """Read every block of ``group`` on this device's profile, by block id."""
        return {block.block_id: block async for block in self.stream_group(group)}

    async def stream_group(
        self, group: BlockGroup | str, *, interval: float | None = None
    ) -> AsyncGenerator[ParsedBlock, None]:
        """Yield the blocks of ``group`` as each arrives; with ``interval``, poll forever."""
        blocks = self._group_blocks(group)
        while True:
            for block_id in blocks:
                yield await self.read_block(block_id)
            if interval is None:
                return
            await asyncio.sleep(interval)

    async def write_register(self, register: int, value: int) -> modbus.WriteAck:
        """Write one register (function 0x06)."""
        frame = modbus.build_write_single_request(register, value)
        return modbus.parse_write_response(await self._exchange(frame), request=frame)

    async def write_registers(self, start: int, values: Sequence[int]) -> modbus.WriteAck:
        """Write consecutive registers (function 0x10)."""
        frame = modbus.build_write_multiple_request(start, tuple(values))
        return modbus.parse_write_response(await self._exchange(frame), request=frame)


class Client:
    """The synchronous client: :class:`AsyncClient` run on a private event loop thread."""

    def __init__(
        self,
        serial: str | None = None,
        *,
        profile: str | DeviceProfile = "EL100V2",
        broker: str | None = None,
        port: int | None = None,
        transport: MqttTransport | None = None,
        pfx: str | os.PathLike[str] | bytes | None = None,
        pfx_password: str | None = None,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        schemas: SchemaRegistry | None = None,
    ) -> None:
        options: dict[str, Any] = {
            "profile": profile,
            "broker": broker,
            "port": port,
            "transport": transport,
            "pfx": pfx,
            "pfx_password": pfx_password,
            "timeout": timeout,
            "retries": retries,
            "backoff": backoff,
            "schemas": schemas,
        }
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="power-sdk"
        )
        self._thread.start()
        try:
            self._async = self._run(self._build(serial, options))
        except BaseException:
            self._stop_loop()
            raise

    @staticmethod
    async def _build(serial: str | None, options: dict[str, Any]) -> AsyncClient:
        return AsyncClient(serial, **options)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    @property
    def serial(self) -> str:
        """The device's serial number."""
        return self._async.serial

    @property
    def state(self) -> DeviceState:
        """The latest values read from the device."""
        return self._async.state

    def connect(self) -> None:
        """Connect to the broker."""
        self._run(self._async.connect())

    def close(self) -> None:
        """Disconnect and stop the private loop thread."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._async.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        # join the worker thread asyncio.to_thread used, so close() leaves no thread behind
        shutdown = self._loop.shutdown_default_executor()
        asyncio.run_coroutine_threadsafe(shutdown, self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Client:
        try:
            self.connect()
        except BaseException:
            self.close()  # no __exit__ follows a failed __enter__: stop the loop thread here
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register_schema(self, schema: BlockSchema, *, replace: bool = False) -> list[str]:
        """See :meth:`AsyncClient.register_schema`."""
        return self._async.register_schema(schema, replace=replace)

    def read_registers(self, start: int, count: int) -> bytes:
        """See :meth:`AsyncClient.read_registers`."""
        return self._run(self._async.read_registers(start, count))

    def read_block(self, block_id: int, register_count: int | None = None) -> ParsedBlock:
        """See :meth:`AsyncClient.read_block`."""
        return self._run(self._async.read_block(block_id, register_count))

    def read_group(self, group: BlockGroup | str) -> dict[int, ParsedBlock]:
        """See :meth:`AsyncClient.read_group`."""
        return self._run(self._async.read_group(group))

    def stream_group(
        self, group: BlockGroup | str, *, interval: float | None = None
    ) -> Iterator[ParsedBlock]:
        """See :meth:`AsyncClient.stream_group`."""
        stream = self._async.stream_group(group, interval=interval)
        next_block: Callable[[], Awaitable[ParsedBlock]] = stream.__anext__

        async def step() -> ParsedBlock:
            return await next_block()

        try:
            while True:
                try:
                    yield self._run(step())
                except StopAsyncIteration:
                    return
        finally:
            self._run(stream.aclose())

    def write_register(self, register: int, value: int) -> modbus.WriteAck:
        """See :meth:`AsyncClient.write_register`."""
        return self._run(self._async.write_register(register, value))

    def write_registers(self, start: int, values: Sequence[int]) -> modbus.WriteAck:
        """See :meth:`AsyncClient.write_registers`."""
        return self._run(self._async.write_registers(start, values))
