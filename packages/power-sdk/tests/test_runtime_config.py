"""The runtime YAML DSL, plugin registry and password resolution (no I/O)."""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from power_sdk import ConfigError, ParsedBlock, SchemaError, UnknownPluginError
from power_sdk.parser import BlockSchema
from power_sdk.runtime import Executor, PluginRegistry, default_registry, parse_config
from power_sdk.runtime.cli import PASSWORD_ENV, resolve_pfx_password
from power_sdk.runtime.config import interpolate, mask_secrets
from power_sdk.runtime.executor import validate_plugins

BASE = """
version: 1
pipelines:
  main: {transport: mqtt, vendor: bluetti, protocol: v2}
defaults:
  poll_interval: 10
  transport:
    opts:
      broker: ${BROKER:-mqtt://127.0.0.1:1883}
devices:
  - id: shed
    pipeline: main
    profile_id: EL100V2
    transport: {opts: {serial: "123", password: "${MQTT_PASSWORD}"}}
    poll_interval: 2
    sinks: [{type: stdout}]
"""


def test_env_interpolation_with_defaults() -> None:
    config = parse_config(BASE, env={"MQTT_PASSWORD": "s3cret"})
    assert config.options(0) == {
        "broker": "mqtt://127.0.0.1:1883",
        "serial": "123",
        "password": "s3cret",
    }
    assert config.poll_interval(0) == 2.0
    config = parse_config(BASE, env={"MQTT_PASSWORD": "x", "BROKER": "mqtt://b:1"})
    assert config.options(0)["broker"] == "mqtt://b:1"


def test_missing_env_var_names_variable_and_key_path() -> None:
    with pytest.raises(ConfigError, match="MQTT_PASSWORD is not set") as info:
        parse_config(BASE, env={})
    assert "devices[0].transport.opts.password" in str(info.value)


