"""The ``bluetti`` simulator: several V2 devices behind a real MQTT broker."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from shared_testing.bluetti.broker import BrokerKind, MqttBroker, create_broker
from shared_testing.bluetti.device import SimulatedDevice
from shared_testing.bluetti.pump import SocketPump
from shared_testing.bluetti.registers import PROFILES, DeviceModel
from shared_testing.faults import FaultKind
from shared_testing.simulator import Simulator

__all__ = ["DEFAULT_DEVICES", "BluettiSimulator", "DeviceSpec"]

DeviceSpec = dict[str, str]

DEFAULT_DEVICES: tuple[DeviceSpec, ...] = (
    {"serial": "2430100000001", "profile": "EL100V2"},
    {"serial": "2430200000002", "profile": "ELITE200V2"},
)


def _parse_broker(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise ValueError(f"broker must look like mqtt://host:port, got {url!r}")
    return parts.hostname, parts.port or 1883


class BluettiSimulator(Simulator):
    """Simulated Bluetti V2 devices speaking Modbus over MQTT.

    Without ``broker`` it runs an embedded broker (amqtt by default, ``embedded="mosquitto"``
    or ``"auto"`` to prefer the binary) on ``host:port``. Faults apply per Modbus request: an
    ERROR fault answers with a Modbus exception (its ``status`` when 1..255, else 4, device
    failure), a DROP fault leaves the request unanswered. Extra knobs: :meth:`corrupt_next`,
    :meth:`exception_next`, :meth:`slow_next`.
    """

    system = "bluetti"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        broker: str | None = None,
        devices: list[DeviceSpec] | tuple[DeviceSpec, ...] | None = None,
        embedded: BrokerKind = "amqtt",
        speed: float = 60.0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.external_broker = broker
        self._broker: MqttBroker | None = None
        if broker is not None:
            self.host, self.port = _parse_broker(broker)
        else:
            self._broker = create_broker(embedded, host=host, port=port)
            self.port = self._broker.port
        self.devices: dict[str, SimulatedDevice] = {}
        for spec in devices or DEFAULT_DEVICES:
            serial, profile = str(spec["serial"]), str(spec["profile"])
            if profile not in PROFILES:
                raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
            if serial in self.devices:
                raise ValueError(f"serial {serial!r} is used twice")
            model = DeviceModel(serial, PROFILES[profile], speed=speed)
            self.devices[serial] = SimulatedDevice(model, on_request=self._decide)
        self._pump: SocketPump | None = None
        self._lock = threading.Lock()
        self._knobs: deque[tuple[str | None, str, float]] = deque()

    @property
    def broker_url(self) -> str:
        """``mqtt://host:port`` of the broker the devices use."""
        return f"mqtt://{self.host}:{self.port}"

    def info(self) -> dict[str, Any]:
        """``system``, ``broker`` (``mqtt://host:port``) and ``devices`` (serial, profile)."""
        return {
            "system": self.system,
            "broker": self.broker_url,
            "devices": [{"serial": d.serial, "profile": d.profile} for d in self.devices.values()],
        }

    async def _start(self) -> None:
        if self._broker is not None:
            await self._broker.start()
        # one pump drives every device's connection from this loop: no thread per device
        pump = self._pump = SocketPump()
        try:
            await asyncio.gather(
                *(d.start(self.host, self.port, pump=pump) for d in self.devices.values())
            )
        except BaseException:
            await self._stop()
            raise

    async def _stop(self) -> None:
        await asyncio.gather(*(d.stop() for d in self.devices.values()))
        pump, self._pump = self._pump, None
        if pump is not None:
            await pump.close()
        if self._broker is not None:
            await self._broker.stop()

    # -- extra fault knobs (thread-safe; each consumed by one Modbus request) ---------------------

    def corrupt_next(self, count: int = 1, *, serial: str | None = None) -> None:
        """Answer the next ``count`` requests with a corrupted CRC."""
        self._arm(count, serial, "corrupt", 0.0)

    def exception_next(self, count: int = 1, *, code: int = 4, serial: str | None = None) -> None:
        """Answer the next ``count`` requests with Modbus exception ``code``."""
        if not 1 <= code <= 255:
            raise ValueError(f"Modbus exception codes are 1..255, got {code}")
        self._arm(count, serial, "exception", float(code))

    def slow_next(self, count: int = 1, *, seconds: float, serial: str | None = None) -> None:
        """Answer the next ``count`` requests only after ``seconds``."""
        self._arm(count, serial, "slow", seconds)

    def _arm(self, count: int, serial: str | None, kind: str, value: float) -> None:
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        with self._lock:
            self._knobs.extend([(serial, kind, value)] * count)

    def _take_knob(self, serial: str) -> tuple[str, float] | None:
        with self._lock:
            for index, (target, kind, value) in enumerate(self._knobs):
                if target is None or target == serial:
                    del self._knobs[index]
                    return kind, value
        return None

    async def _decide(self, serial: str) -> str | int | None:
        fault = await self.faults.apply()
        if fault is not None:
            if fault.kind is FaultKind.DROP:
                return "drop"
            status = fault.status or 4
            return status if 1 <= status <= 255 else 4
        knob = self._take_knob(serial)
        if knob is None:
            return None
        kind, value = knob
        if kind == "slow":
            await asyncio.sleep(value)
            return None
        if kind == "exception":
            return int(value)
        return kind
