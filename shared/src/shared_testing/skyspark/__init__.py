"""The SkySpark simulator (system ``skyspark``).

A Haystack server over real HTTP at ``http://host:port/api/{project}/{op}``: SCRAM-SHA-256
authentication, ``about``/``ops``/``formats``/``read``/``hisRead``/``hisWrite``/``commit``/
``eval``/``evalAll``/``close``, error grids and the shared fault injection. Seeded with a
small building. Answers in Zinc by default, Haystack 4 JSON (Hayson) for ``Accept:
application/json``, Haystack 3 JSON only for ``application/vnd.haystack+json;version=3``; the
same formats are read from request bodies. History writes are checked as SkySpark checks
them (timestamps in the point's zone, its kind and unit, no conversion).
"""

from __future__ import annotations

import argparse
from typing import Any

from shared_testing.skyspark.server import SkysparkSimulator

__all__ = ["SkysparkSimulator", "add_cli_arguments", "create_simulator", "options_from_cli"]


def create_simulator(**options: Any) -> SkysparkSimulator:
    """Build the simulator; options: host, port, project, username, password, seed, ..."""
    return SkysparkSimulator(**options)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """``serve skyspark`` options."""
    parser.add_argument("--project", default="demo", help="project name (default: demo)")
    parser.add_argument("--username", default="su", help="user name (default: su)")
    parser.add_argument("--password", default=None, help="password (default: random)")
    parser.add_argument("--no-seed", action="store_true", help="start with an empty project")


def options_from_cli(namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn parsed ``serve`` options into :func:`create_simulator` keyword arguments."""
    return {
        "project": namespace.project,
        "username": namespace.username,
        "password": namespace.password,
        "seed": not namespace.no_seed,
    }