def test_interpolation_keeps_non_strings() -> None:
    assert interpolate({"a": [1, True, None, "${X}"]}, {"X": "y"}) == {"a": [1, True, None, "y"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\npipelines: {}\ndevices: [{id: a}]", "missing at devices[0].pipeline"),
        ("version: 2\npipelines: {}\ndevices: []", "at version"),
        (
            BASE.replace("poll_interval: 2", "poll_interval: soon"),
            "at devices[0].poll_interval",
        ),
        (
            BASE.replace("poll_interval: 2", "poll_interval: -1"),
            "> 0 seconds, got -1.0 at devices[0].poll_interval",
        ),
        (
            BASE.replace("poll_interval: 2", "poll_interval: .nan"),
            "> 0 seconds, got nan at devices[0].poll_interval",
        ),
        (
            BASE.replace("poll_interval: 10", "poll_interval: .inf"),
            "> 0 seconds, got inf at defaults.poll_interval",
        ),
        (
            BASE.replace("{type: stdout}", "{type: mqtt, broker: 'http://h:80'}"),
            "broker URL must look like mqtt://host:port",
        ),
        (
            BASE.replace("{type: stdout}", "{type: mqtt, broker: 'mqtt://h:99999'}"),
            "invalid port at devices[0].sinks[0].broker",
        ),
        (
            BASE.replace("{type: stdout}", "{type: mqtt, broker: 'mqtt://u:pw@h:1'}"),
            "carries credentials; give them as the username and password options",
        ),
        (BASE.replace("protocol: v2}", "protocol: v2, colour: red}"), "colour"),
        (BASE.replace("pipeline: main", "pipeline: other"), "unknown pipeline 'other'"),
        (BASE.replace("{type: stdout}", "{type: kafka}"), "at devices[0].sinks[0].type"),
        (BASE.replace("{type: stdout}", "{type: jsonl}"), "needs a path at devices[0].sinks[0]"),
        (BASE.replace("{type: stdout}", "{type: mqtt}"), "needs a broker at devices[0].sinks[0]"),
        (
            BASE.replace("{type: stdout}", "{type: mqtt, broker: 'mqtt://h', topic: 'x/{nope}'}"),
            "unknown placeholder 'nope'",
        ),
        ("version: 1\npipelines: {}\ndevices: []\n", "at least one device"),
        ("- just\n- a list\n", "must be a mapping"),
        ("version: [1\n", "not valid YAML"),
        (
            BASE + "  - id: shed\n    pipeline: main\n    profile_id: EL30V2\n",
            "duplicate device id",
        ),
    ],
)
def test_bad_config_names_the_key_path(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(text, env={"MQTT_PASSWORD": "x"})


def test_effective_config_masks_secrets() -> None:
    text = BASE.replace(
        "{type: stdout}", "{type: mqtt, broker: 'mqtt://h', username: ha, password: sink-pw}"
    )
    config = parse_config(text, env={"MQTT_PASSWORD": "s3cret"})
    effective = config.effective()
    assert effective["devices"][0]["transport"]["opts"]["password"] == "***"
    sink = effective["devices"][0]["sinks"][0]
    assert (sink["username"], sink["password"]) == ("ha", "***")
    assert "s3cret" not in repr(effective)
    assert "sink-pw" not in repr(effective)
    assert "sink-pw" not in repr(config)
    assert config.effective(mask=False)["devices"][0]["sinks"][0]["password"] == "sink-pw"
    assert mask_secrets({"pfx_password": "p", "keepalive": 3}) == {
        "pfx_password": "***",
        "keepalive": 3,
    }


def test_push_mode_is_refused_rather_than_polled() -> None:
    config = parse_config(
        BASE.replace("protocol: v2}", "protocol: v2, mode: push}"), env={"MQTT_PASSWORD": "x"}
    )
    with pytest.raises(ConfigError, match=r"mode 'push' at pipelines.main.mode is not supported"):
        validate_plugins(config, default_registry())


def test_unknown_plugins_and_options() -> None:
    registry = default_registry()
    bad_vendor = parse_config(
        BASE.replace("vendor: bluetti", "vendor: ecoflow"), env={"MQTT_PASSWORD": "x"}
    )
    with pytest.raises(
        UnknownPluginError, match=r"vendor plugin named 'ecoflow' \(at pipelines.main"
    ):
        validate_plugins(bad_vendor, registry)
    bad_protocol = parse_config(
        BASE.replace("protocol: v2", "protocol: v1"), env={"MQTT_PASSWORD": "x"}
    )
    with pytest.raises(UnknownPluginError, match="protocol plugin named 'v1'"):
        validate_plugins(bad_protocol, registry)
    bad_option = parse_config(
        BASE.replace('serial: "123"', "colour: red"), env={"MQTT_PASSWORD": "x"}
    )
    with pytest.raises(
        ConfigError, match=r"unknown option 'colour' at devices\[0\].transport.opts"
    ):
        validate_plugins(bad_option, registry)


def test_password_priority_cli_then_env_then_prompt() -> None:
    text = BASE.replace('serial: "123"', 'serial: "123", pfx: /tmp/dev.pfx')
    config = parse_config(text, env={"MQTT_PASSWORD": "x"})
    prompts: list[str] = []

    def prompt(label: str) -> str:
        prompts.append(label)
        return "from-prompt"

    env = {PASSWORD_ENV: "from-env"}
    assert resolve_pfx_password(config, "from-cli", env, prompt) == "from-cli"
    assert resolve_pfx_password(config, None, env, prompt) == "from-env"
    assert prompts == []
    assert resolve_pfx_password(config, None, {}, prompt) == "from-prompt"
    assert prompts == ["PKCS#12 certificate password: "]
    with pytest.raises(ConfigError, match=f"set {PASSWORD_ENV}") as info:
        resolve_pfx_password(config, None, {}, None)
    assert "from-" not in str(info.value)
    assert (
        resolve_pfx_password(parse_config(BASE, env={"MQTT_PASSWORD": "x"}), None, {}, None) is None
    )


# -- a second vendor, registered from outside the package ------------------------------------


class MemoryTransport:
    options = frozenset({"bus"})

    def __init__(self) -> None:
        self.connected = 0

    def key(self, options: Mapping[str, Any]) -> Hashable:
        return options.get("bus")

    def create(self, options: Mapping[str, Any]) -> dict[str, int]:
        return {"reads": 0}

    async def connect(self, transport: Any) -> None:
        self.connected += 1

    async def close(self, transport: Any) -> None:
        transport["closed"] = 1


class AcmeSession:
    def __init__(self, serial: str, transport: dict[str, int], fail: bool) -> None:
        self.serial = serial
        self.transport = transport
        self.fail = fail

    @property
    def block_ids(self) -> Sequence[int]:
        return (1, 2)

    async def read(self, block_id: int) -> ParsedBlock:
        if self.fail:
            raise RuntimeError("acme firmware bug")
        self.transport["reads"] += 1
        return ParsedBlock(
            block_id, f"ACME_{block_id}", {"watts": 10 * block_id}, {"watts": "W"}, b""
        )

    async def close(self) -> None:
        pass


class AcmeVendor:
    options = frozenset({"serial", "broken"})
    protocols = frozenset({"acme1"})

    def open(
        self,
        *,
        device_id: str,
        profile_id: str,
        options: Mapping[str, Any],
        transport: Any,
        protocol: Any,
        schemas: Sequence[Any],
    ) -> AcmeSession:
        return AcmeSession(
            str(options.get("serial", device_id)), transport, bool(options.get("broken"))
        )


ACME = """
version: 1
pipelines:
  acme: {transport: memory, vendor: acme, protocol: acme1}
devices:
  - {id: one, pipeline: acme, profile_id: A1, transport: {opts: {bus: b1}},
     sinks: [{type: stdout}]}
  - {id: two, pipeline: acme, profile_id: A1, transport: {opts: {bus: b1, broken: true}},
     sinks: [{type: stdout}]}
"""


async def test_second_vendor_plugin_without_touching_core() -> None:
    registry = PluginRegistry()
    registry.register_transport("memory", MemoryTransport())
    registry.register_vendor("acme", AcmeVendor())
    registry.register_protocol("acme1", object())
    out = io.StringIO()
    executor = Executor(parse_config(ACME, env={}), registry=registry, stdout=out)
    async with executor:
        reports = await executor.run_once()
    by_id = {r.device_id: r for r in reports}
    assert by_id["one"].ok
    assert by_id["one"].blocks == 2
    assert not by_id["two"].ok  # a crashing device is reported, the other still ran
    assert "acme firmware bug" in by_id["two"].errors[0]
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert '"device":"one"' in lines[0]
    assert '"watts":10' in lines[0]


def test_bad_device_options_fail_that_device_only() -> None:
    text = """
version: 1
pipelines: {p: {transport: mqtt, vendor: bluetti, protocol: v2}}
defaults: {transport: {opts: {broker: "mqtt://127.0.0.1:1"}}}
devices:
  - {id: a, pipeline: p, profile_id: EL30V2, transport: {opts: {retries: many}}}
  - {id: b, pipeline: p, profile_id: EL30V2, transport: {opts: {groups: [kitchen]}}}
  - {id: c, pipeline: p, profile_id: EL30V2, transport: {opts: {blocks: "100"}}}
  - {id: d, pipeline: p, profile_id: EL30V2, transport: {opts: {blocks: [4242]}}}
  - {id: e, pipeline: p, profile_id: EL30V2, transport: {opts: {groups: [CORE, grid]}}}
  - {id: f, pipeline: p, profile_id: EL30V2, transport: {opts: {groups: 5}}}
  - {id: g, pipeline: p, profile_id: EL30V2, transport: {opts: {retries: 1.9}}}
"""
    executor = Executor(parse_config(text, env={}))
    executor.open()
    assert executor.failed_to_open["a"] == (
        "invalid value 'many' at transport.opts.retries; expected int"
    )
    assert "unknown block group 'kitchen'" in executor.failed_to_open["b"]
    assert "at transport.opts.blocks" in executor.failed_to_open["c"]
    assert "no schema registered for block 4242" in executor.failed_to_open["d"]
    assert "invalid value 5 at transport.opts.groups" in executor.failed_to_open["f"]
    assert "invalid value 1.9 at transport.opts.retries" in executor.failed_to_open["g"]
    assert [d.id for d in executor.devices] == ["e"]
    assert list(executor.devices[0].session.block_ids) == [100, 1300]


def test_unknown_group_is_typed() -> None:
    from power_sdk import BlockGroup, UnknownGroupError

    assert BlockGroup.parse("Battery") is BlockGroup.BATTERY
    with pytest.raises(UnknownGroupError, match="unknown block group 'solar'"):
        BlockGroup.parse("solar")


SCHEMAS = """
schemas:
  - block_id: 2000
    name: INV_BASE_SETTINGS
    min_length: 2
    fields:
      - {name: ac_output, offset: 0, type: u16}
"""


def test_schemas_section_adds_blocks_as_data() -> None:
    config = parse_config(BASE + SCHEMAS, env={"MQTT_PASSWORD": "x"})
    (schema,) = config.block_schemas
    assert schema.block_id == 2000
    assert config.effective()["schemas"][0]["name"] == "INV_BASE_SETTINGS"
    assert schema.parse(b"\x00\x01").values == {"ac_output": 1}


async def test_the_config_schemas_are_built_once_and_shared_by_every_device() -> None:
    second_device = """
  - id: barn
    pipeline: main
    profile_id: EL100V2
    transport: {opts: {serial: "456"}}
"""
    config = parse_config(BASE + second_device + SCHEMAS, env={"MQTT_PASSWORD": "x"})
    async with Executor(config) as executor:  # opened offline: nothing connects yet
        sessions = [d.session for d in executor.devices]
    shed, barn = (s.client.schemas.get(2000) for s in sessions)  # type: ignore[attr-defined]
    assert shed.name == "INV_BASE_SETTINGS"
    assert shed is barn  # one schema (validated, its parse plans cached) for the whole fleet


def test_bad_schema_in_config_names_its_index() -> None:
    bad = SCHEMAS.replace("type: u16", "type: u16, transforms: [cube]")
    with pytest.raises(ConfigError, match=r"unknown transform 'cube'.* at schemas\[0\]"):
        parse_config(BASE + bad, env={"MQTT_PASSWORD": "x"})
    with pytest.raises(ConfigError, match=r"lacks block_id at schemas\[0\]"):
        parse_config(BASE + "schemas: [{name: X}]\n", env={"MQTT_PASSWORD": "x"})


class RecordingTransport:
    """Records the options each transport is created with (one per certificate)."""

    options = frozenset({"pfx_cert", "cert_password"})

    def __init__(self) -> None:
        self.created: dict[str, dict[str, Any]] = {}

    def key(self, options: Mapping[str, Any]) -> Hashable:
        return options.get("pfx_cert")

    def create(self, options: Mapping[str, Any]) -> str:
        self.created[str(options["pfx_cert"])] = dict(options)
        return str(options["pfx_cert"])

    async def connect(self, transport: Any) -> None:
        pass

    async def close(self, transport: Any) -> None:
        pass


PFX_DEVICES = """
version: 1
pipelines:
  acme: {transport: rec, vendor: acme, protocol: acme1}
devices:
  - {id: own, pipeline: acme, profile_id: A1,
     transport: {opts: {pfx_cert: a.pfx, cert_password: mine}}}
  - {id: empty, pipeline: acme, profile_id: A1,
     transport: {opts: {pfx_cert: b.pfx, cert_password: ""}}}
  - {id: none, pipeline: acme, profile_id: A1, transport: {opts: {pfx_cert: c.pfx}}}
"""


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("overrides", {"a.pfx": "given", "b.pfx": "given", "c.pfx": "given"}),
        ("fallbacks", {"a.pfx": "mine", "b.pfx": "given", "c.pfx": "given"}),
    ],
)
def test_cli_password_overrides_env_password_only_fills_in(
    kind: str, expected: dict[str, str]
) -> None:
    registry = PluginRegistry()
    transport = RecordingTransport()
    registry.register_transport("rec", transport)
    registry.register_vendor("acme", AcmeVendor())
    registry.register_protocol("acme1", object())
    executor = Executor(
        parse_config(PFX_DEVICES, env={}),
        registry=registry,
        **{kind: {"cert_password": "given"}},  # type: ignore[arg-type]
    )
    executor.open()
    assert {pfx: o["cert_password"] for pfx, o in transport.created.items()} == expected


