"""Which simulators exist, and how to start one by name.

Each system module exposes ``create_simulator(**options) -> Simulator``; it may also expose
``add_cli_arguments(parser)`` and ``options_from_cli(namespace) -> dict`` for the options its
standalone ``serve`` command accepts. Modules are imported only when their system is asked for.
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType
from typing import Any

from shared_testing.simulator import RunningSimulator, Simulator

__all__ = ["SYSTEMS", "create_simulator", "load_system", "start_simulator"]

#: system name -> module implementing it
SYSTEMS: dict[str, str] = {
    "echo": "shared_testing.echo",
    "skyspark": "shared_testing.skyspark",
    "span": "shared_testing.span",
    "bluetti": "shared_testing.bluetti",
    "brager": "shared_testing.brager",
    "ensync": "shared_testing.ensync",
}


#: simulators that reuse their client package's codec or engine -> that distribution
NEEDS_CLIENT: dict[str, tuple[str, str]] = {
    "skyspark": ("ace_skyspark_lib", "ace-skyspark-lib"),
    "span": ("span_panel_api", "span-panel-api"),
    "ensync": ("ensync_sdk", "ensync-sdk"),
}


class UnknownSystemError(LookupError):
    """A simulator name that is not in :data:`SYSTEMS`."""


class MissingClientPackageError(ImportError):
    """A simulator whose client package (it reuses its codec or engine) is not installed."""


def load_system(name: str) -> ModuleType:
    """Import the module that implements the simulator ``name``."""
    try:
        module_name = SYSTEMS[name]
    except KeyError:
        known = ", ".join(sorted(SYSTEMS))
        raise UnknownSystemError(f"unknown simulator {name!r}; known: {known}") from None
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        module, dist = NEEDS_CLIENT.get(name, ("", ""))
        if module and exc.name is not None and exc.name.split(".")[0] == module:
            raise MissingClientPackageError(
                f"the {name} simulator needs {dist} installed: pip install 'shared-testing[{name}]'"
                f" (in this repository: pip install -e packages/{dist})"
            ) from exc
        raise


def create_simulator(name: str, **options: Any) -> Simulator:
    """Build (but do not start) the simulator ``name`` with system-specific ``options``."""
    simulator = load_system(name).create_simulator(**options)
    if not isinstance(simulator, Simulator):
        raise TypeError(f"{name}.create_simulator returned {type(simulator).__name__}")
    return simulator


def start_simulator(name: str, **options: Any) -> RunningSimulator:
    """Start the simulator ``name`` on its own thread; stop it with ``.stop()`` or ``with``."""
    return RunningSimulator(create_simulator(name, **options)).start()


def add_system_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    """Let system ``name`` add its own ``serve`` options to ``parser``."""
    module = load_system(name)
    adder = getattr(module, "add_cli_arguments", None)
    if adder is not None:
        adder(parser)


def system_options(name: str, namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn the parsed ``serve`` options of system ``name`` into ``create_simulator`` options."""
    module = load_system(name)
    converter = getattr(module, "options_from_cli", None)
    if converter is None:
        return {}
    options: dict[str, Any] = converter(namespace)
    return options
