"""Every ```python block of README.md runs against the simulated node."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_testing import RunningSimulator
from shared_testing.docs import code_blocks, run_code_block

README = Path(__file__).parent.parent / "README.md"
BLOCKS = code_blocks(README)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(
    code: str,
    node: RunningSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    info = node.info()
    me, peer, other = info["apps"][:3]
    monkeypatch.setenv("ENSYNC_URL", info["grpc_url"])
    monkeypatch.setenv("ENSYNC_WS_URL", info["ws_url"])
    monkeypatch.setenv("ENSYNC_APP_KEY", me["access_key"])
    monkeypatch.setenv("ENSYNC_SECRET_KEY", me["secret_key"])
    monkeypatch.setenv("ENSYNC_PEER_APP_ID", peer["app_id"])
    monkeypatch.setenv("ENSYNC_OTHER_APP_ID", other["app_id"])
    run_code_block(code, source=str(README))
    assert capsys.readouterr().out.strip()
