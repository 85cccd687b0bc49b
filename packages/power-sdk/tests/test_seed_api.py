"""The published package's public API, call for call, against the simulator.

Each test makes the calls the published README shows (its runtime.yaml, the streaming API,
the custom block schema, the transform list, the stable names), written here in our own words
and pointed only at the local broker, device serial and certificate.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shared_testing import RunningSimulator

from .pki import PASSWORD, Pki

CLI = [str(Path(sys.executable).parent / "power-sdk"), "runtime"]
Factory = Callable[..., RunningSimulator]

# The published runtime.yaml's shape and option names: broker as a host with its own port,
# device_sn and cert_password per device, values from the environment with defaults.
RUNTIME_YAML = """\
version: 1

pipelines:
  station_poll:
    mode: pull
    transport: mqtt
    vendor: bluetti
    protocol: v2

defaults:
  poll_interval: 30
  transport:
    opts:
      broker: "${STATION_BROKER:-iot.bluettipower.com}"
      port: PORT

devices:
  - id: basement_station
    pipeline: station_poll
    profile_id: EL100V2
    transport:
      opts:
        device_sn: "${BASEMENT_SN}"
        cert_password: "${BASEMENT_CERT_PASSWORD}"
"""


def host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)
    return host, int(port)


def run_cli(config: Path, mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--config", str(config), mode],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_published_runtime_yaml_dry_run_then_once(
    bluetti_on_broker: RunningSimulator, tmp_path: Path
) -> None:
    host, port = host_port(bluetti_on_broker.info()["broker"])
    serial = bluetti_on_broker.info()["devices"][0]["serial"]
    config = tmp_path / "runtime.yaml"
    config.write_text(RUNTIME_YAML.replace("PORT", str(port)))
    env = {"STATION_BROKER": host, "BASEMENT_SN": serial, "BASEMENT_CERT_PASSWORD": "unused"}
    device = bluetti_on_broker.simulator.devices[serial]  # type: ignore[attr-defined]
    before = device.requests
    dry = run_cli(config, "--dry-run", env)
    assert dry.returncode == 0, dry.stderr
    assert '"device_sn": "' + serial in dry.stdout
    assert '"cert_password": "***"' in dry.stdout
    assert device.requests == before  # no I/O
    once = run_cli(config, "--once", env)
    assert once.returncode == 0, once.stderr
    assert device.requests >= before + 7  # the published groups: 7 blocks of an EL100V2


def test_published_runtime_yaml_with_the_device_certificate(
    mutual_tls: tuple[int, RunningSimulator], pki: Pki, tmp_path: Path
) -> None:
    tls_port, sim = mutual_tls
    serial = sim.info()["devices"][0]["serial"]
    certificate = f'        pfx_cert: "{pki.pfx}"\n        ca_file: "{pki.ca}"\n'
    config = tmp_path / "runtime.yaml"
    config.write_text(RUNTIME_YAML.replace("PORT", str(tls_port)) + certificate)
    env = {"STATION_BROKER": "127.0.0.1", "BASEMENT_SN": serial}
    device = sim.simulator.devices[serial]  # type: ignore[attr-defined]
    for mode in ("--dry-run", "--once"):
        wrong = run_cli(config, mode, {**env, "BASEMENT_CERT_PASSWORD": "wrong"})
        assert wrong.returncode == 2, wrong.stderr
        assert "cannot open the PKCS#12 certificate" in wrong.stderr
    before = device.requests
    once = run_cli(config, "--once", {**env, "BASEMENT_CERT_PASSWORD": PASSWORD})
    assert once.returncode == 0, once.stderr
    assert device.requests >= before + 7
    assert PASSWORD not in once.stderr


@pytest.mark.no_blocking
def test_streaming_api(
    bluetti_on_broker: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from power_sdk.client import Client
    from power_sdk.models.types import BlockGroup

    device = bluetti_on_broker.info()["devices"][0]
    with Client(
        device["serial"], profile=device["profile"], broker=bluetti_on_broker.info()["broker"]
    ) as client:
        for block in client.stream_group(BlockGroup.BATTERY):
            print(f"Block {block.block_id} ({block.name}): {block.values}")
    out = capsys.readouterr().out
    assert out.startswith("Block 6000 (PACK_MAIN_INFO): {'pack_volt_type': 1")
    assert out.count("Block ") == 1


@pytest.mark.no_blocking
def test_custom_block_schema_replaces_the_builtin_for_that_client_only(
    bluetti_on_broker: RunningSimulator,
) -> None:
    from power_sdk.client import Client
    from power_sdk.plugins.bluetti.v2.protocol.datatypes import UInt16
    from power_sdk.plugins.bluetti.v2.protocol.schema import BlockSchema, Field

    schema = BlockSchema(
        block_id=1300,
        name="MY_GRID",
        min_length=32,
        fields=[
            Field(
                name="frequency",
                offset=0,
                type=UInt16(),
                transform=["scale:0.1"],
                unit="Hz",
                required=True,
            ),
            Field(
                name="voltage",
                offset=28,
                type=UInt16(),
                transform=["scale:0.1"],
                unit="V",
                required=True,
            ),
        ],
    )
    device = bluetti_on_broker.info()["devices"][0]
    broker = bluetti_on_broker.info()["broker"]
    with Client(device["serial"], profile=device["profile"], broker=broker) as client:
        client.register_schema(schema)
        data = client.read_block(1300, register_count=16)
        with Client(device["serial"], profile=device["profile"], broker=broker) as other:
            builtin = other.read_block(1300)
    assert data.values == {"frequency": 50.0, "voltage": 230.0}
    assert data.units == {"frequency": "Hz", "voltage": "V"}
    assert builtin.name == "INV_GRID_INFO"
    assert "phase_0_power" in builtin.values


@pytest.mark.parametrize(
    ("transform", "raw", "expected"),
    [
        (["abs", "scale:0.1"], -65, 6.5),
        (["abs"], -7, 7),
        (["scale:10"], 3, 30),
        (["minus:40"], 65, 25),
        (["bitmask:0x0F"], 0x7F, 15),
        (["shift:4"], 0x70, 7),
        (["clamp:0:100"], 250, 100),
    ],
)
def test_every_published_transform(transform: list[str], raw: int, expected: float) -> None:
    import struct

    from power_sdk.plugins.bluetti.v2.protocol.datatypes import Int16
    from power_sdk.plugins.bluetti.v2.protocol.schema import BlockSchema, Field

    field = Field(name="current", offset=30, type=Int16(), transform=transform, unit="A")
    schema = BlockSchema(block_id=4000, name="T", fields=[field], min_length=32)
    data = bytearray(32)
    struct.pack_into(">h", data, 30, raw)
    assert schema.parse(bytes(data)).values == {"current": expected}


def test_stable_names_and_module_layout() -> None:
    import power_sdk
    from power_sdk.client import Client
    from power_sdk.plugins.bluetti.v2.protocol import transforms

    for name in ("Client", "AsyncClient", "MQTTTransport", "MQTTConfig"):
        assert name in power_sdk.__all__
    assert power_sdk.Client is Client
    assert {"RuntimeRegistry", "Executor"} <= set(power_sdk.__all__)
    for module in (
        "power_sdk.errors",
        "power_sdk.models.device",
        "power_sdk.models.types",
        "power_sdk.devices.profiles",
        "power_sdk.protocol",
        "power_sdk.transport",
        "power_sdk.plugins",
        "power_sdk.runtime",
    ):
        importlib.import_module(module)
    assert transforms.scale(0.1) == "scale:0.1"
    assert transforms.hex_enable_list(0, 3) == "hex_enable_list:0:3"


@pytest.mark.parametrize(
    ("published", "implementation"),
    [
        ("power_sdk.plugins.bluetti.v2.protocol.datatypes", "power_sdk.parser.datatypes"),
        ("power_sdk.plugins.bluetti.v2.protocol.schema", "power_sdk.parser.schema"),
        ("power_sdk.plugins.bluetti.v2.protocol.transforms", "power_sdk.parser.transforms"),
    ],
)
def test_published_protocol_modules_hand_out_the_parser_objects(
    published: str, implementation: str
) -> None:
    # one implementation: the published module path re-exports it, never a copy of its own
    seed = importlib.import_module(published)
    real = importlib.import_module(implementation)
    assert seed.__all__
    for name in seed.__all__:
        assert getattr(seed, name) is getattr(real, name), f"{published}.{name}"


def test_supported_devices_and_blocks() -> None:
    from power_sdk.devices.profiles import get_device_profile, list_device_models
    from power_sdk.plugins.bluetti.v2.schemas import BUILTIN_SCHEMAS, get

    assert {"EL30V2", "EL100V2", "ELITE200V2"} <= set(list_device_models())
    assert get_device_profile("Elite 100 V2").model == "EL100V2"
    names = {
        100: "APP_HOME_DATA",
        1300: "INV_GRID_INFO",
        6000: "PACK_MAIN_INFO",
        1100: "INV_BASE_INFO",
        1400: "INV_LOAD_INFO",
        1500: "INV_LOAD_MULTI",
        6100: "PACK_ITEM_INFO",
    }
    for block_id, name in names.items():
        schema = get(block_id)
        assert schema is not None
        assert schema.name == name
    assert len(BUILTIN_SCHEMAS) >= 35


def test_a_profile_grouping_blocks_it_does_not_serve_is_refused() -> None:
    from power_sdk import BlockGroup, ConfigError, DeviceProfile

    with pytest.raises(ConfigError, match=r"group core names blocks \[100\]"):
        DeviceProfile("X1", "Example", 2001, {6000: 32}, {BlockGroup.CORE: (100,)})


@pytest.mark.no_blocking
def test_runtime_registry_and_executor(
    bluetti_on_broker: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from power_sdk import Executor, RuntimeRegistry

    host, port = host_port(bluetti_on_broker.info()["broker"])
    config = tmp_path / "runtime.yaml"
    config.write_text(RUNTIME_YAML.replace("PORT", str(port)))
    monkeypatch.setenv("STATION_BROKER", host)
    monkeypatch.setenv("BASEMENT_SN", bluetti_on_broker.info()["devices"][0]["serial"])
    monkeypatch.setenv("BASEMENT_CERT_PASSWORD", "unused")
    registry = RuntimeRegistry.from_config(config)
    (summary,) = registry.dry_run()
    assert (summary.device_id, summary.profile_id, summary.mode) == (
        "basement_station",
        "EL100V2",
        "pull",
    )
    assert isinstance(registry.executor(), Executor)
    (report,) = registry.poll_all_once()
    assert report.ok, report.errors
    assert report.blocks == 7  # core, grid, battery, cells, inverter (1100, 1400, 1500)


async def test_mqtt_config_transport_with_async_client(bluetti_on_broker: RunningSimulator) -> None:
    from power_sdk import AsyncClient, MQTTConfig, MQTTTransport

    host, port = host_port(bluetti_on_broker.info()["broker"])
    device = bluetti_on_broker.info()["devices"][1]
    transport = MQTTTransport(
        MQTTConfig(broker=host, port=port, device_sn=device["serial"], allow_insecure=True)
    )
    async with AsyncClient(transport=transport, profile=device["profile"]) as client:
        block = await client.read_block(100)
    await transport.close()
    assert block.values["device_model"] == device["profile"]
