"""Every ```python block of README.md runs against the simulator, so docs and code agree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, simulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = simulator("skyspark", password="secret")
    code = BLOCKS[index].replace("http://localhost:8080/api", sim.info()["url"])
    exec(compile(code, f"README.md block {index + 1}", "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip(), "every README example prints what it did"
