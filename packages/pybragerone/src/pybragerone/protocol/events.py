"""Names of the realtime events on namespace ``/ws``, with their aliases."""

from __future__ import annotations

__all__ = [
    "ACTIVITY_LISTEN",
    "PARAMETERS_CHANGE_EVENTS",
    "PARAMETERS_LISTEN",
    "SNAPSHOT_EVENT",
    "TASK_EVENTS",
]

#: emitted by the client after binding, with ``{modules: [devid, ...]}``
PARAMETERS_LISTEN = "app:modules:parameters:listen"
ACTIVITY_LISTEN = "app:modules:activity:quantity:listen"

#: a full snapshot pushed by the server (same shape as ``POST /modules/parameters``)
SNAPSHOT_EVENT = "snapshot"

#: parameter changes; older servers use the shorter names
PARAMETERS_CHANGE_EVENTS = (
    "app:modules:parameters:change",
    "modules:parameters:change",
    "parameters:change",
)

#: task (command) life-cycle events -> canonical name; numeric aliases are the same events
TASK_EVENTS: dict[str, str] = {
    "app:module:task:created": "created",
    "app:module:task:status:changed": "status_changed",
    "app:module:task:completed": "completed",
    "61": "created",
    "60": "status_changed",
    "63": "completed",
}
