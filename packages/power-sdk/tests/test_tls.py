"""PKCS#12 client certificates: loading, temp-file hygiene, and a real mutual-TLS broker."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from power_sdk import AsyncClient, BrokerUnavailableError, RequestTimeoutError, TlsError
from power_sdk.transport import MqttTransport, TlsFiles, load_pkcs12
from shared_testing.bluetti.broker import MosquittoBroker, ThreadedBroker, mosquitto_available
from shared_testing.simulator import RunningSimulator

from .pki import PASSWORD, Pki


def test_load_pkcs12(pki: Pki) -> None:
    cert, key, chain = load_pkcs12(pki.pfx.read_bytes(), PASSWORD)
    assert cert.startswith(b"-----BEGIN CERTIFICATE-----")
    assert b"PRIVATE KEY" in key
    assert chain.startswith(b"-----BEGIN CERTIFICATE-----")


def test_wrong_password_is_typed_and_not_echoed(pki: Pki) -> None:
    with pytest.raises(TlsError, match="wrong password or damaged file") as info:
        TlsFiles.from_pkcs12(pki.pfx, "not-the-password")
    assert "not-the-password" not in str(info.value)
    with pytest.raises(TlsError, match="cannot read the PKCS#12 file"):
        TlsFiles.from_pkcs12(pki.pfx.parent / "missing.pfx", PASSWORD)
    with pytest.raises(TlsError, match="damaged"):
        load_pkcs12(b"not a pfx", PASSWORD)


def test_temp_files_are_private_and_removed(pki: Pki) -> None:
    files = TlsFiles.from_pkcs12(pki.pfx, PASSWORD)
    assert stat.S_IMODE(files.directory.stat().st_mode) == 0o700
    for path in (files.certfile, files.keyfile, files.cafile):
        assert path is not None
        assert stat.S_IMODE(path.stat().st_mode) == 0o400
    files.cleanup()
    assert not files.directory.exists()
    files.cleanup()  # idempotent


def test_temp_files_removed_when_the_block_raises(pki: Pki) -> None:
    seen: list[Path] = []

    def use_and_fail() -> None:
        with TlsFiles.from_pkcs12(pki.pfx, PASSWORD) as files:
            seen.append(files.directory)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        use_and_fail()
    assert not seen[0].exists()


def test_temp_files_removed_at_interpreter_exit(pki: Pki) -> None:
    code = (
        "import sys\n"
        "from power_sdk.transport import TlsFiles\n"
        "files = TlsFiles.from_pkcs12(sys.argv[1], sys.argv[2])\n"
        "print(files.directory, flush=True)\n"
        "sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(pki.pfx), PASSWORD],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 3
    assert not Path(done.stdout.strip()).exists()


async def test_temp_files_are_gone_once_loaded_even_if_the_broker_is_unreachable(
    pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport = MqttTransport(
        "mqtts://127.0.0.1:9", pfx=pki.pfx, pfx_password=PASSWORD, connect_timeout=0.3
    )
    with pytest.raises(BrokerUnavailableError):
        await transport.connect()
    assert transport.tls_directory is not None
    # deleted as soon as paho loaded them
    assert not await asyncio.to_thread(transport.tls_directory.exists)
    await transport.close()
    assert PASSWORD not in caplog.text
    pfx = await asyncio.to_thread(pki.pfx.read_bytes)
    key_pem = load_pkcs12(pfx, PASSWORD)[1].decode()
    assert key_pem.splitlines()[1] not in caplog.text


@pytest.mark.skipif(not mosquitto_available(), reason="mosquitto is not installed")
async def test_mutual_tls_against_mosquitto(
    pki: Pki, simulator: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    from shared_testing.bluetti.broker import free_port

    tls_port = free_port()
    extra = (
        "user root\n"
        f"listener {tls_port} 127.0.0.1\n"
        f"cafile {pki.ca}\n"
        f"certfile {pki.server_cert}\n"
        f"keyfile {pki.server_key}\n"
        "require_certificate true\n"
    )
    if os.geteuid() != 0:
        extra = extra.replace("user root\n", "")
    mosquitto = await asyncio.to_thread(MosquittoBroker, extra_config=extra)  # makes a temp dir
    with ThreadedBroker(mosquitto) as broker:
        sim: RunningSimulator = simulator("bluetti", broker=broker.url)  # type: ignore[operator]
        device = sim.info()["devices"][0]
        client = AsyncClient(
            device["serial"],
            profile=device["profile"],
            transport=MqttTransport(
                f"mqtts://127.0.0.1:{tls_port}",
                pfx=pki.pfx,
                pfx_password=PASSWORD,
                ca_file=str(pki.ca),
            ),
        )
        await client.connect()
        try:
            block = await client.read_block(100)
            directory = client.transport.tls_directory
            assert directory is not None
            # connected, and nothing left on disk
            assert not await asyncio.to_thread(directory.exists)
            await asyncio.to_thread(broker.restart)  # reconnecting needs no files either
            for _ in range(100):
                try:
                    again = await client.read_block(1300)
                    break
                except (BrokerUnavailableError, RequestTimeoutError):
                    await asyncio.sleep(0.2)
            else:
                pytest.fail("no answer over TLS after the broker restarted")
            assert again.values["frequency"] == 50.0
        finally:
            await client.transport.close()
        assert block.values["device_model"] == device["profile"]
        # without a client certificate the broker refuses the connection
        anonymous = MqttTransport(
            f"mqtts://127.0.0.1:{tls_port}", ca_file=str(pki.ca), connect_timeout=1.0
        )
        with pytest.raises(BrokerUnavailableError):
            await anonymous.connect()
        await anonymous.close()
        await asyncio.sleep(0)
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("ca_file", "reason"), [("missing.pem", "No such file"), ("not-a-ca.pem", "no certificate")]
)
async def test_bad_ca_file_is_a_tls_error(tmp_path: Path, ca_file: str, reason: str) -> None:
    await asyncio.to_thread((tmp_path / "not-a-ca.pem").write_text, "hello\n")
    transport = MqttTransport("mqtts://127.0.0.1:9", ca_file=str(tmp_path / ca_file))
    with pytest.raises(TlsError, match=f"cannot set up TLS for 127.0.0.1:9: .*{reason}") as info:
        await transport.connect()
    assert ca_file in str(info.value)
    assert not transport.connected
    await transport.close()
