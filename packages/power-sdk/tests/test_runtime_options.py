"""Transport and device option names of runtime.yaml, their aliases, and the CLI's checks.

The published package names the options ``broker`` (a host) + ``port``, ``device_sn``,
``pfx_cert`` and ``cert_password``; this package's earlier names stay accepted as aliases.
``--dry-run`` runs the same offline checks as ``--once``: both refuse the same files, with 2.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from power_sdk import ConfigError
from power_sdk.runtime import default_registry, parse_config
from power_sdk.runtime.checks import check_devices, device_options, effective_config
from power_sdk.runtime.cli import main
from power_sdk.transport import MQTTConfig, MQTTTransport, MqttTransport, parse_broker

from .pki import PASSWORD, Pki

CONFIG = """
version: 1
pipelines:
  station:
    mode: pull
    transport: mqtt
    vendor: bluetti
    protocol: v2
defaults:
  poll_interval: 15
  transport:
    opts:
      broker: "${BROKER_HOST:-cloud.example.net}"
      port: ${BROKER_PORT:-18760}
devices:
  - id: shed
    pipeline: station
    profile_id: EL30V2
    transport:
      opts:
        device_sn: "${SHED_SN}"
        cert_password: "${SHED_PW}"
"""
ENV = {"SHED_SN": "2430100000009", "SHED_PW": "pw-9"}


def with_opts(text: str, *lines: str) -> str:
    """``text`` with more options for the device, under its device_sn."""
    anchor = 'device_sn: "${SHED_SN}"'
    return text.replace(anchor, anchor + "".join(f"\n        {line}" for line in lines))


def options(text: str, env: dict[str, str] | None = None) -> dict[str, object]:
    return device_options(
        parse_config(text, env=ENV if env is None else env), 0, default_registry()
    )


def test_published_names_resolve_as_written() -> None:
    config = parse_config(CONFIG, env=ENV)
    registry = default_registry()
    assert device_options(config, 0, registry) == {
        "broker": "cloud.example.net",
        "port": "18760",  # an interpolated scalar stays text until the plugin converts it
        "device_sn": "2430100000009",
        "cert_password": "pw-9",
    }
    shown = effective_config(config, registry)["devices"][0]["transport"]["opts"]
    assert shown["cert_password"] == "***"
    assert "pw-9" not in repr(effective_config(config, registry))
    transport = registry.transport("mqtt").create(device_options(config, 0, registry))
    assert (transport.host, transport.port, transport.tls) == ("cloud.example.net", 18760, False)


def test_our_earlier_names_are_aliases_of_the_published_ones() -> None:
    text = with_opts(CONFIG, "pfx: a.pfx")
    text = text.replace("device_sn:", "serial:").replace("cert_password:", "pfx_password:")
    assert options(text) == {
        "broker": "cloud.example.net",
        "port": "18760",
        "device_sn": "2430100000009",
        "cert_password": "pw-9",
        "pfx_cert": "a.pfx",
    }


def test_a_device_overrides_defaults_whichever_name_either_uses() -> None:
    text = with_opts(CONFIG, "pfx_cert: own.pfx").replace(
        "      port: ${BROKER_PORT:-18760}\n",
        "      port: ${BROKER_PORT:-18760}\n      pfx: shared.pfx\n      serial: fallback\n",
    )
    resolved = options(text)
    assert resolved["pfx_cert"] == "own.pfx"
    assert resolved["device_sn"] == "2430100000009"


def test_an_alias_disagreeing_with_its_name_is_refused() -> None:
    text = with_opts(CONFIG, "serial: other")
    with pytest.raises(ConfigError, match=r"'device_sn' and 'serial' at devices\[0\]"):
        options(text)
    same = with_opts(CONFIG, 'serial: "2430100000009"')
    assert options(same)["device_sn"] == "2430100000009"


@pytest.mark.parametrize(
    ("broker", "port", "expected"),
    [
        ("iot.bluettipower.com", 18760, ("iot.bluettipower.com", 18760, False)),
        ("10.0.0.2", None, ("10.0.0.2", 1883, False)),
        ("mqtt://10.0.0.2:1884", None, ("10.0.0.2", 1884, False)),
        ("mqtt://10.0.0.2:1884", 1884, ("10.0.0.2", 1884, False)),
        ("mqtts://broker.lan", None, ("broker.lan", 8883, True)),
        ("[::1]", 1885, ("::1", 1885, False)),
    ],
)
def test_broker_as_host_and_port_or_as_url(
    broker: str, port: int | None, expected: tuple[str, int, bool]
) -> None:
    address = parse_broker(broker, port=port)
    assert (address.host, address.port, address.tls) == expected


@pytest.mark.parametrize(
    ("broker", "port", "message"),
    [
        ("mqtt://h:1883", 18760, "names port 1883 but the port option is 18760"),
        ("bad host", None, "must be a host name"),
        ("h/path", None, "must be a host name"),
        ("h", 0, "port must be a TCP port 1..65535, got 0"),
        ("h", True, "port must be a TCP port"),
        ("http://h", None, "must look like mqtt://host:port"),
        ("user:pw@h", None, "carries credentials"),
        ("", None, "must be a host name"),
    ],
)
def test_bad_broker_or_port_is_a_config_error(broker: str, port: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_broker(broker, port=port)  # type: ignore[arg-type]


def test_a_url_and_an_explicit_tls_choice_must_agree() -> None:
    with pytest.raises(ConfigError, match="says no TLS but tls is True"):
        parse_broker("mqtt://h", tls=True)
    assert parse_broker("h", tls=True).port == 8883
    with pytest.raises(ConfigError, match="needs TLS, but tls is false"):
        MqttTransport("h", tls=False, pfx=b"...")


def test_mqtt_config_follows_the_published_defaults(pki: Pki) -> None:
    with pytest.raises(ConfigError, match="no pfx_cert"):
        MQTTTransport(MQTTConfig(broker="127.0.0.1", device_sn="SN1"))
    with pytest.raises(ConfigError, match="no cert_password"):
        MQTTTransport(MQTTConfig(broker="127.0.0.1", pfx_cert=pki.pfx.read_bytes()))
    plain = MQTTTransport(MQTTConfig(broker="127.0.0.1", port=1884, allow_insecure=True))
    assert (plain.host, plain.port, plain.tls, plain.device_sn) == ("127.0.0.1", 1884, False, None)
    secure = MQTTTransport(MQTTConfig("iot.example", 18760, "SN1", pki.pfx.read_bytes(), PASSWORD))
    assert (secure.port, secure.tls, secure.device_sn) == (18760, True, "SN1")
    assert PASSWORD not in repr(MQTTConfig(cert_password=PASSWORD))
    assert MQTTTransport is MqttTransport


# -- the CLI: --dry-run refuses exactly what --once refuses ---------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "runtime.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BROKER_HOST", "127.0.0.1")
    monkeypatch.setenv("BROKER_PORT", "9")  # nothing listens: no case may get that far
    monkeypatch.delenv("POWER_SDK_PFX_PASSWORD", raising=False)


def bad_configs(pki: Pki, tmp_path: Path) -> list[tuple[str, str]]:
    return [
        (CONFIG.replace("${BROKER_HOST:-cloud.example.net}", "bad host"), "must be a host name"),
        (CONFIG.replace("${BROKER_PORT:-18760}", "70000"), "port must be a TCP port"),
        (
            CONFIG.replace("${BROKER_PORT:-18760}", "many"),
            "invalid value 'many' at transport.opts.port",
        ),
        (CONFIG.replace("EL30V2", "EL9000"), "unknown device profile 'EL9000'"),
        (with_opts(CONFIG, "groups: [solar]"), "unknown block group 'solar'"),
        (with_opts(CONFIG, "blocks: [4242]"), "no schema registered for block 4242"),
        (with_opts(CONFIG, "serial: other"), "same option (device_sn)"),
        (with_opts(CONFIG, "colour: red"), "unknown option 'colour'"),
        (with_opts(CONFIG, f"pfx_cert: {tmp_path / 'no.pfx'}"), "cannot read the PKCS#12 file"),
        (with_opts(CONFIG, f"pfx_cert: {pki.pfx}"), "cannot open the PKCS#12 certificate"),
        (with_opts(CONFIG, f"ca_file: {tmp_path / 'no-ca.pem'}"), "cannot load the CA file"),
        (with_opts(CONFIG, "allow_insecure: false"), "allow_insecure is false"),
        (with_opts(CONFIG, "tls: false", f"pfx_cert: {pki.pfx}"), "needs TLS, but tls is false"),
        (
            CONFIG + f"    sinks: [{{type: jsonl, path: {tmp_path}}}]\n",
            "sinks[0].path",
        ),
    ]


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("case", range(14))
def test_dry_run_and_once_refuse_the_same_configs_with_exit_2(
    case: int, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = bad_configs(pki, tmp_path)[case]
    path = write(tmp_path, text)
    results = []
    for mode in ("--dry-run", "--once"):
        code = main(["runtime", "--config", str(path), mode])
        captured = capsys.readouterr()
        results.append((code, message in captured.err, captured.out))
    assert results == [(2, True, ""), (2, True, "")]
    assert "pw-9" not in capsys.readouterr().err


def test_every_bad_config_case_is_run(pki: Pki, tmp_path: Path) -> None:
    assert len(bad_configs(pki, tmp_path)) == 14


@pytest.mark.usefixtures("cli_env")
def test_certificate_decoded_before_any_connection_with_the_right_password(
    pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, with_opts(CONFIG, f"pfx_cert: {pki.pfx}"))
    monkeypatch.setenv("SHED_PW", PASSWORD)
    assert main(["runtime", "--config", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert str(pki.pfx) in out
    assert PASSWORD not in out
    # a wrong password in the file loses against the flag
    monkeypatch.setenv("SHED_PW", "wrong")
    assert main(["runtime", "--config", str(path), "--dry-run"]) == 2
    assert main(["runtime", "--config", str(path), "--dry-run", "--cert-password", PASSWORD]) == 0
    assert main(["runtime", "--config", str(path), "--dry-run", "--pfx-password", PASSWORD]) == 0


@pytest.mark.usefixtures("cli_env")
def test_a_password_without_a_certificate_is_reported_not_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.WARNING)
    assert main(["runtime", "--config", str(write(tmp_path, CONFIG)), "--dry-run"]) == 0
    assert "cert_password is set but there is no pfx_cert" in caplog.text
    assert '"device_sn": "2430100000009"' in capsys.readouterr().out


def test_check_devices_builds_nothing_on_the_network(tmp_path: Path) -> None:
    config = parse_config(CONFIG.replace("18760", "9"), env=ENV)
    warnings = check_devices(config, default_registry())
    assert warnings == [
        "devices[0] (shed): cert_password is set but there is no pfx_cert: the connection "
        "uses no client certificate and the password is not used"
    ]
