"""The simulated panel: state, power model and energy counters behind simulation mode.

The engine answers with the panel's wire format (the JSON documents of the v1 API as Python
dicts), so simulation mode and the HTTP simulator parse exactly what a real panel sends.
It does no I/O and is not thread-safe; one event loop owns it.

Power follows the panel's convention on the wire: negative while a circuit draws from the
bus, positive while it feeds into it; the grid reading is positive while importing.
"""

from __future__ import annotations

import math
import random
import secrets
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from span_panel_api.simulation.config import (
    CircuitTemplate,
    SimulationConfig,
    load_simulation_config,
)

__all__ = [
    "BranchOverride",
    "CircuitOverride",
    "GlobalOverride",
    "SimulationEngine",
    "SimulationNotFoundError",
]

Json = dict[str, Any]
RelayValue = Literal["OPEN", "CLOSED"]
PriorityValue = Literal["MUST_HAVE", "NICE_TO_HAVE", "NON_ESSENTIAL"]

_PRIORITY_V1 = {
    "MUST_HAVE": "MUST_HAVE",
    "NICE_TO_HAVE": "NICE_TO_HAVE",
    "NON_ESSENTIAL": "NON_ESSENTIAL",
    "NEVER": "MUST_HAVE",
    "SOC_THRESHOLD": "NICE_TO_HAVE",
    "OFF_GRID": "NON_ESSENTIAL",
}
_GRID_PEAK_HOURS = frozenset({17, 18, 19, 20, 21})
_INITIAL_HOURS = 400.0  # counters start as if the panel had run this long
_UPTIME_OFFSET_S = 86_400


class SimulationNotFoundError(LookupError):
    """The simulated panel has no circuit or client by that name."""


@attrs.frozen
class CircuitOverride:
    """Runtime changes to one simulated circuit (``None`` leaves a value simulated).

    ``power_w`` pins the power, in the configuration's convention (positive consumes).
    """

    power_w: float | None = None
    power_multiplier: float | None = None
    relay_state: RelayValue | None = None
    priority: PriorityValue | None = None


@attrs.frozen
class GlobalOverride:
    """Runtime changes applied to every circuit."""

    power_multiplier: float = 1.0


@attrs.frozen
class BranchOverride:
    """Runtime changes to one tab's reading (applied after its circuit's)."""

    power_w: float | None = None
    power_multiplier: float | None = None


@attrs.define
class _Load:
    """Something that draws or produces power over one or more tabs."""

    key: str
    template: CircuitTemplate
    tabs: tuple[int, ...]
    phase: float


@attrs.define
class _CircuitState:
    id: str
    name: str
    load: _Load
    relay_state: str
    priority: str
    user_controllable: bool
    sheddable: bool
    never_backup: bool


@attrs.define
class _TabState:
    imported_wh: float = 0.0  # energy fed into the bus (production)
    exported_wh: float = 0.0  # energy drawn from the bus (consumption)
    power_w: float = 0.0  # wire convention
    relay_state: str = "CLOSED"


@attrs.define
class _ClientRecord:
    description: str
    issued_at_ms: int


