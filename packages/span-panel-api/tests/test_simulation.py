"""Simulation mode and the simulation engine behind it."""

from __future__ import annotations

import asyncio
import copy
import textwrap
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from span_panel_api import (
    CircuitOverride,
    SimulationConfig,
    SimulationConfigurationError,
    SimulationEngine,
    SpanPanelAPIError,
    SpanPanelClient,
    SpanPanelValidationError,
)
from span_panel_api.generated_client.models import CircuitsOut, PanelState, RelayState

# The 32-circuit simulation configuration recorded beside the real panel's answers.
REFERENCE_YAML = Path(__file__).resolve().parent / "data" / "simulation_config_32_circuit.yaml"


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


NOON = datetime(2026, 6, 1, 12, 0, 0).timestamp()
MIDNIGHT = datetime(2026, 6, 1, 0, 30, 0).timestamp()


def engine_at(start: float, config: object = None) -> tuple[SimulationEngine, FakeClock]:
    clock = FakeClock(start)
    return SimulationEngine(config, clock=clock, seed=7), clock  # type: ignore[arg-type]


def test_energy_accumulates_with_time() -> None:
    engine, clock = engine_at(NOON)
    before = engine.circuits()["circuits"]["network_rack"]
    power_w = -before["instantPowerW"]
    assert power_w > 0
    clock.now += 3600
    after = engine.circuits()["circuits"]["network_rack"]
    gained = after["consumedEnergyWh"] - before["consumedEnergyWh"]
    assert gained == pytest.approx(power_w, rel=1e-6)  # one hour at that power
    assert after["energyAccumUpdateTimeS"] == int(clock.now)


def test_time_acceleration_speeds_up_accumulation() -> None:
    yaml_text = textwrap.dedent(
        """
        circuit_templates:
          flat:
            energy_profile: {typical_power: 1000.0, power_range: [0, 2000], power_variation: 0}
        circuits:
          - {id: heater, name: Heater, template: flat, tabs: [1]}
        simulation_params: {time_acceleration: 60, noise_factor: 0}
        panel_config: {total_tabs: 4}
        """
    )
    config = SimulationConfig.from_yaml_text(yaml_text)
    engine, clock = engine_at(NOON, config)
    start = engine.circuit("heater")["consumedEnergyWh"]
    clock.now += 60  # one real minute is one simulated hour
    assert engine.circuit("heater")["consumedEnergyWh"] - start == pytest.approx(1000.0)


def test_solar_produces_at_noon_and_not_at_night() -> None:
    noon, _ = engine_at(NOON)
    night, _ = engine_at(MIDNIGHT)
    solar_noon = noon.panel_state()["branches"][30]["instantPowerW"]
    solar_night = night.panel_state()["branches"][30]["instantPowerW"]
    assert solar_noon > 1000  # feeding the bus
    assert solar_night == 0
    legs = noon.panel_state()["branches"]
    assert legs[30]["instantPowerW"] == legs[31]["instantPowerW"]  # synchronized tabs


def test_cycling_loads_switch_off_part_of_the_time() -> None:
    engine, clock = engine_at(NOON)
    samples = []
    for _ in range(40):
        clock.now += 300
        samples.append(engine.circuit("heat_pump")["instantPowerW"])
    assert any(p == 0 for p in samples)
    assert any(p < -1000 for p in samples)


def test_relay_changes_take_effect_immediately() -> None:
    engine, clock = engine_at(NOON)
    assert engine.circuit("office_outlets")["instantPowerW"] < 0
    opened = engine.set_circuit("office_outlets", relay_state="OPEN")
    assert opened["instantPowerW"] == 0
    assert engine.panel_state()["branches"][6]["relayState"] == "OPEN"
    before = opened["consumedEnergyWh"]
    clock.now += 3600
    assert engine.circuit("office_outlets")["consumedEnergyWh"] == before
    assert engine.set_circuit("office_outlets", priority="MUST_HAVE")["priority"] == "MUST_HAVE"


def test_update_interval_holds_readings_between_samples() -> None:
    engine, clock = engine_at(NOON)
    first = engine.circuit("kitchen_outlets")["instantPowerW"]
    clock.now += 1
    assert engine.circuit("kitchen_outlets")["instantPowerW"] == first
    clock.now += 10
    assert engine.circuit("kitchen_outlets")["instantPowerUpdateTimeS"] == int(clock.now)


