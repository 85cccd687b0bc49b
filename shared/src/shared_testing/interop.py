"""Running a published upstream client against our simulators (``nox -s interop``).

The published client has the same import name as our package, so it lives in a virtualenv of its
own; ``nox -s interop`` creates that venv and runs ``packages/<dist>/interop/`` with pytest in the
package's test environment, naming the venv's interpreter in ``INTEROP_PYTHON``. Interop tests
start the standalone simulator (:func:`shared_testing.standalone.serve`) and run scripts with
:func:`run_published`; they assert what the published client got.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ENV_VAR", "InteropError", "published_command", "published_python", "run_published"]

#: The environment variable naming the published client's interpreter.
ENV_VAR = "INTEROP_PYTHON"


class InteropError(AssertionError):
    """No published client to run, or the published client's script failed."""


def published_python() -> Path:
    """The interpreter of the venv holding the published client; fails (never skips) if unset."""
    value = os.environ.get(ENV_VAR)
    if not value:
        raise InteropError(
            f"{ENV_VAR} is not set: run interop tests through `nox -s interop`, or point"
            f" {ENV_VAR} at the python of a venv holding the published client"
        )
    python = Path(value)
    if not python.is_file():
        raise InteropError(f"{ENV_VAR}={value} is not an interpreter")
    return python


def published_command(script: Path | str, *args: str) -> list[str]:
    """The command line running ``script`` with the published client's interpreter."""
    return [str(published_python()), str(script), *args]


def run_published(
    script: Path | str,
    *args: str,
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run ``script`` with the published client; return its stdout, raise with its stderr."""
    command = published_command(script, *args)
    environment = None if env is None else {**os.environ, **env}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, env=environment
        )
    except subprocess.TimeoutExpired as exc:
        raise InteropError(f"{Path(script).name} did not finish within {timeout:g} s") from exc
    if done.returncode != 0:
        raise InteropError(
            f"{Path(script).name} exited {done.returncode}:\n{done.stderr}\n{done.stdout}"
        )
    return done.stdout
