"""Simulated Bluetti V2 power stations: Modbus RTU over a real MQTT broker.

``python -m shared_testing serve bluetti [--broker URL] [--serial SN --profile ID ...]``, or a
generated fleet: ``python -m shared_testing serve bluetti --devices N [--profile ID ...]``.
"""

from __future__ import annotations

import argparse
from typing import Any

from shared_testing.bluetti.fleet import fleet_devices
from shared_testing.bluetti.registers import PROFILES
from shared_testing.bluetti.simulator import DEFAULT_DEVICES, BluettiSimulator, DeviceSpec

__all__ = [
    "BluettiSimulator",
    "add_cli_arguments",
    "create_simulator",
    "fleet_devices",
    "options_from_cli",
]


def create_simulator(**options: Any) -> BluettiSimulator:
    """Build the simulator; options are :class:`BluettiSimulator`'s keyword arguments."""
    return BluettiSimulator(**options)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--broker``, ``--serial``, ``--profile`` and ``--devices`` to the ``serve`` command."""
    parser.add_argument(
        "--broker", help="use this broker (mqtt://host:port) instead of an embedded one"
    )
    parser.add_argument("--serial", action="append", default=[], help="device serial (repeatable)")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=sorted(PROFILES),
        help="device profile, paired with --serial in order (repeatable); with --devices, the "
        "profiles of the fleet in turn",
    )
    parser.add_argument(
        "--devices",
        type=int,
        metavar="N",
        help="serve a generated fleet of N devices (serials in the JSON line); without "
        "--profile it mixes every model",
    )
    parser.add_argument(
        "--embedded",
        choices=["amqtt", "mosquitto", "auto"],
        help="which embedded broker to start when --broker is not given (default: amqtt; "
        "auto, i.e. mosquitto when installed, for a --devices fleet)",
    )


def options_from_cli(namespace: argparse.Namespace) -> dict[str, Any]:
    """Turn the parsed options into :func:`create_simulator` keyword arguments."""
    serials: list[str] = list(namespace.serial)
    profiles: list[str] = list(namespace.profile)
    devices: list[DeviceSpec] | None = None
    fleet = getattr(namespace, "devices", None)
    if fleet is not None:
        if serials:
            raise ValueError("--devices generates the serials: give either --devices or --serial")
        devices = fleet_devices(fleet, profiles)
    elif serials or profiles:
        count = max(len(serials), len(profiles))
        profiles = profiles or [DEFAULT_DEVICES[0]["profile"]]
        devices = [
            {
                "serial": serials[i] if i < len(serials) else f"24300000{i + 1:05d}",
                "profile": profiles[i] if i < len(profiles) else profiles[-1],
            }
            for i in range(count)
        ]
    embedded = namespace.embedded or ("auto" if fleet is not None else "amqtt")
    return {"broker": namespace.broker, "devices": devices, "embedded": embedded}
