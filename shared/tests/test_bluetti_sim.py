"""The bluetti simulator at protocol level: raw MQTT + Modbus frames, through real brokers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import queue
import struct
import sys
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from shared_testing import RunningSimulator
from shared_testing.bluetti import add_cli_arguments, create_simulator, options_from_cli
from shared_testing.bluetti.broker import (
    MosquittoBroker,
    ThreadedBroker,
    _cancel_stuck_readers,
    mosquitto_available,
)
from shared_testing.bluetti.modbus import crc16, seal
from shared_testing.bluetti.registers import PROFILES, DeviceModel
from shared_testing.standalone import serve


class Raw:
    """A bare MQTT requester: publish on SUB/<sn>, collect PUB/<sn>."""

    def __init__(self, broker_url: str) -> None:
        host, port = broker_url.removeprefix("mqtt://").split(":")
        self.answers: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe("PUB/#", qos=1)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.answers.put((m.topic, bytes(m.payload)))
        self.client.connect(host, int(port))
        self.client.loop_start()
        assert self._subscribed.wait(10)

    def ask(self, serial: str, frame: bytes, timeout: float = 5.0) -> bytes | None:
        self.client.publish(f"SUB/{serial}", frame, qos=1)
        try:
            topic, payload = self.answers.get(timeout=timeout)
        except queue.Empty:
            return None
        assert topic == f"PUB/{serial}"
        return payload

    def read(self, serial: str, start: int, count: int, timeout: float = 5.0) -> bytes | None:
        return self.ask(serial, seal(struct.pack(">BBHH", 1, 3, start, count)), timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def raw(bluetti_sim: RunningSimulator) -> Any:
    requester = Raw(bluetti_sim.info()["broker"])
    yield requester
    requester.close()


def data_of(frame: bytes | None) -> bytes:
    assert frame is not None
    assert crc16(frame[:-2]) == int.from_bytes(frame[-2:], "little")
    assert frame[:2] == b"\x01\x03"
    assert frame[2] == len(frame) - 5
    return frame[3:-2]


def test_info_and_default_devices(bluetti_sim: RunningSimulator) -> None:
    info = bluetti_sim.info()
    assert info["system"] == "bluetti"
    assert info["broker"].startswith("mqtt://127.0.0.1:")
    assert info["devices"] == [
        {"serial": "2430100000001", "profile": "EL100V2"},
        {"serial": "2430200000002", "profile": "ELITE200V2"},
    ]


def test_reads_return_the_register_image(bluetti_sim: RunningSimulator, raw: Raw) -> None:
    for device in bluetti_sim.info()["devices"]:
        data = data_of(raw.read(device["serial"], 100, 66))
        assert len(data) == 132
        assert data[20:32].rstrip(b"\x00").decode() == device["profile"]
        soc = struct.unpack_from(">H", data, 4)[0]
        assert 0 <= soc <= 100


def test_protocol_errors(bluetti_sim: RunningSimulator, raw: Raw) -> None:
    serial = bluetti_sim.info()["devices"][0]["serial"]
    assert raw.read(serial, 4242, 2) == seal(bytes([1, 0x83, 2]))
    assert raw.read(serial, 100, 126) == seal(bytes([1, 0x83, 3]))
    assert raw.ask(serial, seal(bytes([1, 0x2B, 0, 0]))) == seal(bytes([1, 0xAB, 1]))
    damaged = bytearray(seal(struct.pack(">BBHH", 1, 3, 100, 2)))
    damaged[-1] ^= 0xFF
    assert raw.ask(serial, bytes(damaged), timeout=0.3) is None
    assert data_of(raw.read(serial, 100, 2))  # still answering


def test_writes_apply_and_survive_restart(bluetti_sim: RunningSimulator, raw: Raw) -> None:
    serial = bluetti_sim.info()["devices"][1]["serial"]
    single = seal(struct.pack(">BBHH", 1, 6, 2005, 77))
    assert raw.ask(serial, single) == single
    multi = seal(struct.pack(">BBHHB", 1, 0x10, 2010, 2, 4) + b"\x00\x01\x00\x02")
    assert raw.ask(serial, multi) == seal(struct.pack(">BBHH", 1, 0x10, 2010, 2))
    assert raw.ask(serial, seal(struct.pack(">BBHH", 1, 6, 100, 1))) == seal(bytes([1, 0x86, 2]))
    bluetti_sim.faults.restart()
    requester = Raw(bluetti_sim.info()["broker"])
    try:
        assert data_of(requester.read(serial, 2005, 1)) == b"\x00\x4d"
        assert data_of(requester.read(serial, 2010, 2)) == b"\x00\x01\x00\x02"
    finally:
        requester.close()


def test_faults_per_modbus_request(bluetti_sim: RunningSimulator, raw: Raw) -> None:
    serial = bluetti_sim.info()["devices"][0]["serial"]
    sim = bluetti_sim.simulator
    bluetti_sim.faults.fail_next(1)
    assert raw.read(serial, 100, 2) == seal(bytes([1, 0x83, 4]))
    bluetti_sim.faults.fail_next(1, status=2)
    assert raw.read(serial, 100, 2) == seal(bytes([1, 0x83, 2]))
    bluetti_sim.faults.drop_next(1)
    assert raw.read(serial, 100, 2, timeout=0.3) is None
    sim.corrupt_next(1)  # type: ignore[attr-defined]
    corrupt = raw.read(serial, 100, 2)
    assert corrupt is not None
    assert crc16(corrupt[:-2]) != int.from_bytes(corrupt[-2:], "little")
    sim.exception_next(1, code=3, serial="somebody-else")  # type: ignore[attr-defined]
    assert data_of(raw.read(serial, 100, 2))
    sim.exception_next(1, code=4, serial=serial)  # type: ignore[attr-defined]
    assert raw.read(serial, 100, 2) == seal(bytes([1, 0x83, 4]))
    sim.slow_next(1, seconds=0.5)  # type: ignore[attr-defined]
    assert raw.read(serial, 100, 2, timeout=0.1) is None
    assert data_of(raw.answers.get(timeout=5)[1])  # the slow answer does arrive
    assert data_of(raw.read(serial, 100, 2))
    with pytest.raises(ValueError, match=r"1\.\.255"):
        sim.exception_next(1, code=0)  # type: ignore[attr-defined]


def test_on_either_broker(any_mqtt_broker: ThreadedBroker, simulator: Any) -> None:
    sim = simulator(
        "bluetti", broker=any_mqtt_broker.url, devices=[{"serial": "X1", "profile": "EL30V2"}]
    )
    requester = Raw(any_mqtt_broker.url)
    try:
        data = data_of(requester.read("X1", 100, 60))
        assert data[20:26] == b"EL30V2"
        any_mqtt_broker.restart()  # devices reconnect on their own
        requester.close()
        requester = Raw(any_mqtt_broker.url)
        deadline = time.monotonic() + 15
        answer = None
        while answer is None and time.monotonic() < deadline:
            answer = requester.read("X1", 6000, 32, timeout=0.5)
        assert len(data_of(answer)) == 64
        assert sim.info()["broker"] == any_mqtt_broker.url
    finally:
        requester.close()


def test_values_drift_like_a_battery() -> None:
    model = DeviceModel("S1", PROFILES["EL100V2"], speed=3600.0, seed=1)
    model.load_w = 900.0
    start = model._last
    soc, discharge = model.soc, model.discharge_wh
    model.tick(start + 0.5)  # half an hour at 3600x
    assert model.soc < soc
    assert model.discharge_wh > discharge
    charged = model.charge_wh
    model.write(2006, b"\x00\x00")  # AC output off: no load, solar charges
    soc_before = model.soc
    for step in range(1, 20):
        model.tick(start + 0.5 + step)
    assert model.charge_wh > charged  # the sun outweighs the tiny standby draw
    assert model.soc > soc_before
    assert model.discharge_wh >= discharge  # energy counters never run backwards


def test_a_full_battery_exports_the_solar_surplus() -> None:
    model = DeviceModel("S1", PROFILES["EL100V2"], speed=3600.0, seed=1)
    model.write(2006, b"\x00\x00")  # AC output off: nothing uses the sun
    model.soc = 100.0
    fed = model.feedback_wh
    model.tick(model._last + 0.25)
    assert model.grid_w < 0
    assert model.feedback_wh > fed
    assert model.soc == 100.0
    grid_power = struct.unpack_from(">i", model.read(100, 66), 92)[0]
    assert grid_power == round(model.grid_w) < 0


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        create_simulator(devices=[{"serial": "1", "profile": "AC500"}])
    with pytest.raises(ValueError, match="used twice"):
        create_simulator(devices=[{"serial": "1", "profile": "EL30V2"}] * 2)
    with pytest.raises(ValueError, match="mqtt://host:port"):
        create_simulator(broker="http://x")


def test_cli_options_pair_serials_and_profiles() -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    args = parser.parse_args(["--serial", "A", "--profile", "EL30V2", "--serial", "B"])
    assert options_from_cli(args)["devices"] == [
        {"serial": "A", "profile": "EL30V2"},
        {"serial": "B", "profile": "EL30V2"},
    ]
    assert options_from_cli(parser.parse_args([]))["devices"] is None


def test_serve_prints_the_json_line_and_stops_on_ctrl_c() -> None:
    with serve("bluetti", "--serial", "CLI1", "--profile", "ELITE200V2") as served:
        info = served.info
        assert info["system"] == "bluetti"
        assert info["devices"] == [{"serial": "CLI1", "profile": "ELITE200V2"}]
        requester = Raw(info["broker"])
        try:
            assert len(data_of(requester.read("CLI1", 1300, 16))) == 32
        finally:
            requester.close()
    assert served.process.returncode == 0


async def test_a_reader_that_swallowed_its_cancellation_is_cancelled_again() -> None:
    class ProtocolHandler:  # named like amqtt's, whose shutdown waits for this reader
        async def _reader_loop(self) -> None:
            # swallow the cancellation, as Python 3.11's wait_for race does
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(30)
            await asyncio.sleep(30)

    task = asyncio.create_task(ProtocolHandler()._reader_loop())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.sleep(0)
    assert not task.done()
    if sys.version_info >= (3, 11):  # Task.cancelling() is new in 3.11
        assert task.cancelling() == 1
    _cancel_stuck_readers()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


@pytest.mark.skipif(not mosquitto_available(), reason="mosquitto is not installed")
async def test_mosquitto_starts_and_stops_on_a_loop_without_blocking_it() -> None:
    # The blocking detector is active in this async test: writing the config and removing its
    # directory happen on worker threads, and stopping leaves no directory behind (before, the
    # directory was left to the garbage collector, which could remove it on a running loop).
    broker = MosquittoBroker()
    await broker.start()
    first = broker._dir
    assert first is not None
    assert await asyncio.to_thread((first / "mosquitto.conf").is_file)
    await broker.restart()
    second = broker._dir
    assert second is not None
    assert second != first
    assert not await asyncio.to_thread(first.exists)
    await broker.stop()
    assert broker._dir is None
    assert not await asyncio.to_thread(second.exists)
