"""Simulator of the Brager One heating-controller cloud (REST + Socket.IO), system ``brager``."""

from __future__ import annotations

import argparse
from typing import Any

from shared_testing.brager.server import DEFAULT_EMAIL, DEFAULT_PASSWORD, BragerSimulator

__all__ = ["BragerSimulator", "add_cli_arguments", "create_simulator", "options_from_cli"]


def create_simulator(**options: Any) -> BragerSimulator:
    """Build the Brager One simulator (see :class:`BragerSimulator` for the options)."""
    return BragerSimulator(**options)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m shared_testing serve brager``."""
    parser.add_argument("--email", default=DEFAULT_EMAIL, help="the demo account's e-mail")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the demo account's password")
    parser.add_argument(
        "--drift-interval", type=float, default=2.0, help="seconds between value changes (0: off)"
    )
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="token lifetime, seconds")


def options_from_cli(namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn the parsed ``serve`` options into :func:`create_simulator` options."""
    return {
        "email": namespace.email,
        "password": namespace.password,
        "drift_interval": namespace.drift_interval,
        "token_ttl": namespace.token_ttl,
    }