async def test_simulation_mode_client_serves_models_without_a_panel() -> None:
    async with SpanPanelClient("simulated", simulation_mode=True, cache_window=0) as client:
        status = await client.get_status()
        assert status.system.serial == "SPAN-SIM-0001"
        circuits = (await client.get_circuits()).circuits
        assert "unmapped_tab_31" in circuits
        circuit = await client.set_circuit_relay("dryer", "OPEN")
        assert circuit.relay_state == RelayState.OPEN
        assert circuit.instant_power_w == 0
        assert (await client.get_circuits()).circuits["dryer"].relay_state == RelayState.OPEN
        auth = await client.authenticate("sim", "simulated pairing")
        assert auth.access_token
        assert "sim" in (await client.get_clients()).clients
        with pytest.raises(SpanPanelAPIError) as missing:
            await client.get_circuit("nope")
        assert missing.value.status_code == 404


async def test_circuit_branch_and_global_overrides() -> None:
    async with SpanPanelClient("simulated", simulation_mode=True, cache_window=0) as client:
        await client.set_circuit_overrides(
            {
                "network_rack": {"power_w": 500.0},
                "spa": CircuitOverride(relay_state="OPEN", priority="NON_ESSENTIAL"),
            }
        )
        circuits = (await client.get_circuits()).circuits
        assert circuits["network_rack"].instant_power_w == pytest.approx(-500.0)
        assert circuits["spa"].relay_state == RelayState.OPEN
        assert circuits["spa"].instant_power_w == 0
        assert circuits["spa"].priority == "NON_ESSENTIAL"
        await client.set_circuit_overrides(global_overrides={"power_multiplier": 2.0})
        circuits = (await client.get_circuits()).circuits
        assert circuits["network_rack"].instant_power_w == pytest.approx(-1000.0)
        await client.set_branch_overrides({29: {"power_w": -250.0}})
        panel = await client.get_panel_state()
        assert panel.branches[28].instant_power_w == pytest.approx(250.0)
        assert (await client.get_circuits()).circuits["unmapped_tab_29"].instant_power_w == 250.0
        await client.clear_overrides()
        circuits = (await client.get_circuits()).circuits
        assert circuits["spa"].relay_state == RelayState.CLOSED
        assert circuits["network_rack"].instant_power_w != pytest.approx(-1000.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.set_circuit_overrides({"nope": {"power_w": 1}}), "no circuit with id 'nope'"),
        (lambda c: c.set_circuit_overrides({"spa": {"watts": 1}}), r"unknown keys \(watts\)"),
        (
            lambda c: c.set_circuit_overrides({"spa": {"relay_state": "HALF"}}),
            "must be one of .OPEN.* @ circuit_overrides.+relay_state",
        ),
        (lambda c: c.set_branch_overrides({99: {"power_w": 1}}), "no tab 99"),
        (
            lambda c: c.set_circuit_overrides({"spa": {"priority": "NEVER"}}),
            "must be one of 'MUST_HAVE'",
        ),
        (lambda c: c.set_circuit_overrides(global_overrides={"power_multiplier": "x"}), "global"),
        (
            lambda c: c.set_circuit_overrides({"spa": "OPEN"}),
            r"circuit_overrides\['spa'\] must be a mapping or a CircuitOverride, got str",
        ),
        (
            lambda c: c.set_circuit_overrides(global_overrides=[2.0]),
            "global_overrides must be a mapping or a GlobalOverride, got list",
        ),
        (
            lambda c: c.set_circuit_overrides(["spa"]),
            "circuit_overrides must be a mapping, got list",
        ),
        (lambda c: c.set_branch_overrides(None), "branch_overrides must be a mapping, got None"),
        (
            lambda c: c.set_branch_overrides({3: -2000.0}),
            r"branch_overrides\[3\] must be a mapping or a BranchOverride, got float",
        ),
        (lambda c: c.set_branch_overrides({None: {"power_w": 1}}), "no tab None"),
    ],
)
async def test_bad_overrides_are_refused(call, message: str) -> None:
    async with SpanPanelClient("simulated", simulation_mode=True) as client:
        with pytest.raises(SpanPanelValidationError, match=message):
            await call(client)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "circuits: []\npanel_config: {total_tabs: many}",
            r"expected int @ \$\.panel_config\.total_tabs",
        ),
        ("circuits: []\nbogus_key: 1", r"unknown keys \(bogus_key\)"),
        (
            "circuits: [{id: a, name: A, template: missing, tabs: [1]}]",
            "unknown template 'missing'",
        ),
        (
            "circuit_templates: {t: {}}\ncircuits: [{id: a, name: A, template: t, tabs: [40]}]",
            r"circuits\[0\]\.tabs: tab 40 is outside 1\.\.32",
        ),
        (
            "circuit_templates: {t: {}}\n"
            "circuits: [{id: a, name: A, template: t, tabs: [1]},"
            " {id: b, name: B, template: t, tabs: [1]}]",
            "tab 1 already belongs to 'a'",
        ),
        (
            "circuit_templates: {t: {energy_profile: {power_range: [10, 1]}}}\ncircuits: []",
            r"circuit_templates\.t\.energy_profile\.power_range: lower bound",
        ),
        (
            "circuit_templates: {t: {}}\n"
            "circuits: [{id: a, name: A, template: t, tabs: [1], overrides: {wattage: 3}}]",
            r"overrides\.wattage: not a template or energy_profile key",
        ),
        (
            "circuit_templates: {t: {energy_profile: {mode: sideways}}}\ncircuits: []",
            r"must be one of 'consumer'.* @ \$\.circuit_templates\['t'\]\.energy_profile\.mode",
        ),
        ("circuits: [", "not valid YAML"),
        ("- just\n- a list", "expected a mapping"),
        (
            "circuits: []\nsimulation_params: {time_acceleration: 0}",
            "time_acceleration must be > 0",
        ),
        ("circuits: []\npanel_config: {0: 1}", r"unknown keys \(0\) @ \$\.panel_config"),
        (
            "circuits: []\nsimulation_params: {noise_factor: -0.5}",
            "noise_factor must be >= 0",
        ),
        (
            "circuits: []\nsimulation_params: {noise_factor: .inf}",
            r"expected float @ \$\.simulation_params\.noise_factor",
        ),
        (
            "circuit_templates: {t: {energy_profile: {typical_power: .nan}}}\ncircuits: []",
            r"expected float @ \$\.circuit_templates\['t'\]\.energy_profile\.typical_power",
        ),
        (
            "circuit_templates: {t: {time_of_day_profile: {peak_hours: [18, 25]}}}\ncircuits: []",
            r"circuit_templates\.t\.time_of_day_profile\.peak_hours: hours are 0\.\.23, got 25",
        ),
        (
            "circuit_templates: {t: {time_of_day_profile: {hourly_multipliers: {-1: 0.5}}}}\n"
            "circuits: []",
            r"time_of_day_profile\.hourly_multipliers: hours are 0\.\.23, got -1",
        ),
        (
            "circuit_templates: {t: {battery_behavior: {charge_hours: [24]}}}\ncircuits: []",
            r"battery_behavior\.charge_hours: hours are 0\.\.23, got 24",
        ),
    ],
)
def test_bad_configuration_names_the_key(yaml_text: str, message: str) -> None:
    with pytest.raises(SimulationConfigurationError, match=message):
        SimulationConfig.from_yaml_text(yaml_text)