class SimulationEngine:
    """A simulated SPAN panel built from a :class:`SimulationConfig`.

    Args:
        config: A configuration, a YAML path, a mapping, or ``None`` for the packaged default.
        clock: Seconds since the epoch; tests pass a fake clock to drive time.
        seed: Seeds the random variation (overrides ``simulation_params.seed``).

    """

    def __init__(
        self,
        config: SimulationConfig | str | Path | Mapping[str, Any] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        self.config = load_simulation_config(config)
        params = self.config.simulation_params
        self._clock = clock
        self._rng = random.Random(seed if seed is not None else params.seed)
        self._accel = params.time_acceleration
        self._started = clock()
        self._last_advance = self._started
        self._last_compute = -math.inf
        self._sample_start = self._started
        self._circuits: dict[str, _CircuitState] = {}
        self._tabs = {n: _TabState() for n in range(1, self.config.panel_config.total_tabs + 1)}
        self._loads: list[_Load] = []
        self._main_relay = "CLOSED"
        self._main_produced_wh = 0.0
        self._main_consumed_wh = 0.0
        self._grid_power_w = 0.0
        self._soe = float(self.config.panel_config.initial_soe)
        self._battery_loads: set[str] = set()
        self._threshold_low = 20
        self._threshold_high = 80
        #: Whether the panel accepts registrations (its door was just cycled); the HTTP
        #: simulator refuses registration while this is false.
        self.proximity_proven = True
        self._clients: dict[str, _ClientRecord] = {}
        self._tokens: dict[str, str] = {}
        self._circuit_overrides: dict[str, CircuitOverride] = {}
        self._branch_overrides: dict[int, BranchOverride] = {}
        self._global_override = GlobalOverride()
        self._build()
        self._recompute(self._started)

    # -- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        config = self.config
        for circuit in config.circuits:
            template = config.template_for(circuit)
            load = _Load(circuit.id, template, circuit.tabs, self._phase(circuit.id))
            self._loads.append(load)
            priority = _PRIORITY_V1[template.priority]
            self._circuits[circuit.id] = _CircuitState(
                id=circuit.id,
                name=circuit.name,
                load=load,
                relay_state="CLOSED",
                priority=priority,
                user_controllable=template.relay_behavior == "controllable",
                sheddable=priority != "MUST_HAVE",
                never_backup=False,
            )
            if template.battery_behavior is not None and template.battery_behavior.enabled:
                self._battery_loads.add(circuit.id)
        synced: set[int] = set()
        for index, sync in enumerate(config.tab_synchronizations):
            first = sync.tabs[0]
            if sync.template is not None:
                template = config.template_named(sync.template, "tab_synchronizations")
            elif first in config.unmapped_tab_templates:
                template = config.unmapped_tab_templates[first]
            else:
                continue
            key = f"sync_{index}"
            self._loads.append(_Load(key, template, sync.tabs, self._phase(key)))
            synced.update(sync.tabs)
        for tab, template in config.unmapped_tab_templates.items():
            if tab not in synced:
                key = f"tab_{tab}"
                self._loads.append(_Load(key, template, (tab,), self._phase(key)))
        for load in self._loads:
            self._seed_counters(load)

    @staticmethod
    def _phase(key: str) -> float:
        # Spread cycling loads so they do not all switch at the same instant.
        return float(zlib.crc32(key.encode()) % 3600)

    def _seed_counters(self, load: _Load) -> None:
        typical = load.template.energy_profile.typical_power
        share = abs(typical) * _INITIAL_HOURS / len(load.tabs)
        for tab in load.tabs:
            state = self._tabs[tab]
            if typical >= 0:
                state.exported_wh, state.imported_wh = share, share * 0.002
            else:
                state.imported_wh, state.exported_wh = share, share * 0.002

    # -- the clock ----------------------------------------------------------------------------

    def _sim_time(self, now: float) -> float:
        return self._started + (now - self._started) * self._accel

    def _advance(self) -> float:
        """Accumulate energy up to now, and resample powers when the interval has passed."""
        now = self._clock()
        elapsed = max(0.0, now - self._last_advance) * self._accel
        if elapsed:
            hours = elapsed / 3600.0
            for state in self._tabs.values():
                if state.power_w >= 0:
                    state.imported_wh += state.power_w * hours
                else:
                    state.exported_wh -= state.power_w * hours
            if self._grid_power_w >= 0:
                self._main_consumed_wh += self._grid_power_w * hours
            else:
                self._main_produced_wh -= self._grid_power_w * hours
            self._charge_battery(hours)
            self._last_advance = now
        interval = self.config.simulation_params.update_interval / self._accel
        if now - self._last_compute >= interval:
            self._recompute(now)
        return now

    def _charge_battery(self, hours: float) -> None:
        capacity = self.config.panel_config.battery_capacity_wh
        for circuit_id in self._battery_loads:
            tabs = self._circuits[circuit_id].load.tabs
            drawn_w = -sum(self._tabs[t].power_w for t in tabs)  # charging draws from the bus
            self._soe = min(100.0, max(0.0, self._soe + drawn_w * hours / capacity * 100.0))

    # -- the power model ----------------------------------------------------------------------

    def _recompute(self, now: float) -> None:
        sim_now = self._sim_time(now)
        hour = datetime.fromtimestamp(sim_now).hour
        realistic = self.config.simulation_params.enable_realistic_behaviors
        for state in self._tabs.values():
            state.power_w = 0.0
        for load in self._loads:
            circuit = self._circuits.get(load.key)
            override = self._circuit_overrides.get(load.key)
            relay = circuit.relay_state if circuit is not None else "CLOSED"
            if override is not None and override.relay_state is not None:
                relay = override.relay_state
            islanded = self._main_relay == "OPEN"
            if relay == "OPEN" or (islanded and (circuit is None or self._shed(circuit, override))):
                consumed = 0.0
            elif override is not None and override.power_w is not None:
                consumed = override.power_w
            else:
                consumed = self._power(load, sim_now, hour, realistic)
                if override is not None and override.power_multiplier is not None:
                    consumed *= override.power_multiplier
            if circuit is not None:
                consumed *= self._global_override.power_multiplier
            share = -consumed / len(load.tabs)
            for tab in load.tabs:
                self._tabs[tab].power_w = share
                self._tabs[tab].relay_state = relay
        for tab, branch in self._branch_overrides.items():
            state = self._tabs[tab]
            if branch.power_w is not None:
                state.power_w = -branch.power_w
            elif branch.power_multiplier is not None:
                state.power_w *= branch.power_multiplier
        bus = sum(state.power_w for state in self._tabs.values())
        self._grid_power_w = 0.0 if self._main_relay == "OPEN" else -bus + self._feedthrough()
        self._sample_start = self._last_compute if math.isfinite(self._last_compute) else now
        self._last_compute = now

    def _shed(self, circuit: _CircuitState, override: CircuitOverride | None) -> bool:
        """Whether the panel, running off grid, cuts ``circuit`` to spare the battery.

        Non-essential and never-backup circuits go first; nice-to-have circuits follow once
        the battery is below the low nice-to-have threshold; must-have circuits stay on.
        """
        priority = circuit.priority
        if override is not None and override.priority is not None:
            priority = override.priority
        if circuit.never_backup or priority == "NON_ESSENTIAL":
            return True
        return priority == "NICE_TO_HAVE" and self._soe < self._threshold_low

    def _feedthrough(self) -> float:
        return round(self._rng.uniform(0.0, 15.0), 3)

    def _power(self, load: _Load, sim_now: float, hour: int, realistic: bool) -> float:
        template = load.template
        profile = template.energy_profile
        power = profile.typical_power
        if realistic:
            tod = template.time_of_day_profile
            if tod is not None and tod.enabled:
                if hour in tod.hourly_multipliers:
                    power *= tod.hourly_multipliers[hour]
                elif hour in tod.peak_hours:
                    power *= tod.peak_multiplier
                else:
                    power *= tod.off_peak_multiplier
            cycle = template.cycling_pattern
            if cycle is not None:
                period = cycle.on_duration + cycle.off_duration
                if (sim_now + load.phase) % period >= cycle.on_duration:
                    power = max(profile.power_range[0], 0.0) if profile.mode == "consumer" else 0.0
            battery = template.battery_behavior
            if battery is not None and battery.enabled:
                if hour in battery.charge_hours:
                    power = battery.charge_power
                elif hour in battery.discharge_hours:
                    power = battery.discharge_power
                else:
                    power = battery.idle_power
            smart = template.smart_behavior
            if smart is not None and smart.responds_to_grid and hour in _GRID_PEAK_HOURS:
                power *= 1.0 - smart.max_power_reduction
        variation = profile.power_variation + self.config.simulation_params.noise_factor
        power *= 1.0 + self._rng.uniform(-variation, variation)
        if profile.mode == "producer":
            power *= profile.efficiency
        low, high = profile.power_range
        return min(high, max(low, power))

    # -- readings (wire format) ---------------------------------------------------------------

    def status(self) -> Json:
        """``GET /api/v1/status``."""
        now = self._advance()
        panel = self.config.panel_config
        return {
            "software": {
                "firmwareVersion": panel.firmware_version,
                "updateStatus": "idle",
                "env": "prod",
            },
            "system": {
                "manufacturer": "Span",
                "serial": panel.serial_number,
                "model": panel.model,
                "doorState": "CLOSED",
                "proximityProven": self.proximity_proven,
                "uptime": int(now - self._started) + _UPTIME_OFFSET_S,
            },
            "network": {"eth0Link": True, "wlanLink": True, "wwanLink": False},
        }

    def _branch(self, tab: int, state: _TabState) -> Json:
        start_ms = int(self._sample_start * 1000)
        return {
            "id": tab,
            "relayState": state.relay_state,
            "instantPowerW": state.power_w,
            "importedActiveEnergyWh": state.imported_wh,
            "exportedActiveEnergyWh": state.exported_wh,
            "measureStartTsMs": start_ms,
            "measureDurationMs": max(0, int(self._last_compute * 1000) - start_ms),
            "isMeasureValid": True,
        }

    def _grid_words(self) -> tuple[str, str, str]:
        if self._main_relay == "OPEN":
            return "DSM_GRID_DOWN", "DSM_OFF_GRID", "PANEL_OFF_GRID"
        return "DSM_GRID_UP", "DSM_ON_GRID", "PANEL_ON_GRID"

    def panel_state(self) -> Json:
        """``GET /api/v1/panel``."""
        self._advance()
        dsm_grid, dsm, run_config = self._grid_words()
        meter = self._meter()
        return {
            "mainRelayState": self._main_relay,
            "mainMeterEnergy": meter["mainMeter"],
            "instantGridPowerW": self._grid_power_w,
            "feedthroughPowerW": 0.0,
            "feedthroughEnergy": meter["feedthrough"],
            "gridSampleStartMs": int(self._sample_start * 1000),
            "gridSampleEndMs": int(self._last_compute * 1000),
            "dsmGridState": dsm_grid,
            "dsmState": dsm,
            "currentRunConfig": run_config,
            "branches": [self._branch(tab, state) for tab, state in self._tabs.items()],
        }

    def _meter(self) -> Json:
        return {
            "mainMeter": {
                "producedEnergyWh": self._main_produced_wh,
                "consumedEnergyWh": self._main_consumed_wh,
            },
            "feedthrough": {"producedEnergyWh": 0.0, "consumedEnergyWh": 0.0},
        }

    def panel_power(self) -> Json:
        """``GET /api/v1/panel/power``."""
        self._advance()
        return {"instantGridPowerW": self._grid_power_w, "feedthroughPowerW": 0.0}

    def panel_meter(self) -> Json:
        """``GET /api/v1/panel/meter``."""
        self._advance()
        return self._meter()

    def islanding_state(self) -> Json:
        """``GET /api/v1/islanding-state``."""
        return {"islanding_state": "ON_GRID" if self._main_relay == "CLOSED" else "ISLANDED"}

    def main_relay(self) -> Json:
        """``GET /api/v1/panel/grid``."""
        return {"relayState": self._main_relay}

    def set_main_relay(self, state: RelayValue) -> Json:
        """``POST /api/v1/panel/grid``: open (island) or close the main relay."""
        self._advance()
        self._main_relay = state
        self._recompute(self._clock())
        return self.main_relay()

    def _circuit(self, state: _CircuitState) -> Json:
        produced = sum(self._tabs[t].imported_wh for t in state.load.tabs)
        consumed = sum(self._tabs[t].exported_wh for t in state.load.tabs)
        power = sum(self._tabs[t].power_w for t in state.load.tabs)
        override = self._circuit_overrides.get(state.id)
        relay = state.relay_state
        priority = state.priority
        if override is not None:
            relay = override.relay_state or relay
            priority = override.priority or priority
        return {
            "id": state.id,
            "name": state.name,
            "relayState": relay,
            "instantPowerW": power,
            "instantPowerUpdateTimeS": int(self._last_compute),
            "producedEnergyWh": produced,
            "consumedEnergyWh": consumed,
            "energyAccumUpdateTimeS": int(self._last_advance),
            "tabs": list(state.load.tabs),
            "priority": priority,
            "isUserControllable": state.user_controllable,
            "isSheddable": state.sheddable,
            "isNeverBackup": state.never_backup,
        }

    def circuits(self) -> Json:
        """``GET /api/v1/circuits``."""
        self._advance()
        return {"circuits": {cid: self._circuit(s) for cid, s in self._circuits.items()}}

    def _state_of(self, circuit_id: str) -> _CircuitState:
        try:
            return self._circuits[circuit_id]
        except KeyError:
            raise SimulationNotFoundError(f"no circuit with id {circuit_id!r}") from None

    def circuit(self, circuit_id: str) -> Json:
        """``GET /api/v1/circuits/{circuitId}``."""
        state = self._state_of(circuit_id)
        self._advance()
        return self._circuit(state)

    def set_circuit(
        self,
        circuit_id: str,
        *,
        relay_state: RelayValue | None = None,
        priority: PriorityValue | None = None,
        name: str | None = None,
        user_controllable: bool | None = None,
        sheddable: bool | None = None,
        never_backup: bool | None = None,
    ) -> Json:
        """``POST /api/v1/circuits/{circuitId}``: apply the given changes; they take effect now."""
        state = self._state_of(circuit_id)
        self._advance()
        if relay_state is not None:
            state.relay_state = relay_state
        if priority is not None:
            state.priority = priority
        if name is not None:
            state.name = name
        if user_controllable is not None:
            state.user_controllable = user_controllable
        if sheddable is not None:
            state.sheddable = sheddable
        if never_backup is not None:
            state.never_backup = never_backup
        self._recompute(self._clock())
        return self._circuit(state)

    def storage_soe(self) -> Json:
        """``GET /api/v1/storage/soe``."""
        self._advance()
        return {"soe": {"percentage": round(self._soe)}}

    def set_storage_soe(self, percentage: int) -> Json:
        """``POST /api/v1/storage/soe``; off grid, it can shed nice-to-have circuits at once."""
        self._advance()
        self._soe = float(percentage)
        self._recompute(self._clock())
        return self.storage_soe()

    def nice_to_have_threshold(self) -> Json:
        """``GET /api/v1/storage/nice-to-have-thresh``."""
        return {
            "nice_to_have_threshold_low_soe": {"percentage": self._threshold_low},
            "nice_to_have_threshold_high_soe": {"percentage": self._threshold_high},
        }

    def set_nice_to_have_threshold(self, low: int | None, high: int | None) -> Json:
        """``POST /api/v1/storage/nice-to-have-thresh``; takes effect at once (off grid)."""
        self._advance()
        if low is not None:
            self._threshold_low = low
        if high is not None:
            self._threshold_high = high
        self._recompute(self._clock())
        return self.nice_to_have_threshold()

    def wifi_scan(self) -> Json:
        """``GET /api/v1/wifi/scan``."""
        return {
            "accessPoints": [
                {
                    "bssid": "02:00:00:00:00:01",
                    "ssid": "home",
                    "signal": -48,
                    "frequency": "5.18 GHz",
                    "encrypted": True,
                    "connected": True,
                    "error": "",
                },
                {
                    "bssid": "02:00:00:00:00:02",
                    "ssid": "guest",
                    "signal": -71,
                    "frequency": "2.412 GHz",
                    "encrypted": False,
                    "connected": False,
                    "error": "",
                },
            ]
        }

    def wifi_connect(self, ssid: str, psk: str) -> Json:
        """``POST /api/v1/wifi/connect``: succeeds for a visible network with a non-empty key."""
        for ap in self.wifi_scan()["accessPoints"]:
            if ap["ssid"] == ssid:
                ok = bool(psk) or not ap["encrypted"]
                return {
                    "bssid": ap["bssid"],
                    "ssid": ssid,
                    "signal": ap["signal"],
                    "encrypted": ap["encrypted"],
                    "connected": ok,
                    "error": "" if ok else "authentication failed",
                }
        return {
            "bssid": "",
            "ssid": ssid,
            "signal": 0,
            "encrypted": False,
            "connected": False,
            "error": "network not found",
        }

    # -- clients and tokens -------------------------------------------------------------------

    def register_client(self, name: str, description: str = "") -> Json:
        """``POST /api/v1/auth/register``: issue a token (replacing the name's previous one)."""
        for token, owner in list(self._tokens.items()):
            if owner == name:
                del self._tokens[token]
        issued_at_ms = int(self._clock() * 1000)
        token = secrets.token_urlsafe(32)
        self._tokens[token] = name
        self._clients[name] = _ClientRecord(description, issued_at_ms)
        return {"accessToken": token, "tokenType": "bearer", "iatMs": issued_at_ms}

    def token_is_valid(self, token: str) -> bool:
        """Whether ``token`` was issued and not revoked."""
        return token in self._tokens

    def expire_tokens(self) -> None:
        """Revoke every token issued so far (clients stay listed)."""
        self._tokens.clear()

    def _client(self, record: _ClientRecord) -> Json:
        return {
            "description": record.description,
            "issued_at": record.issued_at_ms,
            "allowed_endpoint_groups": {
                "delete": ["auth"],
                "get": ["auth", "circuits", "panel", "status", "storage", "wifi"],
                "post": ["circuits", "panel", "storage", "wifi"],
                "push": [],
            },
        }

    def clients(self) -> Json:
        """``GET /api/v1/auth/clients``."""
        return {"clients": {name: self._client(r) for name, r in self._clients.items()}}

    def client(self, name: str) -> Json:
        """``GET /api/v1/auth/clients/{name}``."""
        try:
            return self._client(self._clients[name])
        except KeyError:
            raise SimulationNotFoundError(f"no client named {name!r}") from None

    def delete_client(self, name: str) -> Json:
        """``DELETE /api/v1/auth/clients/{name}``: remove the client and revoke its token."""
        answer = self.client(name)
        del self._clients[name]
        for token, owner in list(self._tokens.items()):
            if owner == name:
                del self._tokens[token]
        return answer

    # -- overrides ----------------------------------------------------------------------------

    def set_circuit_overrides(
        self,
        circuit_overrides: Mapping[str, CircuitOverride] | None = None,
        global_overrides: GlobalOverride | None = None,
    ) -> None:
        """Pin or scale circuits' behaviour; takes effect immediately."""
        for circuit_id, override in (circuit_overrides or {}).items():
            self._state_of(circuit_id)
            self._circuit_overrides[circuit_id] = override
        if global_overrides is not None:
            self._global_override = global_overrides
        self._advance()
        self._recompute(self._clock())

    def set_branch_overrides(self, branch_overrides: Mapping[int, BranchOverride]) -> None:
        """Pin or scale individual tabs' readings; takes effect immediately."""
        for tab, override in branch_overrides.items():
            if tab not in self._tabs:
                raise SimulationNotFoundError(
                    f"no tab {tab}; the panel has tabs 1..{len(self._tabs)}"
                )
            self._branch_overrides[tab] = override
        self._advance()
        self._recompute(self._clock())

    def clear_overrides(self) -> None:
        """Remove every circuit, branch and global override."""
        self._circuit_overrides.clear()
        self._branch_overrides.clear()
        self._global_override = GlobalOverride()
        self._advance()
        self._recompute(self._clock())
