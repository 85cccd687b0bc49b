"""The simulation configuration: attrs classes structured from YAML with cattrs.

The YAML file has these top-level keys (all but ``circuits`` optional):

``panel_config``
    ``serial_number``, ``total_tabs``, ``main_size``, ``firmware_version``, ``model``,
    ``battery_capacity_wh``, ``initial_soe``.
``circuit_templates``
    Named behaviours: an ``energy_profile`` (``mode`` consumer/producer/bidirectional,
    ``power_range``, ``typical_power``, ``power_variation``, ``efficiency``) plus optional
    ``time_of_day_profile``, ``cycling_pattern``, ``smart_behavior``, ``battery_behavior``,
    ``relay_behavior`` and ``priority``.
``circuits``
    Each with ``id``, ``name``, ``template``, ``tabs`` and optional ``overrides`` (any
    template or energy-profile key).
``unmapped_tab_templates``, ``unmapped_tabs``, ``tab_synchronizations``
    Behaviour for tabs no circuit occupies (they appear as ``unmapped_tab_<N>``).
``simulation_params``
    ``update_interval``, ``time_acceleration``, ``noise_factor``,
    ``enable_realistic_behaviors``, ``seed``.

Power in the configuration is positive while a load consumes and negative while a source
produces. Unknown keys are refused, so a typo is reported instead of silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self, get_args, get_origin

import attrs
import cattrs
import cattrs.v
import yaml

from span_panel_api.exceptions import SimulationConfigurationError

# Read once at import: a client built in simulation mode inside a running event loop must not
# read a file on it.
_DEFAULT_YAML = (
    resources.files("span_panel_api.simulation")
    .joinpath("default_config.yaml")
    .read_text(encoding="utf-8")
)

__all__ = [
    "BatteryBehavior",
    "CircuitDefinition",
    "CircuitTemplate",
    "CyclingPattern",
    "EnergyProfile",
    "PanelConfig",
    "SimulationConfig",
    "SimulationParams",
    "SmartBehavior",
    "TabSynchronization",
    "TimeOfDayProfile",
    "describe_structure_error",
    "load_simulation_config",
]

EnergyMode = Literal["consumer", "producer", "bidirectional"]
RelayBehavior = Literal["controllable", "non_controllable"]
#: v1 priorities, plus the newer firmware names mapped onto them by the engine.
PriorityName = Literal[
    "MUST_HAVE", "NICE_TO_HAVE", "NON_ESSENTIAL", "NEVER", "SOC_THRESHOLD", "OFF_GRID"
]


@attrs.frozen
class EnergyProfile:
    """How much power a load draws (positive) or produces (negative)."""

    mode: EnergyMode = "consumer"
    power_range: tuple[float, float] = (0.0, 1000.0)
    typical_power: float = 100.0
    power_variation: float = 0.1
    efficiency: float = 1.0


@attrs.frozen
class TimeOfDayProfile:
    """Multipliers by local hour: an explicit table first, then peak/off-peak."""

    enabled: bool = True
    peak_hours: tuple[int, ...] = ()
    peak_multiplier: float = 1.0
    off_peak_multiplier: float = 0.3
    hourly_multipliers: dict[int, float] = attrs.field(factory=dict)


@attrs.frozen
class CyclingPattern:
    """A load that runs ``on_duration`` seconds, then rests ``off_duration`` seconds."""

    on_duration: float
    off_duration: float


@attrs.frozen
class SmartBehavior:
    """A load that backs off during the evening grid peak."""

    responds_to_grid: bool = False
    max_power_reduction: float = 0.0


@attrs.frozen
class BatteryBehavior:
    """A battery that charges around midday and discharges in the evening."""

    enabled: bool = True
    charge_power: float = 3000.0
    discharge_power: float = -3000.0
    idle_power: float = 0.0
    charge_hours: tuple[int, ...] = (10, 11, 12, 13, 14, 15)
    discharge_hours: tuple[int, ...] = (17, 18, 19, 20, 21)


@attrs.frozen
class CircuitTemplate:
    """A reusable behaviour shared by circuits (and unmapped tabs)."""

    energy_profile: EnergyProfile = attrs.field(factory=EnergyProfile)
    relay_behavior: RelayBehavior = "controllable"
    priority: PriorityName = "MUST_HAVE"
    time_of_day_profile: TimeOfDayProfile | None = None
    cycling_pattern: CyclingPattern | None = None
    smart_behavior: SmartBehavior | None = None
    battery_behavior: BatteryBehavior | None = None
    device_type: str = "circuit"


@attrs.frozen
class CircuitDefinition:
    """One circuit of the simulated panel."""

    id: str
    name: str
    template: str
    tabs: tuple[int, ...]
    overrides: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class TabSynchronization:
    """Tabs that behave as one source or load (e.g. the two legs of a 240 V inverter)."""

    tabs: tuple[int, ...]
    behavior: str = "240v_split_phase"
    power_split: Literal["equal"] = "equal"
    energy_sync: bool = True
    template: str | None = None


@attrs.frozen
class PanelConfig:
    """The panel itself."""

    serial_number: str = "SPAN-SIM-0001"
    total_tabs: int = 32
    main_size: int = 200
    firmware_version: str = "spanos2/sim/01"
    model: str = "00200"
    battery_capacity_wh: float = 13500.0
    initial_soe: int = 80


@attrs.frozen
class SimulationParams:
    """How the simulation clock and randomness behave."""

    update_interval: float = 5.0
    time_acceleration: float = 1.0
    noise_factor: float = 0.02
    enable_realistic_behaviors: bool = True
    seed: int | None = None


_ENERGY_KEYS = frozenset(f.name for f in attrs.fields(EnergyProfile))
_TEMPLATE_KEYS = frozenset(f.name for f in attrs.fields(CircuitTemplate))


@attrs.frozen
class SimulationConfig:
    """A whole simulated panel.

    Build it with :meth:`from_yaml`, :meth:`from_mapping` or :meth:`default`.
    """

    circuits: tuple[CircuitDefinition, ...]
    panel_config: PanelConfig = attrs.field(factory=PanelConfig)
    circuit_templates: dict[str, CircuitTemplate] = attrs.field(factory=dict)
    unmapped_tab_templates: dict[int, CircuitTemplate] = attrs.field(factory=dict)
    tab_synchronizations: tuple[TabSynchronization, ...] = ()
    unmapped_tabs: tuple[int, ...] = ()
    simulation_params: SimulationParams = attrs.field(factory=SimulationParams)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "configuration") -> Self:
        """Structure and check a parsed configuration; errors name the offending key."""
        if not isinstance(data, Mapping):
            raise SimulationConfigurationError(
                f"{source}: expected a mapping at the top level, got {type(data).__name__}"
            )
        try:
            config = _converter.structure(dict(data), cls)
        except cattrs.BaseValidationError as exc:
            problems = describe_structure_error(exc, "$")
            raise SimulationConfigurationError(f"{source}: {problems}") from exc
        config.check(source)
        return config

    @classmethod
    def from_yaml(cls, path: str | Path) -> Self:
        """Read a YAML simulation file."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise SimulationConfigurationError(
                f"cannot read simulation config {file}: {exc.strerror or exc}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise SimulationConfigurationError(
                f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        return cls.from_yaml_text(text, source=str(file))

    @classmethod
    def from_yaml_text(cls, text: str, *, source: str = "configuration") -> Self:
        """Parse YAML text into a configuration."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SimulationConfigurationError(f"{source}: not valid YAML: {exc}") from exc
        return cls.from_mapping(data if data is not None else {}, source=source)

    @classmethod
    def default(cls) -> Self:
        """The configuration shipped with the package (a 32-tab house with solar)."""
        return cls.from_yaml_text(_DEFAULT_YAML, source="default_config.yaml")

    def template_for(self, circuit: CircuitDefinition) -> CircuitTemplate:
        """The circuit's template with its ``overrides`` applied."""
        return self._resolve(circuit.template, circuit.overrides, f"circuits[{circuit.id}]")

    def template_named(self, name: str, where: str) -> CircuitTemplate:
        """A template by name; ``where`` names the key that referenced it in errors."""
        try:
            return self.circuit_templates[name]
        except KeyError:
            known = ", ".join(sorted(self.circuit_templates)) or "none defined"
            raise SimulationConfigurationError(
                f"{where}: unknown template {name!r} (known templates: {known})"
            ) from None

    def _resolve(self, name: str, overrides: Mapping[str, Any], where: str) -> CircuitTemplate:
        template = self.template_named(name, f"{where}.template")
        if not overrides:
            return template
        raw = _converter.unstructure(template)
        for key, value in overrides.items():
            if key in _ENERGY_KEYS:
                raw["energy_profile"][key] = value
            elif key in _TEMPLATE_KEYS:
                raw[key] = value
            else:
                raise SimulationConfigurationError(
                    f"{where}.overrides.{key}: not a template or energy_profile key"
                )
        try:
            return _converter.structure(raw, CircuitTemplate)
        except cattrs.BaseValidationError as exc:
            problems = describe_structure_error(exc, f"{where}.overrides")
            raise SimulationConfigurationError(problems) from exc

    def check(self, source: str = "configuration") -> None:
        """Cross-check references, tab numbers and ranges."""

        def fail(message: str) -> SimulationConfigurationError:
            return SimulationConfigurationError(f"{source}: {message}")

        total = self.panel_config.total_tabs
        if not 1 <= total <= 64:
            raise fail(f"panel_config.total_tabs must be 1..64, got {total}")
        owner: dict[int, str] = {}
        ids: set[str] = set()
        for index, circuit in enumerate(self.circuits):
            where = f"circuits[{index}]"
            if circuit.id in ids:
                raise fail(f"{where}.id: duplicate circuit id {circuit.id!r}")
            if circuit.id.startswith("unmapped_tab_"):
                raise fail(f"{where}.id: the prefix 'unmapped_tab_' is reserved")
            ids.add(circuit.id)
            if not circuit.tabs:
                raise fail(f"{where}.tabs: a circuit needs at least one tab")
            for tab in circuit.tabs:
                if not 1 <= tab <= total:
                    raise fail(f"{where}.tabs: tab {tab} is outside 1..{total}")
                if tab in owner:
                    raise fail(f"{where}.tabs: tab {tab} already belongs to {owner[tab]!r}")
                owner[tab] = circuit.id
            try:
                _check_template(self.template_for(circuit), f"{where}")
            except SimulationConfigurationError as exc:
                raise fail(str(exc)) from exc
        for name, template in self.circuit_templates.items():
            try:
                _check_template(template, f"circuit_templates.{name}")
            except SimulationConfigurationError as exc:
                raise fail(str(exc)) from exc
        unmapped = (
            ("unmapped_tab_templates", tuple(self.unmapped_tab_templates)),
            ("unmapped_tabs", self.unmapped_tabs),
        )
        for key, tabs in unmapped:
            for tab in tabs:
                if not 1 <= tab <= total:
                    raise fail(f"{key}: tab {tab} is outside 1..{total}")
                if tab in owner:
                    raise fail(f"{key}: tab {tab} belongs to circuit {owner[tab]!r}")
        for index, sync in enumerate(self.tab_synchronizations):
            where = f"tab_synchronizations[{index}]"
            if len(sync.tabs) < 2:
                raise fail(f"{where}.tabs: synchronize at least two tabs")
            for tab in sync.tabs:
                if not 1 <= tab <= total:
                    raise fail(f"{where}.tabs: tab {tab} is outside 1..{total}")
                if tab in owner:
                    raise fail(f"{where}.tabs: tab {tab} belongs to circuit {owner[tab]!r}")
            if sync.template is not None:
                self.template_named(sync.template, f"{source}: {where}")
        params = self.simulation_params
        if params.time_acceleration <= 0:
            raise fail("simulation_params.time_acceleration must be > 0")
        if params.update_interval < 0:
            raise fail("simulation_params.update_interval must be >= 0")
        if params.noise_factor < 0:
            raise fail("simulation_params.noise_factor must be >= 0")
        if not 0 <= self.panel_config.initial_soe <= 100:
            raise fail("panel_config.initial_soe must be 0..100")
        if self.panel_config.battery_capacity_wh <= 0:
            raise fail("panel_config.battery_capacity_wh must be > 0")


