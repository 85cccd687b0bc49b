"""Answers that break the API document raise SpanPanelAPIError naming the field, never a bare
KeyError/TypeError, and never pass wrongly typed values on silently."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from span_panel_api import SpanPanelAPIError, SpanPanelClient
from span_panel_api.generated_client.models import Circuit, CircuitsOut, PanelState
from span_panel_api.model_check import ModelMismatchError, check_model
from span_panel_api.simulation import SimulationEngine
from span_panel_api.transport import HttpTransport

ENGINE = SimulationEngine(seed=11)
PANEL: dict[str, Any] = ENGINE.panel_state()
CIRCUITS: dict[str, Any] = ENGINE.circuits()
FIRST = next(iter(CIRCUITS["circuits"]))


def client_answering(panel: object, circuits: object) -> SpanPanelClient:
    """A real client whose HTTP transport is stubbed to answer /panel and /circuits."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = panel if request.url.path.endswith("/panel") else circuits
        return httpx.Response(200, content=json.dumps(body).encode())

    client = SpanPanelClient("panel.invalid", cache_window=0)
    client._transport = HttpTransport(
        client.base_url, 5.0, client._retry, transport=httpx.MockTransport(handler)
    )
    return client


def changed(document: dict[str, Any], path: list[Any], value: object) -> dict[str, Any]:
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


CASES = [
    (
        changed(PANEL, ["branches", 4, "instantPowerW"], "abc"),
        CIRCUITS,
        "get_panel_state",
        r"branches\[4\]\.instant_power_w is 'abc', expected a number",
    ),
    (
        changed(PANEL, ["branches", 0, "id"], True),
        CIRCUITS,
        "get_panel_state",
        r"branches\[0\]\.id is True, expected an integer",
    ),
    (changed(PANEL, ["branches"], None), CIRCUITS, "get_panel_state", "NoneType"),
    (changed(PANEL, ["mainRelayState"], "HALF"), CIRCUITS, "get_panel_state", "HALF"),
    (
        PANEL,
        changed(CIRCUITS, ["circuits", FIRST, "tabs"], 12),
        "get_circuits",
        rf"circuits\['{FIRST}'\]\.tabs is 12, expected a list",
    ),
    (
        PANEL,
        changed(CIRCUITS, ["circuits", FIRST, "tabs"], [None]),
        "get_circuits",
        rf"circuits\['{FIRST}'\]\.tabs\[0\] is None, expected an integer",
    ),
    (
        PANEL,
        changed(CIRCUITS, ["circuits", FIRST, "name"], 5),
        "get_circuits",
        rf"circuits\['{FIRST}'\]\.name is 5, expected str",
    ),
    (PANEL, {"circuits": {FIRST: {"id": FIRST}}}, "get_circuits", "missing field 'relayState'"),
    (PANEL, [], "get_circuits", "does not match the v1 API"),
]


@pytest.mark.parametrize(("panel", "circuits", "operation", "message"), CASES)
async def test_malformed_answers_name_the_problem(
    panel: object, circuits: object, operation: str, message: str
) -> None:
    async with client_answering(panel, circuits) as client:
        with pytest.raises(SpanPanelAPIError, match=message) as raised:
            await client.get_circuits()
    assert str(raised.value).startswith(f"{operation}: the panel's answer does not match")
    assert raised.value.__cause__ is not None


def paths(node: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


PANEL_PATHS = paths(PANEL)
CIRCUIT_PATHS = paths(CIRCUITS)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)
DELETE = object()


def mutate(document: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(["panel", "circuits"]),
    data=st.data(),
    value=json_values | st.just(DELETE),
)
async def test_any_corrupted_answer_is_an_api_error_or_well_typed(
    which: str, data: st.DataObject, value: object
) -> None:
    path = data.draw(st.sampled_from(PANEL_PATHS if which == "panel" else CIRCUIT_PATHS))
    panel = mutate(PANEL, path, value) if which == "panel" else PANEL
    circuits = mutate(CIRCUITS, path, value) if which == "circuits" else CIRCUITS
    error: SpanPanelAPIError | None = None
    async with client_answering(panel, circuits) as client:
        try:
            result = await client.get_circuits()
        except SpanPanelAPIError as exc:
            error = exc
    if error is not None:
        assert "does not match the v1 API" in str(error)
        return
    check_model(result)  # whatever got through has the documented types
    for circuit in result.circuits.additional_properties.values():
        assert isinstance(circuit, Circuit)


def test_check_model_accepts_what_the_engine_serves() -> None:
    check_model(PanelState.from_dict(PANEL))
    check_model(CircuitsOut.from_dict(CIRCUITS))


def test_check_model_allows_ints_for_floats_but_not_bools() -> None:
    check_model(PanelState.from_dict(changed(PANEL, ["instantGridPowerW"], 7)))
    with pytest.raises(
        ModelMismatchError, match="instant_grid_power_w is False, expected a number"
    ):
        check_model(PanelState.from_dict(changed(PANEL, ["instantGridPowerW"], False)))
