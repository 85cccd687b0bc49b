"""pytest fixtures for the ``bluetti`` system: real MQTT brokers.

* ``mqtt_broker`` - the broker CI uses: mosquitto when it is on PATH, else embedded amqtt.
* ``any_mqtt_broker`` - parametrised over both kinds (mosquitto skipped when not installed),
  for tests that must hold on either path.
* ``bluetti_on_broker`` - the ``bluetti`` simulator (two devices) on ``mqtt_broker``.

Each is a :class:`~shared_testing.bluetti.broker.ThreadedBroker` (``.url``, ``.restart()``,
``.stop()``, ``.start()``) or a running simulator, stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared_testing.bluetti.broker import (
    BrokerKind,
    ThreadedBroker,
    create_broker,
    mosquitto_available,
)
from shared_testing.simulator import RunningSimulator

__all__ = ["any_mqtt_broker", "bluetti_on_broker", "mqtt_broker"]


def _serve(kind: BrokerKind) -> Iterator[ThreadedBroker]:
    broker = ThreadedBroker(create_broker(kind)).start()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def mqtt_broker() -> Iterator[ThreadedBroker]:
    """A real broker on loopback: mosquitto when installed, else embedded amqtt."""
    yield from _serve("auto")


@pytest.fixture(params=["mosquitto", "amqtt"])
def any_mqtt_broker(request: pytest.FixtureRequest) -> Iterator[ThreadedBroker]:
    """Each broker kind in turn; mosquitto only where the binary is installed."""
    kind: BrokerKind = request.param
    if kind == "mosquitto" and not mosquitto_available():
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    yield from _serve(kind)


@pytest.fixture
def bluetti_on_broker(
    mqtt_broker: ThreadedBroker, simulator: Callable[..., RunningSimulator]
) -> RunningSimulator:
    """The ``bluetti`` simulator's default devices, connected to ``mqtt_broker``."""
    options: dict[str, Any] = {"broker": mqtt_broker.url}
    return simulator("bluetti", **options)
