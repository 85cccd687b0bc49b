"""The pytest plugin (entry point ``pytest11``): simulators as fixtures.

* ``simulator`` - a factory: ``simulator("span", config=...)`` starts that system on an ephemeral
  loopback port and returns a :class:`~shared_testing.simulator.RunningSimulator`; everything it
  started is stopped when the test ends.
* ``<system>_sim`` - one started simulator per test, for each system in
  :data:`~shared_testing.systems.SYSTEMS` (``echo_sim``, ``skyspark_sim``, ``span_sim``, ...).

Each test gets a fresh simulator, so state and armed faults never leak between tests.

Every ``async def`` test, and every test marked ``no_blocking``, runs with
:func:`shared_testing.blocking.no_blocking` active (fixtures included): a blocking call on the
event loop fails it. ``@pytest.mark.allow_blocking(reason=...)`` exempts one test; it needs a
reason, and is meant for tests of the detector itself.

``--forbid-skips`` fails the run when any test was skipped: CI runs a fresh copy of the
repository with it, so a test that skips for want of data or a tool cannot pass unnoticed.

It also sets the hypothesis profile every package's property tests share: no per-example
deadline (CI machines are busy; a slow example is not a bug) and, when ``CI`` is set,
derandomized runs, so a CI result is reproducible while local runs keep exploring.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared_testing.blocking import no_blocking
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


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--forbid-skips``."""
    parser.addoption(
        "--forbid-skips",
        action="store_true",
        help="fail the run if any test is skipped (shared-testing)",
    )


class _SkipGuard:
    """With ``--forbid-skips``: collects skipped tests, lists them, and fails the run."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped:
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            self.skipped.append(f"{report.nodeid}: {reason}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.skipped:
            terminalreporter.section("skipped tests (forbidden by --forbid-skips)", red=True)
            for line in self.skipped:
                terminalreporter.line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers, and the skip guard when asked for."""
    if config.getoption("forbid_skips", default=False):
        config.pluginmanager.register(_SkipGuard(), "shared-testing-skip-guard")
    config.addinivalue_line(
        "markers",
        "no_blocking: run this (synchronous) test with blocking calls on an event loop caught;"
        " async def tests always are",
    )
    config.addinivalue_line(
        "markers",
        "allow_blocking(reason): do not catch blocking calls in this test (reason required)",
    )


def _checks_blocking(item: pytest.Item) -> bool:
    allowed = item.get_closest_marker("allow_blocking")
    if allowed is not None:
        reason = allowed.kwargs.get("reason") or (allowed.args[0] if allowed.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: allow_blocking needs a reason")
        return False
    if item.get_closest_marker("no_blocking") is not None:
        return True
    function = getattr(item, "function", None)
    return function is not None and inspect.iscoroutinefunction(function)


@pytest.fixture(autouse=True)
def _no_blocking_on_the_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    """Blocking calls on an event loop fail async tests (see :mod:`shared_testing.blocking`)."""
    if not _checks_blocking(request.node):
        yield
        return
    with no_blocking():
        yield


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
