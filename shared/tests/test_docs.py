"""The helpers that run package documentation as tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_testing.docs import QuickstartFailed, code_blocks, run_code_block, run_quickstart

README = """# Title

```python
x = 1
```

```bash
echo no
```

```python
print(x + 1)
```
"""


def test_code_blocks_by_language_in_order(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README)
    assert code_blocks(readme) == ["x = 1\n", "print(x + 1)\n"]
    assert code_blocks(readme, "bash") == ["echo no\n"]
    assert code_blocks(readme, "yaml") == []


def test_blocks_share_a_namespace_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    scope = run_code_block("x = 41", source="README.md block 1")
    run_code_block("print(x + 1)", source="README.md block 2", namespace=scope)
    assert capsys.readouterr().out == "42\n"


def test_a_failing_block_names_its_source() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        run_code_block("1 / 0", source="README.md block 7")
    assert info.traceback[-1].frame.code.raw.co_filename == "README.md block 7"


def test_run_quickstart_returns_the_last_line(tmp_path: Path) -> None:
    script = tmp_path / "quickstart.py"
    script.write_text("import json, sys\nprint('working')\nprint(json.loads(sys.argv[1])['url'])\n")
    assert run_quickstart(script, {"url": "http://127.0.0.1:1"}) == "http://127.0.0.1:1"


def test_run_quickstart_reports_failure_with_stderr(tmp_path: Path) -> None:
    script = tmp_path / "quickstart.py"
    script.write_text("import sys\nsys.exit('cannot reach the server')\n")
    with pytest.raises(QuickstartFailed, match="exited 1:\ncannot reach the server"):
        run_quickstart(script, "{}")
    silent = tmp_path / "silent.py"
    silent.write_text("")
    with pytest.raises(QuickstartFailed, match="printed nothing"):
        run_quickstart(silent, "{}")
