"""The span simulator satisfies the project's own OpenAPI document (schemathesis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from shared_testing import RunningSimulator, start_simulator
from shared_testing.span.fixtures import register_span_client

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "span-panel-api.yaml"

RUNNER = "schemathesis-runner"

schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module")
def panel() -> Iterator[tuple[RunningSimulator, str]]:
    running = start_simulator("span", seed=11)
    try:
        yield running, register_span_client(running.info()["url"], RUNNER)
    finally:
        running.stop()


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_simulator_conforms_to_the_spec(
    case: schemathesis.Case, panel: tuple[RunningSimulator, str]
) -> None:
    running, token = panel
    # Never revoke the runner's own token mid-run.
    if (
        case.method == "DELETE"
        and (case.path_parameters or {}).get("name") == "schemathesis-runner"
    ):
        case.path_parameters["name"] = "someone-else"
    case.call_and_validate(
        base_url=running.info()["url"], headers={"Authorization": f"Bearer {token}"}
    )
