"""The README's code blocks and the quick-start example, run against the span simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared_testing.docs import code_blocks, run_code_block, run_quickstart
from shared_testing.simulator import RunningSimulator

PACKAGE = Path(__file__).resolve().parents[1]
README = PACKAGE / "README.md"


def blocks(language: str) -> list[str]:
    return code_blocks(README, language)


def test_readme_has_examples() -> None:
    assert len(blocks("python")) >= 6
    assert len(blocks("yaml")) == 1


def test_readme_python_blocks_run_against_the_simulator(
    span_address: tuple[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host, port = span_address
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_panel.yaml").write_text(blocks("yaml")[0])
    for index, block in enumerate(blocks("python")):
        code = block.replace('"192.168.1.100"', f'"{host}", port={port}')
        run_code_block(code, source=f"README.md python block {index}")
    out = capsys.readouterr().out
    assert "Panel SPAN-SIM-0001 runs" in out
    assert "needs a token (HTTP 401)" in out
    assert "3 0.25 3.0" in out
    assert "-5250.0" in out
    assert "MY-SIM-PANEL" in out
    assert "unmapped_tab_7" in out


def test_quickstart_runs_against_the_simulator(span_sim: RunningSimulator) -> None:
    last = run_quickstart(PACKAGE / "examples" / "quickstart.py", span_sim.info())
    assert last.startswith("read status, panel (32 tabs) and 24 circuits (4 unmapped tabs)")
    assert "OPEN -> CLOSED" in last


def test_quickstart_reports_an_unreachable_panel() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGE / "examples" / "quickstart.py"),
            json.dumps({"url": "http://127.0.0.1:9"}),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot reach the panel" in result.stderr