def _check_template(template: CircuitTemplate, where: str) -> None:
    profile = template.energy_profile
    low, high = profile.power_range
    if low > high:
        raise SimulationConfigurationError(
            f"{where}.energy_profile.power_range: lower bound {low} exceeds upper bound {high}"
        )
    if profile.power_variation < 0:
        raise SimulationConfigurationError(f"{where}.energy_profile.power_variation must be >= 0")
    hour_lists: list[tuple[str, tuple[int, ...]]] = []
    if template.time_of_day_profile is not None:
        profile_hours = template.time_of_day_profile
        hour_lists.append(("time_of_day_profile.peak_hours", profile_hours.peak_hours))
        hour_lists.append(
            ("time_of_day_profile.hourly_multipliers", tuple(profile_hours.hourly_multipliers))
        )
    if template.battery_behavior is not None:
        battery = template.battery_behavior
        hour_lists.append(("battery_behavior.charge_hours", battery.charge_hours))
        hour_lists.append(("battery_behavior.discharge_hours", battery.discharge_hours))
    for key, hours in hour_lists:
        bad = [hour for hour in hours if not 0 <= hour <= 23]
        if bad:
            raise SimulationConfigurationError(
                f"{where}.{key}: hours are 0..23, got {', '.join(map(str, bad))}"
            )
    cycle = template.cycling_pattern
    if cycle is not None and (
        cycle.on_duration < 0
        or cycle.off_duration < 0
        or cycle.on_duration + cycle.off_duration <= 0
    ):
        raise SimulationConfigurationError(
            f"{where}.cycling_pattern: durations must be >= 0 and not both 0"
        )


