"""Every ```python block of README.md runs against the simulator, so docs and code agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared_testing.docs import code_blocks, run_code_block

BLOCKS = code_blocks(Path(__file__).parents[1] / "README.md")


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.no_blocking  # each block runs its own event loop (asyncio.run)
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, simulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulator("skyspark", password="secret")
    code = BLOCKS[index].replace("http://localhost:8080/api", sim.info()["url"])
    run_code_block(code, source=f"README.md block {index + 1}")
    assert capsys.readouterr().out.strip(), "every README example prints what it did"
