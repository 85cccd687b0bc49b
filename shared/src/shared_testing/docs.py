"""Running a package's documentation as tests: README code blocks and the demo quick-start.

Every package README's examples are executed against a simulator, and every package ships an
``examples/quickstart.py`` that ``nox -s demo`` runs with a simulator's JSON line. These helpers
are the one way the packages' tests do both.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared_testing.blocking import script_command

__all__ = ["QuickstartFailed", "code_blocks", "run_code_block", "run_quickstart"]


class QuickstartFailed(AssertionError):
    """A quick-start script exited non-zero or printed nothing."""


def code_blocks(markdown: Path, language: str = "python") -> list[str]:
    """The fenced code blocks of ``language`` in the Markdown file, in order."""
    text = markdown.read_text(encoding="utf-8")
    return re.findall(rf"^```{re.escape(language)}\n(.*?)^```", text, flags=re.DOTALL | re.M)


def run_code_block(
    code: str, *, source: str, namespace: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Execute one documentation block as a script; tracebacks name ``source``.

    Pass the same ``namespace`` to run blocks that build on each other; it is returned.
    """
    scope: dict[str, Any] = {"__name__": "__main__"} if namespace is None else namespace
    exec(compile(code, source, "exec"), scope)
    return scope


def run_quickstart(script: Path, info: Mapping[str, Any] | str, *, timeout: float = 60.0) -> str:
    """Run ``script`` with a simulator JSON line as ``nox -s demo`` does; return its last line.

    The script runs under :mod:`shared_testing.blocking`: a blocking call on its event loop
    fails it, as it would fail a Home Assistant integration's review.
    """
    line = info if isinstance(info, str) else json.dumps(dict(info))
    done = subprocess.run(
        script_command(script, line),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise QuickstartFailed(f"{script.name} exited {done.returncode}:\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise QuickstartFailed(f"{script.name} printed nothing")
    return lines[-1]
