"""The shared-testing README's example runs, so it cannot drift from the harness."""

from __future__ import annotations

from pathlib import Path

from shared_testing import RunningSimulator
from shared_testing.docs import code_blocks, run_code_block

README = Path(__file__).parents[1] / "README.md"


def test_readme_test_example_passes_against_a_real_simulator(echo_sim: RunningSimulator) -> None:
    (block,) = code_blocks(README)
    scope = run_code_block(block, source="shared/README.md")
    scope["test_counter_survives_restart"](echo_sim)
    assert echo_sim.simulator.counter == 1  # type: ignore[attr-defined]