@pytest.mark.parametrize(
    "url", ["mqtt://user:hunter2@h:1883", "mqtts://hunter2@h", "mqtt://u:hunter2@h:99999"]
)
def test_broker_url_with_credentials_is_refused_without_echoing_them(url: str) -> None:
    from power_sdk.transport import MqttTransport

    with pytest.raises(ConfigError, match="carries credentials") as info:
        MqttTransport(url)
    assert "hunter2" not in str(info.value)
    assert "://***@h" in str(info.value)


# -- property tests of the DSL parsers ----------------------------------------------------------


NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,6}", fullmatch=True)
PLAIN = st.text(alphabet=st.characters(blacklist_characters="${}"), max_size=8)


@given(
    env=st.dictionaries(NAMES, PLAIN, max_size=4),
    parts=st.lists(st.one_of(PLAIN, NAMES.map(lambda n: ("ref", n))), max_size=6),
    default=st.one_of(st.none(), PLAIN),
)
def test_interpolation_substitutes_or_names_the_missing_variable(
    env: dict[str, str], parts: list[object], default: str | None
) -> None:
    text, expected, missing = "", "", None
    for part in parts:
        if isinstance(part, tuple):
            name = part[1]
            text += "${" + name + ("" if default is None else ":-" + default) + "}"
            if name in env:
                expected += env[name]
            elif default is not None:
                expected += default
            elif missing is None:
                missing = name
        else:
            text += part
            expected += part
    if missing is None:
        assert interpolate({"a": [text]}, env) == {"a": [expected]}
    else:
        with pytest.raises(ConfigError, match=rf"{missing} is not set \(used at \$\.a\[0\]\)"):
            interpolate({"a": [text]}, env)


YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=6)
)
YAML_TREES = st.recursive(
    YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "pipelines",
                    "devices",
                    "defaults",
                    "id",
                    "pipeline",
                    "profile_id",
                    "transport",
                    "opts",
                    "sinks",
                    "type",
                    "poll_interval",
                    "schemas",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(tree=YAML_TREES)
def test_random_config_trees_raise_only_config_errors(tree: object) -> None:
    text = yaml.safe_dump(tree)
    try:
        outcome: object = parse_config(text, env={})
    except ConfigError as exc:
        outcome = exc
    if isinstance(outcome, ConfigError):
        assert str(outcome).strip()
    else:
        assert outcome.devices  # type: ignore[attr-defined]  # a complete, checked config


@settings(max_examples=200)
@given(tree=YAML_TREES)
def test_random_schema_data_raises_only_schema_errors(tree: object) -> None:
    try:
        BlockSchema.from_dict(tree).validate()  # type: ignore[arg-type]
    except SchemaError as exc:
        message = str(exc)
    else:
        message = "valid"
    assert message.strip()