def test_missing_config_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(SimulationConfigurationError, match="cannot read simulation config"):
        SpanPanelClient("sim", simulation_mode=True, simulation_config=tmp_path / "none.yaml")


def test_a_config_file_that_is_not_utf8_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("panel_config:\n  serial_number: Küche\n".encode("latin-1"))
    with pytest.raises(SimulationConfigurationError, match=r"latin1\.yaml: not UTF-8 text"):
        SimulationConfig.from_yaml(path)


def test_packaged_default_configuration_loads() -> None:
    config = SimulationConfig.default()
    assert config.panel_config.total_tabs == 32
    assert len(config.circuits) == 20


async def test_reference_yaml_drives_simulation_mode() -> None:
    config = await asyncio.to_thread(SimulationConfig.from_yaml, REFERENCE_YAML)  # off the loop
    async with SpanPanelClient(
        "sim", simulation_mode=True, simulation_config=config, cache_window=0
    ) as client:
        circuits = (await client.get_circuits()).circuits
        status = await client.get_status()
    assert status.system.serial == "SPAN-32-SIM-001"
    assert "master_bedroom_lights" in circuits
    assert {"unmapped_tab_30", "unmapped_tab_32"} <= set(circuits.additional_keys)
    assert circuits["dryer"].tabs == [18, 20]


