"""Fixtures shared by power-sdk's tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from shared_testing import RunningSimulator
from shared_testing.bluetti.broker import (
    MosquittoBroker,
    ThreadedBroker,
    free_port,
    mosquitto_available,
)

from .pki import Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, a broker certificate for 127.0.0.1 and a device .pfx (password ``PASSWORD``)."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mutual_tls(
    pki: Pki, simulator: Callable[..., RunningSimulator]
) -> Iterator[tuple[int, RunningSimulator]]:
    """mosquitto with a plain listener (the simulated devices) and one that requires a client
    certificate signed by ``pki``'s CA; yields that listener's port and the simulator."""
    if not mosquitto_available():
        pytest.skip("mosquitto is not installed")
    tls_port = free_port()
    extra = (
        f"listener {tls_port} 127.0.0.1\n"
        f"cafile {pki.ca}\ncertfile {pki.server_cert}\nkeyfile {pki.server_key}\n"
        "require_certificate true\n"
    )
    if os.geteuid() == 0:  # mosquitto would drop to a user that cannot read the key
        extra = "user root\n" + extra
    with ThreadedBroker(MosquittoBroker(extra_config=extra)) as broker:
        yield tls_port, simulator("bluetti", broker=broker.url)
