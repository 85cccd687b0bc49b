"""The span simulator at protocol level: raw HTTP, auth, validation, faults, CLI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_testing import RunningSimulator
from shared_testing.span import fixtures as span_fixtures
from shared_testing.span.fixtures import register_span_client
from shared_testing.span.validation import CIRCUIT_STATE_IN, validate
from shared_testing.standalone import serve

# The recorded 32-circuit configuration, kept with span-panel-api's test data (one copy).
REFERENCE_YAML = (
    Path(__file__).resolve().parents[2]
    / "packages"
    / "span-panel-api"
    / "tests"
    / "data"
    / "simulation_config_32_circuit.yaml"
)

span_token = span_fixtures.span_token


def call(
    url: str,
    method: str = "GET",
    body: Any = None,
    token: str | None = None,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_info_line(span_sim: RunningSimulator) -> None:
    info = span_sim.info()
    assert info["system"] == "span"
    assert info["url"].startswith("http://127.0.0.1:")


def test_status_is_open_and_the_rest_needs_a_token(span_sim: RunningSimulator) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    status, body = call(f"{url}/status")
    assert status == 200
    assert body["system"]["manufacturer"] == "Span"
    for path in ("/panel", "/circuits", "/storage/soe", "/auth/clients", "/panel/grid"):
        status, body = call(f"{url}{path}")
        assert status == 401, path
        assert "Bearer" in body["detail"]
    status, _ = call(f"{url}/panel", token="made-up")
    assert status == 401


def test_register_then_read(span_sim: RunningSimulator) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    status, auth = call(f"{url}/auth/register", "POST", {"name": "ha", "description": "x"})
    assert status == 200
    assert auth["tokenType"] == "bearer"
    assert isinstance(auth["iatMs"], int)
    status, panel = call(f"{url}/panel", token=auth["accessToken"])
    assert status == 200
    assert len(panel["branches"]) == 32
    # Registering the same name again replaces (revokes) the old token.
    _, again = call(f"{url}/auth/register", "POST", {"name": "ha"})
    assert call(f"{url}/panel", token=auth["accessToken"])[0] == 401
    assert call(f"{url}/panel", token=again["accessToken"])[0] == 200


def test_registration_needs_pairing_mode(span_sim: RunningSimulator) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    span_sim.simulator.set_pairing_mode(False)  # type: ignore[attr-defined]
    status, body = call(f"{url}/auth/register", "POST", {"name": "late"})
    assert status == 401
    assert "pairing mode" in body["detail"]
    assert call(f"{url}/status")[1]["system"]["proximityProven"] is False


@pytest.mark.parametrize(
    ("path", "body", "loc", "kind"),
    [
        ("/auth/register", {}, ["body", "name"], "value_error.missing"),
        ("/auth/register", {"name": 5}, ["body", "name"], "type_error.str"),
        ("/panel/grid", {"relayState": "AJAR"}, ["body", "relayState"], "type_error.enum"),
        (
            "/circuits/dryer",
            {"relayStateIn": {"relayState": "UNKNOWN"}},
            ["body", "relayStateIn", "relayState"],
            "type_error.enum",
        ),
        (
            "/circuits/dryer",
            {"priorityIn": {}},
            ["body", "priorityIn", "priority"],
            "value_error.missing",
        ),
        (
            "/circuits/dryer",
            {"sheddableIn": {"value": "yes"}},
            ["body", "sheddableIn", "value"],
            "type_error.bool",
        ),
        (
            "/storage/soe",
            {"soe": {"percentage": 101}},
            ["body", "soe", "percentage"],
            "value_error.number.not_le",
        ),
        (
            "/storage/soe",
            {"soe": {"percentage": 5.5}},
            ["body", "soe", "percentage"],
            "type_error.integer",
        ),
        ("/storage/soe", [], ["body"], "type_error.dict"),
        ("/wifi/connect", {"ssid": "home"}, ["body", "psk"], "value_error.missing"),
    ],
)
def test_invalid_bodies_get_422(
    span_sim: RunningSimulator, span_token: str, path: str, body: Any, loc: list[str], kind: str
) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    status, answer = call(f"{url}{path}", "POST", body, token=span_token)
    assert status == 422
    assert {"loc": loc, "type": kind} in [
        {"loc": d["loc"], "type": d["type"]} for d in answer["detail"]
    ]
    assert all(d["msg"] for d in answer["detail"])


def test_malformed_json_gets_422(span_sim: RunningSimulator, span_token: str) -> None:
    url = span_sim.info()["url"] + "/api/v1/panel/grid"
    status, answer = call(url, "POST", raw=b"{not json", token=span_token)
    assert status == 422
    assert answer["detail"][0]["type"] == "value_error.jsondecode"
    status, answer = call(url, "POST", raw=b"", token=span_token)
    assert status == 422
    assert answer["detail"][0]["type"] == "value_error.missing"


def test_writes_change_state(span_sim: RunningSimulator, span_token: str) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    status, circuit = call(
        f"{url}/circuits/oven",
        "POST",
        {"relayStateIn": {"relayState": "OPEN"}, "circuitNameIn": {"name": "Oven (off)"}},
        token=span_token,
    )
    assert status == 200
    assert circuit["relayState"] == "OPEN"
    assert circuit["instantPowerW"] == 0
    assert circuit["name"] == "Oven (off)"
    _, circuits = call(f"{url}/circuits", token=span_token)
    assert circuits["circuits"]["oven"]["relayState"] == "OPEN"
    assert call(f"{url}/storage/soe", "POST", {"soe": {"percentage": 42}}, token=span_token)[1] == {
        "soe": {"percentage": 42}
    }
    assert span_sim.simulator.engine.storage_soe()["soe"]["percentage"] == 42  # type: ignore[attr-defined]


def test_unknown_resources_are_json_404_and_wrong_methods_405(
    span_sim: RunningSimulator, span_token: str
) -> None:
    url = span_sim.info()["url"] + "/api/v1"
    assert call(f"{url}/circuits/nope", token=span_token) == (
        404,
        {"detail": "no circuit with id 'nope'"},
    )
    assert call(f"{url}/auth/clients/nobody", "DELETE", token=span_token)[0] == 404
    assert call(f"{url}/no/such/path", token=span_token)[0] == 404
    status, body = call(f"{url}/status", "PATCH", {})
    assert status == 405
    assert "detail" in body


def test_fault_injection(span_sim: RunningSimulator, span_token: str) -> None:
    url = span_sim.info()["url"] + "/api/v1/panel"
    for status in (500, 502, 503, 504):
        span_sim.faults.fail_next(1, status)
        assert call(url, token=span_token)[0] == status
    span_sim.faults.drop_next(1)
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        call(url, token=span_token)
    assert call(url, token=span_token)[0] == 200


def test_expired_sessions_and_restart(span_sim: RunningSimulator, span_token: str) -> None:
    url = span_sim.info()["url"]
    call(
        f"{url}/api/v1/circuits/spa",
        "POST",
        {"relayStateIn": {"relayState": "OPEN"}},
        token=span_token,
    )
    span_sim.faults.expire_sessions()
    assert call(f"{url}/api/v1/panel", token=span_token)[0] == 401
    token = register_span_client(url, "after-expiry")
    span_sim.restart()
    assert span_sim.info()["url"] == url
    _, circuit = call(f"{url}/api/v1/circuits/spa", token=token)
    assert circuit["relayState"] == "OPEN"  # state and tokens survive the restart


def test_config_option_loads_a_simulation_yaml(simulator: Any) -> None:
    sim = simulator("span", config=str(REFERENCE_YAML))
    token = register_span_client(sim.info()["url"])
    _, circuits = call(sim.info()["url"] + "/api/v1/circuits", token=token)
    assert "master_bedroom_lights" in circuits["circuits"]


def test_serve_prints_the_json_line_and_stops_on_sigint(tmp_path: Path) -> None:
    config = tmp_path / "panel.yaml"
    config.write_text(
        "panel_config: {serial_number: CLI-1, total_tabs: 4}\n"
        "circuit_templates: {t: {}}\n"
        "circuits: [{id: a, name: A, template: t, tabs: [1]}]\n"
    )
    with serve("span", "--config", str(config)) as served:
        info = served.info
        assert info["system"] == "span"
        assert info["serial"] == "CLI-1"
        status, body = call(info["url"] + "/api/v1/status")
        assert status == 200
        assert body["system"]["serial"] == "CLI-1"
    assert served.process.returncode == 0


body_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["relayStateIn", "priorityIn", "circuitNameIn", "sheddableIn", "other"]),
        body_values,
    )
)
def test_validation_accepts_exactly_well_formed_circuit_bodies(body: dict[str, Any]) -> None:
    errors = validate(CIRCUIT_STATE_IN, body)
    well_formed = all(
        (key == "other")
        or (
            key == "relayStateIn"
            and isinstance(v, dict)
            and v.get("relayState") in ("OPEN", "CLOSED")
        )
        or (
            key == "priorityIn"
            and isinstance(v, dict)
            and v.get("priority") in ("MUST_HAVE", "NICE_TO_HAVE", "NON_ESSENTIAL")
        )
        or (key == "circuitNameIn" and isinstance(v, dict) and isinstance(v.get("name"), str))
        or (key == "sheddableIn" and isinstance(v, dict) and isinstance(v.get("value"), bool))
        for key, v in body.items()
    )
    assert (errors == []) == well_formed
    for error in errors:
        assert error["loc"][0] == "body"
        assert error["msg"]
        assert error["type"]