def load_simulation_config(
    source: SimulationConfig | str | Path | Mapping[str, Any] | None,
) -> SimulationConfig:
    """Accept what users pass as ``simulation_config`` and return a checked configuration.

    ``None`` gives :meth:`SimulationConfig.default`; a path reads YAML; a mapping is
    structured as if it were parsed YAML.
    """
    if source is None:
        return SimulationConfig.default()
    if isinstance(source, SimulationConfig):
        return source
    if isinstance(source, str | Path):
        return SimulationConfig.from_yaml(source)
    if isinstance(source, Mapping):
        return SimulationConfig.from_mapping(source)
    raise SimulationConfigurationError(
        "simulation_config must be a path, a mapping or a SimulationConfig, "
        f"got {type(source).__name__}"
    )


def _describe(exc: BaseException, type_: Any) -> str:
    choices = [
        choice
        for candidate in (type_, *get_args(type_))
        if get_origin(candidate) is Literal
        for choice in get_args(candidate)
    ]
    if choices:
        return "must be one of " + ", ".join(repr(choice) for choice in choices)
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown keys ({', '.join(sorted(map(str, exc.extra_fields)))})"
    return cattrs.v.format_exception(exc, type_)


def describe_structure_error(exc: cattrs.BaseValidationError, path: str) -> str:
    """One line naming every offending key of a cattrs structuring failure."""
    return "; ".join(cattrs.transform_error(exc, path=path, format_exception=_describe))


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)

    def structure_strict_int(value: Any, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)

    def structure_strict_float(value: Any, _: type) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return float(value)

    def structure_strict_str(value: Any, _: type) -> str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"expected a string, got {value!r}")
        return str(value)

    def structure_strict_bool(value: Any, _: type) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value

    converter.register_structure_hook(int, structure_strict_int)
    converter.register_structure_hook(float, structure_strict_float)
    converter.register_structure_hook(str, structure_strict_str)
    converter.register_structure_hook(bool, structure_strict_bool)
    return converter


_converter = _make_converter()
