"""Run scripts with a published upstream client's interpreter (``nox -s interop``).

The interop session makes a venv holding only the published client and passes its python as
the environment variable ``INTEROP_PYTHON``; tests run their scripts with it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["InteropError", "published_python", "run_published"]


class InteropError(AssertionError):
    """The published client's interpreter is missing, or a script run with it failed."""


def published_python() -> str:
    """The interpreter of the published client's venv; fails (never skips) when unset."""
    python = os.environ.get("INTEROP_PYTHON")
    if not python:
        raise InteropError(
            "INTEROP_PYTHON is not set: run these tests through `nox -s interop`, or set it to "
            "the python of a venv holding the published client"
        )
    if not Path(python).exists():
        raise InteropError(f"INTEROP_PYTHON={python} does not exist")
    return python


def run_published(script: str | Path, *args: str, timeout: float = 120.0) -> str:
    """Run ``script`` with the published client's python; return its stdout.

    Raises :class:`InteropError` with the script's stderr when it exits non-zero.
    """
    done = subprocess.run(
        [published_python(), str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise InteropError(f"{Path(script).name} exited {done.returncode}:\n{done.stderr}")
    return done.stdout
