"""Simulation mode: a configurable, time-driven model of a SPAN panel.

:class:`SimulationEngine` is what ``SpanPanelClient(..., simulation_mode=True)`` talks to, and
what the project's HTTP panel simulator serves.
"""

from span_panel_api.simulation.config import (
    BatteryBehavior,
    CircuitDefinition,
    CircuitTemplate,
    CyclingPattern,
    EnergyProfile,
    PanelConfig,
    SimulationConfig,
    SimulationParams,
    SmartBehavior,
    TabSynchronization,
    TimeOfDayProfile,
    load_simulation_config,
)
from span_panel_api.simulation.engine import (
    BranchOverride,
    CircuitOverride,
    GlobalOverride,
    SimulationEngine,
    SimulationNotFoundError,
)

__all__ = [
    "BatteryBehavior",
    "BranchOverride",
    "CircuitDefinition",
    "CircuitOverride",
    "CircuitTemplate",
    "CyclingPattern",
    "EnergyProfile",
    "GlobalOverride",
    "PanelConfig",
    "SimulationConfig",
    "SimulationEngine",
    "SimulationNotFoundError",
    "SimulationParams",
    "SmartBehavior",
    "TabSynchronization",
    "TimeOfDayProfile",
    "load_simulation_config",
]
