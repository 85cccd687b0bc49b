"""The span simulator (system ``span``): a SPAN panel's local v1 API on loopback.

``python -m shared_testing serve span [--config FILE]`` prints ``{"system": "span", "url": ...}``
and serves until interrupted. ``--config`` takes a simulation YAML as used by span-panel-api's
simulation mode.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shared_testing.span.server import SpanSimulator

__all__ = ["SpanSimulator", "add_cli_arguments", "create_simulator", "options_from_cli"]


def create_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: str | Path | None = None,
    seed: int | None = None,
) -> SpanSimulator:
    """Build the span simulator (``config``: a simulation YAML; default: the packaged one)."""
    return SpanSimulator(host=host, port=port, config=config, seed=seed)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config FILE`` for ``serve span``."""
    parser.add_argument("--config", metavar="FILE", help="simulation YAML (default: packaged)")


def options_from_cli(namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn ``serve span`` options into :func:`create_simulator` keywords."""
    return {"config": namespace.config} if namespace.config else {}
