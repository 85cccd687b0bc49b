"""The shared-testing README's example runs, so it cannot drift from the harness."""

from __future__ import annotations

import json
import shlex
import urllib.request
from pathlib import Path

from shared_testing import RunningSimulator
from shared_testing.docs import code_blocks, run_code_block
from shared_testing.standalone import serve

README = Path(__file__).parents[1] / "README.md"


def test_readme_test_example_passes_against_a_real_simulator(echo_sim: RunningSimulator) -> None:
    (block,) = code_blocks(README)
    scope = run_code_block(block, source="shared/README.md")
    scope["test_counter_survives_restart"](echo_sim)
    assert echo_sim.simulator.counter == 1  # type: ignore[attr-defined]


def test_readme_control_commands_work_on_a_standalone_simulator() -> None:
    """Each documented ``curl`` line, sent as curl sends it, to a ``serve``d simulator."""
    commands = [
        shlex.split(line.split("#")[0])
        for block in code_blocks(README, "bash")
        for line in block.splitlines()
        if line.startswith("curl ")
    ]
    assert len(commands) == 4
    with serve("echo") as served:
        info = served.info
        assert set(info) == {"system", "url", "control"}
        replies = []
        for argv in commands:
            url = next(a for a in argv if "$CONTROL" in a).replace("$CONTROL", info["control"])
            body = argv[argv.index("-d") + 1].encode() if "-d" in argv else None
            # curl -d sends a form content type; the control API reads the body as JSON anyway
            request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
            if body:
                request.add_header("Content-Type", "application/x-www-form-urlencoded")
            with urllib.request.urlopen(request, timeout=10) as reply:
                replies.append(json.loads(reply.read()))
    # fail_next 3, then latency 0.5, then a restart (keeps armed faults), then the status
    assert replies[0]["pending"] == 3
    assert replies[1]["latency"] == 0.5
    assert (replies[3]["latency"], replies[3]["pending"]) == (0.5, 3)
