"""Virtual circuits for panel tabs that no configured circuit occupies.

Tabs without a circuit usually carry a back-fed source (a solar inverter's legs). The panel
lists them only as branches of ``GET /api/v1/panel``; the client exposes each one as circuit
``unmapped_tab_<N>`` so integrations can meter them like any other circuit.
"""

from __future__ import annotations

from span_panel_api.generated_client.models import Circuit, CircuitsOut, PanelState, Priority
from span_panel_api.generated_client.types import Unset

__all__ = ["UNMAPPED_PREFIX", "add_unmapped_tab_circuits", "is_unmapped_circuit_id"]

UNMAPPED_PREFIX = "unmapped_tab_"


def is_unmapped_circuit_id(circuit_id: str) -> bool:
    """Whether ``circuit_id`` names a virtual circuit made by :func:`add_unmapped_tab_circuits`."""
    return circuit_id.startswith(UNMAPPED_PREFIX)


def add_unmapped_tab_circuits(circuits: CircuitsOut, panel: PanelState, now_s: int) -> None:
    """Add circuit ``unmapped_tab_<N>`` to ``circuits`` for every tab no circuit occupies.

    Tab ``N`` is ``panel.branches[N - 1]``. The branch's imported energy is the tab's
    production and its exported energy the tab's consumption (the panel counts from the
    bus's point of view). The virtual circuits' relay and priority are read-only.
    """
    entries = circuits.circuits.additional_properties
    mapped: set[int] = set()
    for circuit in entries.values():
        if not isinstance(circuit.tabs, Unset):
            mapped.update(circuit.tabs)
    for tab, branch in enumerate(panel.branches, start=1):
        if tab in mapped:
            continue
        circuit_id = f"{UNMAPPED_PREFIX}{tab}"
        entries[circuit_id] = Circuit(
            id=circuit_id,
            name=f"Unmapped Tab {tab}",
            relay_state=branch.relay_state,
            instant_power_w=branch.instant_power_w,
            instant_power_update_time_s=now_s,
            produced_energy_wh=branch.imported_active_energy_wh,
            consumed_energy_wh=branch.exported_active_energy_wh,
            energy_accum_update_time_s=now_s,
            tabs=[tab],
            priority=Priority.UNKNOWN,
            is_user_controllable=False,
            is_sheddable=False,
            is_never_backup=False,
        )
