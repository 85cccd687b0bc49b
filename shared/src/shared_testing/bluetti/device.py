"""One simulated device: an MQTT client that answers Modbus requests from its register image."""

from __future__ import annotations

import asyncio
import logging
import secrets
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from shared_testing.bluetti.modbus import crc16, exception_frame, seal
from shared_testing.bluetti.pump import PumpedClient, SocketPump
from shared_testing.bluetti.registers import DeviceModel

__all__ = ["SimulatedDevice"]

logger = logging.getLogger(__name__)

ADDRESS = 1
#: decides, per request, whether (and how) to misbehave; returns None to answer normally
Misbehaviour = Callable[[str], Awaitable["str | int | None"]]


class SimulatedDevice:
    """Subscribes to ``SUB/<serial>`` and answers on ``PUB/<serial>`` (QoS 1)."""

    def __init__(self, model: DeviceModel, *, on_request: Misbehaviour) -> None:
        self.model = model
        self.serial = model.serial
        self.profile = model.spec.model
        self.requests = 0
        #: requests received but not yet answered, and the most ever seen at once: a client
        #: that keeps one request in flight per device never lets this exceed 1
        self.outstanding = 0
        self.max_outstanding = 0
        self.writes: list[tuple[int, bytes]] = []
        self._on_request = on_request
        self._client: mqtt.Client | None = None
        self._pump: SocketPump | None = None
        self._own_pump: SocketPump | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._subscribed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- connection ---------------------------------------------------------------------------

    async def start(
        self, host: str, port: int, *, pump: SocketPump | None = None, wait: float = 15.0
    ) -> None:
        """Connect to the broker and wait until the request topic is subscribed.

        Its network I/O runs on ``pump`` (shared by a fleet of devices) or on a pump of its own.
        """
        self._loop = asyncio.get_running_loop()
        self._lock = asyncio.Lock()
        self._subscribed = asyncio.Event()
        if pump is None:
            pump = self._own_pump = SocketPump()
        self._pump = pump
        client = PumpedClient(
            CallbackAPIVersion.VERSION2,
            client_id=f"bluetti-sim-{self.serial}-{secrets.token_hex(3)}",
            clean_session=True,
        )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client
        pump.attach(client, host, port, keepalive=30)
        try:
            await asyncio.wait_for(self._subscribed.wait(), wait)
        except asyncio.TimeoutError:  # not yet the built-in TimeoutError on Python 3.10
            await self.stop()
            raise TimeoutError(
                f"simulated device {self.serial} could not reach {host}:{port}"
            ) from None

    async def stop(self) -> None:
        """Disconnect from the broker."""
        client, self._client = self._client, None
        pump, self._pump = self._pump, None
        if client is not None and pump is not None:
            pump.detach(client)
        own, self._own_pump = self._own_pump, None
        if own is not None:
            await own.close()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not reason.is_failure:
            client.subscribe(f"SUB/{self.serial}", qos=1)

    def _on_subscribe(self, *_args: Any) -> None:
        self._subscribed.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        # paho calls this on the simulator's loop (the pump reads the socket there)
        self._spawn(bytes(message.payload))

    def _spawn(self, payload: bytes) -> None:
        self.outstanding += 1
        self.max_outstanding = max(self.max_outstanding, self.outstanding)
        task = asyncio.get_running_loop().create_task(self._handle(payload))
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    # -- Modbus -------------------------------------------------------------------------------

    async def _handle(self, frame: bytes) -> None:
        assert self._lock is not None
        try:
            async with self._lock:  # a device works through its requests one at a time
                answer = await self._answer(frame)
                client = self._client
                if answer is not None and client is not None:
                    client.publish(f"PUB/{self.serial}", answer, qos=1)
        finally:
            self.outstanding -= 1

    async def _answer(self, frame: bytes) -> bytes | None:
        self.requests += 1
        if len(frame) < 4 or crc16(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
            logger.debug("device %s ignores a damaged request", self.serial)
            return None
        if frame[0] != ADDRESS:
            return None
        function = frame[1]
        action = await self._on_request(self.serial)
        if action == "drop":
            return None
        if isinstance(action, int):
            return exception_frame(ADDRESS, function, action)
        answer = self._execute(function, frame[2:-2])
        if action == "corrupt":
            answer = answer[:-1] + bytes((answer[-1] ^ 0xFF,))
        return answer

    def _execute(self, function: int, body: bytes) -> bytes:
        model = self.model
        if function == 0x03 and len(body) == 4:
            start, count = struct.unpack(">HH", body)
            if not 1 <= count <= 125:
                return exception_frame(ADDRESS, function, 3)
            if not model.readable(start, count):
                return exception_frame(ADDRESS, function, 2)
            data = model.read(start, count)
            return seal(bytes((ADDRESS, function, len(data))) + data)
        if function == 0x06 and len(body) == 4:
            start = struct.unpack_from(">H", body)[0]
            if not model.writable(start, 1):
                return exception_frame(ADDRESS, function, 2)
            model.write(start, body[2:4])
            self.writes.append((start, body[2:4]))
            return seal(bytes((ADDRESS, function)) + body)
        if function == 0x10 and len(body) >= 5:
            start, count, size = struct.unpack_from(">HHB", body)
            data = body[5:]
            if size != 2 * count or len(data) != size or not 1 <= count <= 123:
                return exception_frame(ADDRESS, function, 3)
            if not model.writable(start, count):
                return exception_frame(ADDRESS, function, 2)
            model.write(start, data)
            self.writes.append((start, data))
            return seal(bytes((ADDRESS, function)) + body[:4])
        if function in (0x03, 0x06, 0x10):
            return exception_frame(ADDRESS, function, 3)
        return exception_frame(ADDRESS, function, 1)
