"""Simulator of an EnSync node (system ``ensync``): gRPC and WebSocket over one state.

``python -m shared_testing serve ensync`` prints ``{"system", "grpc_url", "ws_url", "apps"}``;
each app is ``{access_key, app_id, secret_key}`` (base64 Ed25519 public key and 64-byte secret).
"""

from __future__ import annotations

import argparse
from typing import Any

from shared_testing.ensync.simulator import EnSyncSimulator, new_app
from shared_testing.ensync.state import App, NodeState, StoredEvent

__all__ = [
    "App",
    "EnSyncSimulator",
    "NodeState",
    "StoredEvent",
    "add_cli_arguments",
    "create_simulator",
    "new_app",
    "options_from_cli",
]


def create_simulator(**options: Any) -> EnSyncSimulator:
    """Build the EnSync simulator (options: host, port, ws_port, apps, ack_timeout...)."""
    return EnSyncSimulator(**options)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``serve ensync`` (``--port`` is the gRPC port)."""
    parser.add_argument("--ws-port", type=int, default=0, help="WebSocket port (0: any free one)")
    parser.add_argument("--apps", type=int, default=3, help="how many apps to register")
    parser.add_argument(
        "--ack-timeout",
        type=float,
        default=30.0,
        help="seconds before an unacknowledged delivery is redelivered",
    )


def options_from_cli(namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn the parsed ``serve ensync`` options into ``create_simulator`` options."""
    return {
        "ws_port": namespace.ws_port,
        "apps": namespace.apps,
        "ack_timeout": namespace.ack_timeout,
    }
