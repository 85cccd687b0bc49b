"""Every ```python block of README.md runs (so the README cannot drift from the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared_testing.docs import code_blocks, run_code_block

README = Path(__file__).parent.parent / "README.md"
BLOCKS = code_blocks(README)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_code_block(code, source=str(README))
    assert capsys.readouterr().out.strip()


def test_metadata_comment_matches_output(capsys: pytest.CaptureFixture[str]) -> None:
    block = next(b for b in BLOCKS if "payload_metadata(" in b)
    run_code_block(block, source=str(README))
    expected = re.search(r"# (\{.*\})", block)
    assert expected is not None
    assert capsys.readouterr().out.strip() == expected.group(1)
