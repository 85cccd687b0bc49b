"""The README's calls pass mypy --strict, both as indexed records and as typed models."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy

DATA = Path(__file__).parent / "data" / "typing"


def test_seed_shapes_and_typed_access_pass_mypy_strict(tmp_path: Path) -> None:
    out, err, status = mypy.run(
        [
            "--strict",
            "--cache-dir",
            str(tmp_path),
            "--no-error-summary",
            str(DATA / "seed_shapes.py"),
            str(DATA / "misuse.py"),
        ]
    )
    problems = [line for line in out.splitlines() if line.strip()]
    assert err == ""
    assert status == 1
    assert len(problems) == 1, out  # only the planted mistake, nothing in seed_shapes.py
    assert "misuse.py:9: error: Incompatible return value type" in problems[0]
