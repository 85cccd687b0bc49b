"""The clients against simulated devices, through a real MQTT broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from power_sdk import (
    PROFILES,
    AsyncClient,
    BlockGroup,
    BlockSchema,
    BrokerUnavailableError,
    Client,
    ConfigError,
    ConnectionLostError,
    CrcMismatchError,
    Field,
    ModbusExceptionError,
    RequestTimeoutError,
    UnknownBlockError,
    UnknownProfileError,
)
from power_sdk.parser import UInt8, UInt16
from shared_testing import RunningSimulator
from shared_testing.bluetti.broker import ThreadedBroker

ALL_DEVICES = [
    {"serial": "SIM-EL30", "profile": "EL30V2"},
    {"serial": "SIM-EL100", "profile": "EL100V2"},
    {"serial": "SIM-EL200", "profile": "ELITE200V2"},
]

Factory = Callable[..., RunningSimulator]


@pytest.fixture
def devices(mqtt_broker: ThreadedBroker, simulator: Factory) -> RunningSimulator:
    return simulator("bluetti", broker=mqtt_broker.url, devices=ALL_DEVICES)


def client_for(sim: RunningSimulator, index: int = 0, **options: Any) -> AsyncClient:
    device = sim.info()["devices"][index]
    options.setdefault("timeout", 2.0)
    return AsyncClient(
        device["serial"], profile=device["profile"], broker=sim.info()["broker"], **options
    )


async def test_reads_every_builtin_block_of_each_profile(devices: RunningSimulator) -> None:
    for index, device in enumerate(devices.info()["devices"]):
        profile = PROFILES[device["profile"]]
        async with client_for(devices, index) as client:
            for block_id in profile.blocks:
                block = await client.read_block(block_id)
                assert block.block_id == block_id
                assert block.values, block_id
            home = client.state.blocks[100].values
            assert home["device_model"] == profile.id
            assert 0 <= home["soc"] <= 100
            cells = client.state.blocks[6000].values["cell_count"]
            assert 3.0 * cells <= home["pack_voltage"] <= 3.4 * cells
            assert ("grid_power" in home) == (profile.protocol_version >= 2001)
            pack = client.state.blocks[6100].values
            assert abs(pack["pack_soc"] - home["soc"]) <= 1
            assert pack["total_cell_cnt"] == cells


async def test_read_group_and_stream_group(devices: RunningSimulator) -> None:
    async with client_for(devices, 1) as client:
        inverter = await client.read_group(BlockGroup.INVERTER)
        assert sorted(inverter) == [1100, 1400, 1500]
        streamed = [block.block_id async for block in client.stream_group("core")]
        assert streamed == [100]
        polled = []
        async for block in client.stream_group(BlockGroup.BATTERY, interval=0.01):
            polled.append(block.values["voltage"])
            if len(polled) == 3:
                break
        assert len(polled) == 3


async def test_both_broker_paths(any_mqtt_broker: ThreadedBroker, simulator: Factory) -> None:
    sim = simulator("bluetti", broker=any_mqtt_broker.url)
    async with client_for(sim) as client:
        block = await client.read_block(100)
    assert block.values["device_model"] == "EL100V2"


async def test_embedded_broker_default_simulator(bluetti_sim: RunningSimulator) -> None:
    info = bluetti_sim.info()
    assert info["broker"].startswith("mqtt://127.0.0.1:")
    assert [d["profile"] for d in info["devices"]] == ["EL100V2", "ELITE200V2"]
    async with client_for(bluetti_sim, 1) as client:
        assert (await client.read_block(6000)).values["pack_count"] == 1


async def test_one_request_in_flight_per_device(devices: RunningSimulator) -> None:
    device = devices.simulator.devices["SIM-EL200"]  # type: ignore[attr-defined]
    # the first answer is slow: concurrent callers must queue instead of publishing meanwhile
    devices.simulator.slow_next(1, seconds=0.3, serial="SIM-EL200")  # type: ignore[attr-defined]
    async with client_for(devices, 2) as client:
        blocks = await asyncio.gather(*(client.read_block(b) for b in (100, 1300, 6000, 6100)))
    assert [b.block_id for b in blocks] == [100, 1300, 6000, 6100]
    assert device.requests == 4
    assert device.max_outstanding == 1


async def test_devices_on_one_transport_are_polled_concurrently(
    devices: RunningSimulator,
) -> None:
    from power_sdk.transport import MqttTransport

    transport = MqttTransport(devices.info()["broker"])
    await transport.connect()
    try:
        slow, fast = (
            AsyncClient(d["serial"], profile=d["profile"], transport=transport, timeout=5.0)
            for d in devices.info()["devices"][:2]
        )
        devices.simulator.slow_next(1, seconds=5.0, serial=slow.serial)  # type: ignore[attr-defined]
        pending = asyncio.create_task(slow.read_block(1300))
        # the other device is not held up behind the slow one's lock
        assert (await fast.read_block(1300)).block_id == 1300
        assert not pending.done()
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
    finally:
        await transport.close()


async def test_devices_connecting_at_once_share_one_connection(
    devices: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    from power_sdk.transport import MqttTransport

    transport = MqttTransport(devices.info()["broker"])
    started = 0
    start = transport._start_client

    def counted() -> Any:
        nonlocal started
        started += 1
        return start()

    transport._start_client = counted  # type: ignore[method-assign]
    clients = [
        AsyncClient(d["serial"], profile=d["profile"], transport=transport, timeout=5.0)
        for d in devices.info()["devices"]
    ]
    try:
        await asyncio.gather(*(client.connect() for client in clients))
        blocks = await asyncio.gather(*(client.read_block(6000) for client in clients))
    finally:
        await transport.close()
    assert started == 1  # a second paho client with the same id would knock the first off
    assert [block.block_id for block in blocks] == [6000] * len(clients)
    assert "lost the MQTT broker" not in caplog.text


async def test_values_drift_realistically(mqtt_broker: ThreadedBroker, simulator: Factory) -> None:
    sim = simulator("bluetti", broker=mqtt_broker.url, speed=3600.0)
    device = sim.simulator.devices["2430100000001"]  # type: ignore[attr-defined]

    async def heavy_load() -> None:
        device.model.load_w = device.model.spec.base_load_w * 3

    sim.call(heavy_load)
    async with client_for(sim) as client:
        first = (await client.read_block(100)).values
        await asyncio.sleep(0.5)
        second = (await client.read_block(100)).values
    assert second["soc"] < first["soc"]
    assert second["total_energy_discharge"] > first["total_energy_discharge"]
    assert second["total_energy_charge"] >= first["total_energy_charge"]


async def test_grid_export_reads_as_negative_grid_power(
    mqtt_broker: ThreadedBroker, simulator: Factory
) -> None:
    sim = simulator("bluetti", broker=mqtt_broker.url)
    device = sim.simulator.devices["2430100000001"]  # type: ignore[attr-defined]

    async def fill_the_battery() -> None:
        device.model.soc = 100.0

    sim.call(fill_the_battery)
    async with client_for(sim) as client:
        # AC output off (register 2006 holds ctrl_ac): the sun has nowhere else to go
        await client.write_register(2006, 0)
        home = (await client.read_block(100)).values
    assert home["grid_power"] < 0  # i32 through the whole stack: export
    assert home["soc"] == 100


async def test_writes_apply_and_read_back(devices: RunningSimulator) -> None:
    async with client_for(devices) as client:
        ack = await client.write_register(2001, 7)
        assert (ack.register, ack.count) == (2001, 1)
        ack = await client.write_registers(2010, [1, 2, 3])
        assert (ack.register, ack.count) == (2010, 3)
        assert await client.read_registers(2010, 3) == b"\x00\x01\x00\x02\x00\x03"
        assert await client.read_registers(2001, 1) == b"\x00\x07"
        with pytest.raises(ModbusExceptionError, match="illegal data address") as info:
            await client.write_register(100, 1)
        assert info.value.code == 2


async def test_large_reads_are_split(devices: RunningSimulator) -> None:
    async with client_for(devices) as client:
        await client.write_registers(2000 + 124, [11, 12])
        data = await client.read_registers(2000, 200)
    assert len(data) == 400
    assert data[248:252] == b"\x00\x0b\x00\x0c"


async def test_unknown_block_fails_before_any_io(devices: RunningSimulator) -> None:
    before = devices.faults.requests_seen
    async with client_for(devices) as client:
        with pytest.raises(UnknownBlockError, match="no schema registered for block 4242"):
            await client.read_block(4242)
    assert devices.faults.requests_seen == before


async def test_registered_schema_the_device_lacks(devices: RunningSimulator) -> None:
    async with client_for(devices) as client:  # an Elite 30 V2: no per-phase block 1500
        with pytest.raises(ModbusExceptionError, match="illegal data address"):
            await client.read_block(1500)
        client.register_schema(BlockSchema(4000, "MINE", [Field("state", 0, UInt16())]))
        with pytest.raises(ModbusExceptionError, match="illegal data address"):
            await client.read_block(4000)
        # a schema over a built-in one replaces it, for this client only
        settings = BlockSchema(2000, "SETTINGS", [Field("ac_output", 13, UInt8())])
        client.register_schema(settings)
        assert (await client.read_block(2000)).values == {"ac_output": 1}
        async with client_for(devices) as other:
            assert (await other.read_block(2000)).values["ctrl_ac"] == 1


def test_unknown_profile_is_typed() -> None:
    with pytest.raises(UnknownProfileError, match="unknown device profile 'AC500'"):
        AsyncClient("X", profile="AC500", broker="mqtt://127.0.0.1:1")


async def test_error_fault_is_an_exception_response_not_retried(devices: RunningSimulator) -> None:
    devices.faults.fail_next(1, status=503)
    async with client_for(devices, retries=3) as client:
        with pytest.raises(ModbusExceptionError, match="device failure"):
            await client.read_block(100)
        devices.faults.fail_next(1, status=3)
        with pytest.raises(ModbusExceptionError, match="illegal data value"):
            await client.read_block(100)
        assert (await client.read_block(100)).values["soc"] >= 0
    assert devices.faults.faults_applied == 2


async def test_drop_is_retried_with_backoff(devices: RunningSimulator) -> None:
    devices.faults.drop_next(2)
    async with client_for(devices, timeout=0.3, retries=2, backoff=0.05) as client:
        block = await client.read_block(1300)
    assert block.values["frequency"] == 50.0
    assert devices.faults.faults_applied == 2


async def test_no_answer_ends_in_timeout(devices: RunningSimulator) -> None:
    devices.faults.drop_next(2)
    async with client_for(devices, timeout=0.3, retries=1, backoff=0.05) as client:
        with pytest.raises(RequestTimeoutError, match=r"did not answer within 0\.3 s"):
            await client.read_block(100)


async def test_corrupt_crc_is_typed(devices: RunningSimulator) -> None:
    devices.simulator.corrupt_next(1)  # type: ignore[attr-defined]
    async with client_for(devices) as client:
        with pytest.raises(CrcMismatchError, match="CRC mismatch"):
            await client.read_block(100)
        assert (await client.read_block(100)).block_id == 100


async def test_exception_knob(devices: RunningSimulator) -> None:
    devices.simulator.exception_next(1, code=2)  # type: ignore[attr-defined]
    async with client_for(devices) as client:
        with pytest.raises(ModbusExceptionError) as info:
            await client.read_block(6000)
    assert info.value.code == 2


async def test_slow_answer_times_out_and_its_late_answer_is_dropped(
    devices: RunningSimulator,
) -> None:
    devices.simulator.slow_next(1, seconds=0.6)  # type: ignore[attr-defined]
    async with client_for(devices, timeout=0.3, retries=0) as client:
        with pytest.raises(RequestTimeoutError):
            await client.read_block(1300)
        # the late answer arrives about 0.3 s later, when nothing waits for it any more
        deadline = asyncio.get_running_loop().time() + 10
        while client.transport.stale_dropped == 0:
            assert asyncio.get_running_loop().time() < deadline, "the late answer never came"
            await asyncio.sleep(0.02)
        assert (await client.read_block(1300)).block_id == 1300


async def test_broker_loss_fails_fast_and_recovers(
    mqtt_broker: ThreadedBroker, simulator: Factory
) -> None:
    sim = simulator("bluetti", broker=mqtt_broker.url)
    async with client_for(sim, timeout=5.0, retries=3) as client:
        await client.read_block(100)
        await asyncio.to_thread(mqtt_broker.stop)
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def read_until_refused() -> None:
            for _ in range(50):  # until paho notices the broker is gone
                await client.read_block(100)
                await asyncio.sleep(0.05)

        with pytest.raises(BrokerUnavailableError, match="not connected to the MQTT broker"):
            await read_until_refused()
        assert loop.time() - started < 5.0
        await asyncio.to_thread(mqtt_broker.start)
        for _ in range(100):
            try:
                assert (await client.read_block(100)).block_id == 100
                break
            except (BrokerUnavailableError, RequestTimeoutError):
                await asyncio.sleep(0.2)
        else:
            pytest.fail("the client did not recover after the broker came back")


def test_sync_client(devices: RunningSimulator) -> None:
    device = devices.info()["devices"][0]
    with Client(
        device["serial"], profile=device["profile"], broker=devices.info()["broker"]
    ) as client:
        assert client.read_block(100).values["device_model"] == "EL30V2"
        assert sorted(client.read_group(BlockGroup.INVERTER)) == [1100, 1400]
        assert [b.block_id for b in client.stream_group(BlockGroup.GRID)] == [1300]
        assert client.write_register(2002, 9).register == 2002
        assert client.write_registers(2003, [1, 2]).count == 2
        assert client.read_registers(2002, 3) == b"\x00\x09\x00\x01\x00\x02"
        assert client.state.value(100, "device_model") == "EL30V2"


async def test_pending_request_fails_fast_when_the_broker_drops(
    mqtt_broker: ThreadedBroker, simulator: Factory
) -> None:
    sim = simulator("bluetti", broker=mqtt_broker.url)
    sim.simulator.slow_next(1, seconds=3.0)  # type: ignore[attr-defined]
    async with client_for(sim, timeout=30.0, retries=0) as client:
        pending = asyncio.create_task(client.read_block(100))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(mqtt_broker.stop)
        # ConnectionLostError can only come from the dropped connection, not the 30 s timeout
        with pytest.raises(ConnectionLostError, match="dropped while waiting for an answer"):
            await pending


async def test_late_answer_is_not_taken_for_the_next_one(devices: RunningSimulator) -> None:
    devices.simulator.slow_next(1, seconds=0.5)  # type: ignore[attr-defined]
    async with client_for(devices, timeout=0.2, retries=0) as client:
        with pytest.raises(RequestTimeoutError):
            await client.read_block(1300)
        # the late 1300 answer arrives while this read of block 100 waits, and is dropped
        devices.simulator.slow_next(1, seconds=0.5)  # type: ignore[attr-defined]
        client.timeout = 2.0
        block = await client.read_block(100)
    assert block.values["device_model"] == "EL30V2"
    assert client.transport.stale_dropped >= 1


def test_sync_client_bad_arguments_leave_no_thread() -> None:
    import threading

    # Threads by identity: one an earlier test left behind may end meanwhile without hiding a
    # thread this call started.
    before = set(threading.enumerate())
    with pytest.raises(UnknownProfileError):
        Client("X", profile="NOPE", broker="mqtt://127.0.0.1:1")
    assert set(threading.enumerate()) - before == set()


async def test_unreachable_broker_is_typed() -> None:
    from power_sdk.transport import MqttTransport

    transport = MqttTransport("mqtt://127.0.0.1:9", connect_timeout=0.3)
    with pytest.raises(BrokerUnavailableError, match="cannot connect to the MQTT broker"):
        await transport.connect()
    await transport.close()


async def test_refused_first_connection_fails_fast_and_leaves_no_thread() -> None:
    import threading

    def paho_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("paho-mqtt-client-")]

    before = paho_threads()
    # nothing listens on port 9: the failure is reported as such, not after the 30 s timeout
    client = AsyncClient("X", broker="mqtt://127.0.0.1:9")
    client.transport.connect_timeout = 30.0
    with pytest.raises(BrokerUnavailableError, match="unreachable or not listening"):
        async with client:
            pytest.fail("connected to a port nobody listens on")
    assert paho_threads() == before


def test_broker_and_transport_are_exclusive() -> None:
    with pytest.raises(ConfigError, match=r"exactly one of broker= .* or transport="):
        AsyncClient("X")


@pytest.mark.parametrize("serial", ["", "AB/12", "AB+1", "#"])
def test_serial_that_cannot_name_a_topic_is_a_config_error(serial: str) -> None:
    with pytest.raises(ConfigError, match="cannot name the MQTT topics"):
        AsyncClient(serial, broker="mqtt://127.0.0.1:1")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be a number of seconds > 0, got 0"),
        ({"timeout": float("nan")}, "timeout must be"),
        ({"backoff": -1}, "backoff must be a number of seconds >= 0, got -1"),
        ({"retries": -1}, "retries must be an integer >= 0, got -1"),
        ({"retries": 1.5}, "retries must be an integer"),
    ],
)
def test_bad_timing_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AsyncClient("X", broker="mqtt://127.0.0.1:1", **options)


def test_sync_client_has_every_public_method_of_the_async_one() -> None:
    public = {name for name in dir(AsyncClient) if not name.startswith("_")}
    assert public - set(dir(Client)) == set()


def test_sync_client_failing_to_connect_leaves_no_thread() -> None:
    import threading

    before = set(threading.enumerate())
    with (
        pytest.raises(BrokerUnavailableError, match="unreachable or not listening"),
        Client("X", broker="mqtt://127.0.0.1:9"),
    ):
        pytest.fail("connected to a port nobody listens on")
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == []
