"""``python -m shared_testing serve <system>``: run one simulator standalone.

Once the simulator listens, exactly one JSON line describing it (URL, credentials, ...) is
printed to stdout and flushed; it then serves until interrupted (Ctrl-C or SIGTERM). The line's
``control`` key is the URL of the fault-control API (see :mod:`shared_testing.control`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence

from shared_testing.control import ControlServer
from shared_testing.systems import (
    SYSTEMS,
    MissingClientPackageError,
    add_system_arguments,
    create_simulator,
    system_options,
)

__all__ = ["main"]


def _parser(system: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m shared_testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run one simulator until interrupted")
    serve.add_argument("system", choices=sorted(SYSTEMS), help="which remote system to simulate")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    if system in SYSTEMS:
        add_system_arguments(system, serve)
    return parser


class StartupError(Exception):
    """The simulator could not be built or could not start listening."""


async def _serve(args: argparse.Namespace) -> None:
    try:
        simulator = create_simulator(
            args.system, host=args.host, port=args.port, **system_options(args.system, args)
        )
        await simulator.start()
    except Exception as exc:  # reported as one line, not a traceback, by main()
        raise StartupError(f"the {args.system} simulator could not start: {exc}") from exc
    control = ControlServer(simulator, host=args.host if args.host != "0.0.0.0" else "127.0.0.1")
    await control.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        print(json.dumps({**simulator.info(), "control": control.url}), flush=True)
        await stop.wait()
    finally:
        await control.stop()
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m shared_testing`` and the ``shared-testing`` script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The system's own options are only known once the system is; peek at it first.
    peek = [a for a in argv if not a.startswith("-")]
    system = peek[1] if len(peek) > 1 and peek[0] == "serve" else None
    try:
        parser = _parser(system)
    except MissingClientPackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