template_strategy = st.builds(
    lambda mode, low, span, variation: {
        "energy_profile": {
            "mode": mode,
            "power_range": [low, low + span],
            "typical_power": low + span / 2,
            "power_variation": variation,
        }
    },
    st.sampled_from(["consumer", "producer", "bidirectional"]),
    st.floats(-5000, 5000, allow_nan=False),
    st.floats(0, 5000, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
)


@st.composite
def configurations(draw: st.DrawFn) -> dict[str, object]:
    total = draw(st.integers(2, 40))
    tabs = draw(st.permutations(list(range(1, total + 1))))
    sizes = draw(st.lists(st.integers(1, 2), max_size=total // 2))
    circuits, used = [], 0
    for index, size in enumerate(sizes):
        circuits.append(
            {
                "id": f"c{index}",
                "name": f"Circuit {index}",
                "template": f"t{index % 3}",
                "tabs": tabs[used : used + size],
            }
        )
        used += size
    return {
        "panel_config": {"total_tabs": total},
        "circuit_templates": {f"t{i}": draw(template_strategy) for i in range(3)},
        "circuits": circuits,
        "simulation_params": {"seed": draw(st.integers(0, 1000)), "update_interval": 0},
    }


@settings(max_examples=40, deadline=None)
@given(configurations(), st.floats(1, 10_000, allow_nan=False))
def test_any_valid_configuration_simulates_consistently(
    raw: dict[str, object], seconds: float
) -> None:
    config = SimulationConfig.from_mapping(raw)
    engine, clock = engine_at(NOON, config)
    before = engine.panel_state()
    clock.now += seconds
    after = engine.panel_state()
    circuits = engine.circuits()["circuits"]
    assert len(after["branches"]) == raw["panel_config"]["total_tabs"]  # type: ignore[index]
    for old, new in zip(before["branches"], after["branches"], strict=True):
        # Counters never run backwards.
        assert new["importedActiveEnergyWh"] >= old["importedActiveEnergyWh"]
        assert new["exportedActiveEnergyWh"] >= old["exportedActiveEnergyWh"]
    for circuit in circuits.values():
        low, high = config.template_for(
            next(c for c in config.circuits if c.id == circuit["id"])
        ).energy_profile.power_range
        # The wire reports consumption as negative power.
        assert -high - 1e-6 <= circuit["instantPowerW"] <= -low + 1e-6
    assert PanelState.from_dict(after).to_dict() == after
    assert CircuitsOut.from_dict({"circuits": circuits}).to_dict() == {"circuits": circuits}


def _config_paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _config_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _config_paths(value, (*prefix, index))
    return found


_DEFAULT_RAW = yaml.safe_load(
    resources.files("span_panel_api.simulation").joinpath("default_config.yaml").read_text()
)
_DEFAULT_PATHS = _config_paths(_DEFAULT_RAW)
_yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-100, 100)
    | st.floats(allow_nan=True)
    | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 40), inner, max_size=3)
    ),
    max_leaves=4,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_DEFAULT_PATHS), _yaml_values)
def test_any_corrupted_configuration_is_refused_or_simulates(
    path: tuple[object, ...], value: object
) -> None:
    raw = copy.deepcopy(_DEFAULT_RAW)
    target = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    try:
        config = SimulationConfig.from_mapping(raw)
    except SimulationConfigurationError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert refusal.startswith("configuration: ")  # names where the problem is
        return
    engine, clock = engine_at(NOON, config)
    for _ in range(2):
        CircuitsOut.from_dict(engine.circuits())
        PanelState.from_dict(engine.panel_state())
        clock.now += 600


def test_off_grid_the_panel_sheds_circuits_by_priority() -> None:
    engine, _ = engine_at(NOON)
    assert engine.circuit("office_outlets")["priority"] == "NON_ESSENTIAL"
    assert engine.circuit("kitchen_lights")["priority"] == "NICE_TO_HAVE"
    assert engine.circuit("office_outlets")["instantPowerW"] < 0
    engine.set_main_relay("OPEN")
    assert engine.circuit("office_outlets")["instantPowerW"] == 0  # non-essential: shed
    assert engine.circuit("network_rack")["instantPowerW"] < 0  # must-have: kept
    assert engine.circuit("kitchen_lights")["instantPowerW"] < 0  # battery above low threshold
    engine.set_storage_soe(10)  # below the low nice-to-have threshold (20 %)
    assert engine.circuit("kitchen_lights")["instantPowerW"] == 0
    engine.set_nice_to_have_threshold(5, 80)
    assert engine.circuit("kitchen_lights")["instantPowerW"] < 0
    # A priority change takes effect at once: the circuit is backed up again.
    assert engine.set_circuit("office_outlets", priority="MUST_HAVE")["instantPowerW"] < 0
    engine.set_circuit("network_rack", never_backup=True)
    assert engine.circuit("network_rack")["instantPowerW"] == 0
    engine.set_main_relay("CLOSED")
    assert engine.circuit("network_rack")["instantPowerW"] < 0


async def test_priority_override_changes_off_grid_shedding() -> None:
    async with SpanPanelClient("simulated", simulation_mode=True, cache_window=0) as client:
        await client.set_main_relay_state("OPEN")
        assert (await client.get_circuit("network_rack")).instant_power_w < 0
        await client.set_circuit_overrides({"network_rack": {"priority": "NON_ESSENTIAL"}})
        assert (await client.get_circuit("network_rack")).instant_power_w == 0
