"""A simulator run as its own process, the way a user or ``nox -s demo`` starts one.

``with serve("span", "--config", path) as served:`` runs ``python -m shared_testing serve``,
waits for its JSON line (``served.info``) and, on leaving, interrupts it with Ctrl-C and checks
that it shut down cleanly. A watchdog kills a child that never prints, so a broken start fails
the test instead of hanging it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["ServedSimulator", "StandaloneError", "serve"]


class StandaloneError(AssertionError):
    """The standalone simulator did not start, or did not shut down cleanly."""


@dataclass(frozen=True)
class ServedSimulator:
    """A running ``serve`` child: its JSON line, parsed and as printed, and the process."""

    info: dict[str, Any]
    line: str
    process: subprocess.Popen[str]


@contextmanager
def serve(system: str, *options: str, start_timeout: float = 60.0) -> Iterator[ServedSimulator]:
    """Run ``python -m shared_testing serve system *options`` for the duration of the block."""
    # stderr goes to a file: a chatty child can never block on a full pipe.
    with tempfile.TemporaryFile("w+") as stderr_file:
        yield from _serve(system, options, start_timeout, stderr_file)


def _serve(
    system: str, options: tuple[str, ...], start_timeout: float, stderr_file: Any
) -> Iterator[ServedSimulator]:
    process = subprocess.Popen(
        [sys.executable, "-m", "shared_testing", "serve", system, *options],
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        text=True,
    )
    assert process.stdout is not None

    def stderr() -> str:
        stderr_file.seek(0)
        return str(stderr_file.read())

    watchdog = threading.Timer(start_timeout, process.kill)
    watchdog.start()
    try:
        line = process.stdout.readline().strip()
    finally:
        watchdog.cancel()
    if not line:
        process.kill()
        process.wait()
        raise StandaloneError(
            f"the {system} simulator exited ({process.returncode}) before listening:\n{stderr()}"
        )
    try:
        yield ServedSimulator(info=json.loads(line), line=line, process=process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise StandaloneError(f"the {system} simulator ignored Ctrl-C") from None
        finally:
            process.stdout.close()
    if code != 0:
        raise StandaloneError(f"the {system} simulator exited {code} on Ctrl-C:\n{stderr()}")
