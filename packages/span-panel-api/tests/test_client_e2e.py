"""Every public method of SpanPanelClient against the span simulator over real HTTP."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_testing.simulator import RunningSimulator
from span_panel_api import (
    SpanPanelAPIError,
    SpanPanelAuthError,
    SpanPanelClient,
    SpanPanelSimulationError,
    SpanPanelValidationError,
)
from span_panel_api.generated_client.models import Priority, RelayState, SettableRelayState


async def test_status_needs_no_token(
    span_address: tuple[str, int], span_sim: RunningSimulator
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port) as client:
        status = await client.get_status()
    assert status.system.serial == "SPAN-SIM-0001"
    assert status.system.manufacturer == "Span"
    assert status.software.firmware_version


async def test_authenticate_stores_and_uses_the_token(
    span_address: tuple[str, int], span_sim: RunningSimulator
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port) as client:
        with pytest.raises(SpanPanelAuthError) as refused:
            await client.get_panel_state()
        assert refused.value.status_code == 401
        auth = await client.authenticate("pytest", "end-to-end test")
        assert auth.token_type == "bearer"
        assert auth.access_token
        panel = await client.get_panel_state()
    assert len(panel.branches) == 32


async def test_set_access_token_reuses_an_earlier_token(
    span_address: tuple[str, int], span_sim: RunningSimulator
) -> None:
    host, port = span_address
    async with SpanPanelClient(host, port=port) as first:
        token = (await first.authenticate("first")).access_token
    client = SpanPanelClient(host, port=port)
    try:
        client.set_access_token(token)
        assert (await client.get_storage_soe()).soe.percentage is not None
    finally:
        await client.close()


async def test_panel_state(client: SpanPanelClient) -> None:
    panel = await client.get_panel_state()
    assert panel.main_relay_state == RelayState.CLOSED
    assert [b.id for b in panel.branches] == list(range(1, 33))
    bus = sum(b.instant_power_w for b in panel.branches)
    # Grid import balances what the tabs draw (within the feed-through noise).
    assert abs(panel.instant_grid_power_w + bus) < 20


async def test_circuits_include_unmapped_tabs(client: SpanPanelClient) -> None:
    circuits = (await client.get_circuits()).circuits.additional_properties
    panel = await client.get_panel_state()
    for tab in (29, 30, 31, 32):
        virtual = circuits[f"unmapped_tab_{tab}"]
        assert virtual.name == f"Unmapped Tab {tab}"
        assert virtual.tabs == [tab]
        branch = panel.branches[tab - 1]
        assert virtual.produced_energy_wh == pytest.approx(
            branch.imported_active_energy_wh, rel=1e-3
        )
        assert virtual.is_user_controllable is False
    assert circuits["refrigerator"].name == "Refrigerator"
    assert len(circuits) == 20 + 4


async def test_set_circuit_relay_takes_effect(client: SpanPanelClient) -> None:
    opened = await client.set_circuit_relay("heat_pump", "OPEN")
    assert opened.relay_state == RelayState.OPEN
    assert opened.instant_power_w == 0
    again = (await client.get_circuits()).circuits["heat_pump"]
    assert again.relay_state == RelayState.OPEN
    panel = await client.get_panel_state()
    assert all(panel.branches[t - 1].instant_power_w == 0 for t in (17, 19))
    closed = await client.set_circuit_relay("heat_pump", SettableRelayState.CLOSED)
    assert closed.relay_state == RelayState.CLOSED


async def test_set_circuit_priority(client: SpanPanelClient) -> None:
    changed = await client.set_circuit_priority("ev_charger", "MUST_HAVE")
    assert changed.priority == Priority.MUST_HAVE
    assert (await client.get_circuit("ev_charger")).priority == Priority.MUST_HAVE


async def test_storage(client: SpanPanelClient) -> None:
    soe = await client.get_storage_soe()
    assert soe.soe.percentage is not None
    assert 0 <= soe.soe.percentage <= 100
    thresholds = await client.set_storage_thresholds(15, 90)
    assert thresholds.nice_to_have_threshold_low_soe.percentage == 15  # type: ignore[union-attr]
    again = await client.get_storage_thresholds()
    assert again.nice_to_have_threshold_high_soe.percentage == 90  # type: ignore[union-attr]


async def test_main_relay_meter_power_and_islanding(client: SpanPanelClient) -> None:
    assert (await client.get_main_relay_state()).relay_state == "CLOSED"
    assert (await client.get_islanding_state()).islanding_state == "ON_GRID"
    meter = await client.get_panel_meter()
    assert meter.main_meter.consumed_energy_wh >= 0
    power = await client.get_panel_power()
    assert isinstance(power.instant_grid_power_w, float)
    opened = await client.set_main_relay_state("OPEN")
    assert opened.relay_state == "OPEN"
    assert (await client.get_panel_power()).instant_grid_power_w == 0
    assert (await client.get_panel_state()).dsm_grid_state == "DSM_GRID_DOWN"
    await client.set_main_relay_state("CLOSED")


async def test_clients(client: SpanPanelClient) -> None:
    clients = (await client.get_clients()).clients.additional_properties
    assert "pytest" in clients
    assert (await client.get_client("pytest")).description == "tests"
    await client.authenticate("second", "to delete")
    deleted = await client.delete_client("pytest")
    assert deleted.description == "tests"
    with pytest.raises(SpanPanelAPIError) as missing:
        await client.get_client("pytest")
    assert missing.value.status_code == 404


async def test_unknown_circuit_is_a_404(client: SpanPanelClient) -> None:
    with pytest.raises(SpanPanelAPIError, match="HTTP 404") as missing:
        await client.get_circuit("no-such-circuit")
    assert missing.value.status_code == 404
    with pytest.raises(SpanPanelAPIError):
        await client.set_circuit_relay("no-such-circuit", "OPEN")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.set_circuit_relay("dryer", "UNKNOWN"), "invalid relay state 'UNKNOWN'"),
        (lambda c: c.set_circuit_relay("dryer", "open"), "expected one of"),
        (lambda c: c.set_circuit_priority("dryer", "NEVER"), "invalid priority 'NEVER'"),
        (lambda c: c.set_circuit_priority("dryer", Priority.UNKNOWN), "invalid priority"),
        (lambda c: c.set_main_relay_state(3), "invalid relay state 3"),
        (lambda c: c.set_circuit_relay("unmapped_tab_31", "OPEN"), "relay is read-only"),
        (lambda c: c.set_circuit_priority("unmapped_tab_31", "MUST_HAVE"), "read-only"),
        (lambda c: c.set_storage_thresholds(80, 20), r"low \(80\) exceeds high \(20\)"),
        (lambda c: c.set_storage_thresholds(-1, 20), "0..100"),
        (lambda c: c.authenticate(""), "non-empty client name"),
        (lambda c: c.get_circuit(""), "circuit id must be a non-empty string, got ''"),
        (lambda c: c.get_circuit(None), "circuit id must be a non-empty string, got None"),
        (lambda c: c.set_circuit_relay(5, "OPEN"), "circuit id must be a non-empty string"),
        (lambda c: c.get_client(""), "client name must be a non-empty string"),
        (lambda c: c.authenticate("me", None), "needs a string description, got NoneType"),
        (lambda c: c.delete_client(7), "client name must be a non-empty string, got 7"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    client: SpanPanelClient, span_sim: RunningSimulator, call, message: str
) -> None:
    seen = span_sim.faults.requests_seen
    with pytest.raises(SpanPanelValidationError, match=message):
        await call(client)
    assert span_sim.faults.requests_seen == seen


async def test_overrides_need_simulation_mode(client: SpanPanelClient) -> None:
    with pytest.raises(SpanPanelSimulationError, match="only works in simulation mode"):
        await client.set_circuit_overrides({"dryer": {"power_w": 1.0}})
    with pytest.raises(SpanPanelSimulationError):
        await client.clear_overrides()


async def test_long_lived_client_reconnects_after_close(
    span_address: tuple[str, int], span_sim: RunningSimulator
) -> None:
    host, port = span_address
    client = SpanPanelClient(host, port=port, cache_window=0)
    await client.get_status()
    await client.close()
    assert (await client.get_status()).system.serial == "SPAN-SIM-0001"
    await client.close()
    await client.close()  # closing twice is harmless


async def test_server_restart_keeps_state(
    client: SpanPanelClient, span_sim: RunningSimulator
) -> None:
    await client.set_circuit_relay("spa", "OPEN")
    span_sim.restart()
    assert (await client.get_circuit("spa")).relay_state == RelayState.OPEN


def test_constructor_arguments_are_checked() -> None:
    with pytest.raises(SpanPanelValidationError, match="port must be"):
        SpanPanelClient("panel", port=0)
    with pytest.raises(SpanPanelValidationError, match="timeout must be"):
        SpanPanelClient("panel", timeout=0)
    with pytest.raises(SpanPanelValidationError, match="cache_window must be"):
        SpanPanelClient("panel", cache_window=-1)
    with pytest.raises(SpanPanelValidationError, match="retries must be"):
        SpanPanelClient("panel", retries=-1)
    with pytest.raises(SpanPanelValidationError, match="host must be"):
        SpanPanelClient("")
    with pytest.raises(SpanPanelValidationError, match="without simulation_mode"):
        SpanPanelClient("panel", simulation_config={"circuits": []})
    assert SpanPanelClient("fe80::1", port=8080).base_url == "http://[fe80::1]:8080"
    assert SpanPanelClient("[fe80::1]").base_url == "http://[fe80::1]:80"
    assert SpanPanelClient("panel", use_ssl=True).base_url == "https://panel:80"


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("http://panel", "without scheme, port or path, got 'http://panel'"),
        ("panel/api", "without scheme, port or path"),
        ("pa nel", "without scheme, port or path"),
        ("pa\nnel", "without scheme, port or path"),
        ("[]", "without scheme, port or path"),
        ("panel:8080", "neither a host name nor an IP address .give the port as port=...."),
        ("[fe80::zz]", "neither a host name nor an IP address"),
        (None, "host must be a non-empty string, got None"),
    ],
)
def test_bad_hosts_are_refused_at_construction(host: object, message: str) -> None:
    with pytest.raises(SpanPanelValidationError, match=message):
        SpanPanelClient(host)  # type: ignore[arg-type]


async def test_registration_outside_pairing_mode_is_an_auth_error(
    span_address: tuple[str, int], span_sim: RunningSimulator
) -> None:
    host, port = span_address
    span_sim.simulator.set_pairing_mode(False)  # type: ignore[attr-defined]
    async with SpanPanelClient(host, port=port) as client:
        assert (await client.get_status()).system.proximity_proven is False
        with pytest.raises(SpanPanelAuthError, match="not in pairing mode") as refused:
            await client.authenticate("too-early")
        assert refused.value.status_code == 401
        span_sim.simulator.set_pairing_mode(True)  # type: ignore[attr-defined]
        assert (await client.authenticate("in-time")).access_token


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.sampled_from(list(Priority))))
async def test_only_settable_relay_states_and_priorities_pass(value: object) -> None:
    client = SpanPanelClient("panel", simulation_mode=True)
    relay_ok = value in ("OPEN", "CLOSED")
    priority_ok = value in ("MUST_HAVE", "NICE_TO_HAVE", "NON_ESSENTIAL")
    if relay_ok:
        assert (await client.set_circuit_relay("dryer", value)).relay_state == value  # type: ignore[arg-type]
    else:
        with pytest.raises(SpanPanelValidationError, match="invalid relay state"):
            await client.set_circuit_relay("dryer", value)  # type: ignore[arg-type]
    if priority_ok:
        assert (await client.set_circuit_priority("dryer", value)).priority == value  # type: ignore[arg-type]
    else:
        with pytest.raises(
            SpanPanelValidationError,
            match=r"invalid priority .*; expected one of MUST_HAVE, NICE_TO_HAVE, NON_ESSENTIAL$",
        ):
            await client.set_circuit_priority("dryer", value)  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["secret\nX-Injected: 1", "sëcret", "sec ret", "secret\t"])
def test_malformed_tokens_are_refused_without_echoing_them(token: str) -> None:
    client = SpanPanelClient("panel")
    with pytest.raises(SpanPanelValidationError, match="printable ASCII without spaces") as bad:
        client.set_access_token(token)
    assert "sec" not in str(bad.value)
    assert "sëc" not in str(bad.value)
