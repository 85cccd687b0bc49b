"""A generated bluetti fleet: ``serve bluetti --devices N``, through a real broker."""

from __future__ import annotations

import argparse
import os
import struct
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from shared_testing.bluetti import add_cli_arguments, fleet_devices, options_from_cli
from shared_testing.bluetti.broker import ThreadedBroker, create_broker
from shared_testing.bluetti.fleet import MAX_FLEET, fleet_serial
from shared_testing.bluetti.modbus import crc16, seal
from shared_testing.bluetti.registers import PROFILES
from shared_testing.standalone import serve


def cli(*argv: str) -> dict[str, object]:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    return options_from_cli(parser.parse_args(list(argv)))


def test_a_fleet_has_fixed_serials_and_mixes_the_models() -> None:
    fleet = fleet_devices(4)
    assert fleet == [
        {"serial": "2439000000001", "profile": "EL30V2"},
        {"serial": "2439000000002", "profile": "EL100V2"},
        {"serial": "2439000000003", "profile": "ELITE200V2"},
        {"serial": "2439000000004", "profile": "EL30V2"},
    ]
    assert fleet_devices(4) == fleet  # the same command serves the same fleet
    assert {d["profile"] for d in fleet_devices(3, ["ELITE200V2"])} == {"ELITE200V2"}


@given(
    count=st.integers(1, 300),
    profiles=st.lists(st.sampled_from(sorted(PROFILES)), max_size=4),
)
def test_generated_serials_are_unique_13_digit_and_profiles_rotate(
    count: int, profiles: list[str]
) -> None:
    fleet = fleet_devices(count, profiles)
    serials = [d["serial"] for d in fleet]
    assert len(set(serials)) == count
    assert all(len(s) == 13 and s.isdigit() for s in serials)
    models = profiles or list(PROFILES)
    assert [d["profile"] for d in fleet] == [models[i % len(models)] for i in range(count)]


@pytest.mark.parametrize("count", [0, -3, MAX_FLEET + 1, True, 2.0])
def test_a_fleet_size_out_of_range_is_refused(count: object) -> None:
    with pytest.raises(ValueError, match="a fleet has 1 to"):
        fleet_devices(count)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fleet device numbers"):
        fleet_serial(0)


def test_an_unknown_fleet_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown profile 'AC500'"):
        fleet_devices(2, ["EL30V2", "AC500"])


def test_cli_devices_option() -> None:
    options = cli("--devices", "3", "--profile", "EL100V2")
    assert options["devices"] == fleet_devices(3, ["EL100V2"])
    assert options["embedded"] == "auto"  # mosquitto when installed: amqtt is slow at 500
    assert cli("--devices", "2", "--embedded", "amqtt")["embedded"] == "amqtt"
    assert cli()["embedded"] == "amqtt"
    with pytest.raises(ValueError, match="either --devices or --serial"):
        cli("--devices", "3", "--serial", "A")


class Burst:
    """Requests every device at once over one connection and collects the answers by topic."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.answers: dict[str, bytes] = {}
        self.expected = 0
        self.complete = threading.Event()
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe("PUB/#", qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(host, int(port))
        self.client.loop_start()
        assert subscribed.wait(10)

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        self.answers[message.topic.removeprefix("PUB/")] = bytes(message.payload)
        if len(self.answers) >= self.expected:
            self.complete.set()

    def ask_all(self, serials: list[str], frame: bytes, timeout: float) -> dict[str, bytes]:
        self.answers, self.expected = {}, len(serials)
        self.complete.clear()
        for serial in serials:
            self.client.publish(f"SUB/{serial}", frame, qos=1)
        self.complete.wait(timeout)
        return dict(self.answers)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_serve_500_devices_each_on_its_own_topics() -> None:
    with serve("bluetti", "--devices", "500") as served:
        devices = served.info["devices"]
        assert devices == fleet_devices(500)
        # one event loop drives every connection: no thread per device
        threads = len(os.listdir(f"/proc/{served.process.pid}/task"))
        assert threads < 50, f"{threads} threads for 500 devices"
        burst = Burst(served.info["broker"])
        try:
            serials = [d["serial"] for d in devices]
            read = seal(struct.pack(">BBHH", 1, 3, 100, 20))  # 40 bytes: model and serial
            for _ in range(2):
                answers = burst.ask_all(serials, read, timeout=60)
                assert sorted(answers) == sorted(serials)
                for device in devices:
                    frame = answers[device["serial"]]
                    assert crc16(frame[:-2]) == int.from_bytes(frame[-2:], "little")
                    data = frame[3:-2]
                    assert data[20:32].rstrip(b"\x00").decode() == device["profile"]
                    assert data[32:40].decode() == device["serial"][-8:]
            # still responsive after the bursts: one device, one answer
            started = time.monotonic()
            single = burst.ask_all([serials[-1]], read, timeout=10)
            assert single.keys() == {serials[-1]}, time.monotonic() - started
        finally:
            burst.close()


def test_fleet_devices_reconnect_after_the_broker_restarts() -> None:
    with (
        ThreadedBroker(create_broker("auto")) as broker,
        serve("bluetti", "--devices", "20", "--broker", broker.url) as served,
    ):
        serials = [d["serial"] for d in served.info["devices"]]
        read = seal(struct.pack(">BBHH", 1, 3, 6000, 2))
        burst = Burst(broker.url)
        try:
            assert sorted(burst.ask_all(serials, read, timeout=30)) == sorted(serials)
        finally:
            burst.close()
        broker.restart()
        deadline = time.monotonic() + 30
        answered: dict[str, bytes] = {}
        while len(answered) < len(serials) and time.monotonic() < deadline:
            burst = Burst(broker.url)
            try:
                missing = [s for s in serials if s not in answered]
                answered.update(burst.ask_all(missing, read, timeout=1))
            finally:
                burst.close()
        assert sorted(answered) == sorted(serials)


@given(st.binary(max_size=300))
def test_table_crc_matches_the_bitwise_definition(data: bytes) -> None:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    assert crc16(data) == crc
