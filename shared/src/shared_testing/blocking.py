"""Blocking calls on an event loop, caught: the ``blockbuster`` library with our exemptions.

Home Assistant and every other asyncio host reports a client that reads a file, scans a
directory, sleeps or uses a synchronous socket on its event loop. :func:`no_blocking` turns such
a call into :class:`BlockingError` while it is active. The shared pytest plugin activates it for
every ``async def`` test and for tests marked ``no_blocking``; ``python -m shared_testing.blocking
script.py ARGS`` runs a script (a quick-start) under it.

:data:`EXEMPTIONS` is the one list of places allowed to block, each with its reason.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from blockbuster import BlockBuster, BlockingError

from shared_testing.threads import REMOTE_LOOP_ENTRY

__all__ = ["EXEMPTIONS", "BlockingError", "Exemption", "main", "no_blocking", "script_command"]


@dataclass(frozen=True)
class Exemption:
    """Blocking is allowed while any frame of ``functions`` in a file ending ``filename`` runs."""

    filename: str
    functions: frozenset[str]
    reason: str


EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption(
        "shared_testing/threads.py",
        frozenset({REMOTE_LOOP_ENTRY}),
        "a simulator's or embedded broker's own loop thread plays the remote system; only the"
        " client's loop is under test",
    ),
    Exemption(
        "shared_testing/simulator.py",
        frozenset({"start", "stop", "call"}),
        "a test starting, stopping, restarting or inspecting its simulator waits for the remote"
        " side's thread on purpose; client code never calls these",
    ),
    Exemption(
        "shared_testing/bluetti/broker.py",
        frozenset({"start", "stop", "restart", "close"}),
        "the same for a test driving its MQTT broker (ThreadedBroker)",
    ),
    Exemption(
        "shared_testing/docs.py",
        frozenset({"code_blocks"}),
        "a test reading the README whose examples it runs; the README is the test's data, not"
        " something the code under test reads",
    ),
)


@contextmanager
def no_blocking() -> Iterator[BlockBuster]:
    """Raise :class:`BlockingError` for any blocking call made on a running event loop."""
    detector = BlockBuster()
    for function in detector.functions.values():
        for exemption in EXEMPTIONS:
            function.can_block_in(exemption.filename, exemption.functions)
    detector.activate()
    try:
        yield detector
    finally:
        detector.deactivate()


def script_command(script: Path | str, *args: str, python_options: Sequence[str] = ()) -> list[str]:
    """The command line running ``script ARGS`` in a child Python under :func:`no_blocking`.

    ``python_options`` go to the interpreter before ``-m`` (``["-W", "error::ResourceWarning"]``).
    """
    return [sys.executable, *python_options, "-m", "shared_testing.blocking", str(script), *args]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shared_testing.blocking SCRIPT [ARGS...]``: SCRIPT under :func:`no_blocking`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m shared_testing.blocking SCRIPT [ARGS...]", file=sys.stderr)
        return 2
    sys.argv = args
    # As ``python SCRIPT`` would: the script's own directory comes first on the import path.
    sys.path.insert(0, str(Path(args[0]).resolve().parent))
    with no_blocking():
        runpy.run_path(args[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
