"""The pytest plugin (entry point ``pytest11``): simulators as fixtures.

* ``simulator`` - a factory: ``simulator("span", config=...)`` starts that system on an ephemeral
  loopback port and returns a :class:`~shared_testing.simulator.RunningSimulator`; everything it
  started is stopped when the test ends.
* ``<system>_sim`` - one started simulator per test, for each system in
  :data:`~shared_testing.systems.SYSTEMS` (``echo_sim``, ``skyspark_sim``, ``span_sim``, ...).

Each test gets a fresh simulator, so state and armed faults never leak between tests.

It also sets the hypothesis profile every package's property tests share: no per-example
deadline (CI machines are busy; a slow example is not a bug) and, when ``CI`` is set,
derandomized runs, so a CI result is reproducible while local runs keep exploring.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared_testing.simulator import RunningSimulator
from shared_testing.systems import SYSTEMS, start_simulator

SimulatorFactory = Callable[..., RunningSimulator]


def _load_hypothesis_profile() -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # property tests are optional for a package using shared-testing
        return
    settings.register_profile(
        "shared-testing", deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        "shared-testing-ci",
        parent=settings.get_profile("shared-testing"),
        derandomize=True,
        print_blob=True,
    )
    settings.load_profile("shared-testing-ci" if os.environ.get("CI") else "shared-testing")


_load_hypothesis_profile()


@pytest.fixture
def simulator() -> Iterator[SimulatorFactory]:
    """Start simulators by name; all of them are stopped at teardown."""
    started: list[RunningSimulator] = []

    def factory(system: str, /, **options: Any) -> RunningSimulator:
        running = start_simulator(system, **options)
        started.append(running)
        return running

    yield factory
    errors: list[BaseException] = []
    for running in reversed(started):
        try:
            running.stop()
        except Exception as exc:  # keep stopping the others, then report
            errors.append(exc)
    if errors:
        raise errors[0]


def _system_fixture(system: str) -> Callable[..., RunningSimulator]:
    def fixture(simulator: SimulatorFactory) -> RunningSimulator:
        return simulator(system)

    fixture.__name__ = f"{system}_sim"
    fixture.__doc__ = f"A running {system} simulator on an ephemeral loopback port."
    return pytest.fixture(name=f"{system}_sim")(fixture)


for _system in SYSTEMS:
    globals()[f"{_system}_sim"] = _system_fixture(_system)
