"""The published py-bragerone client's REST calls against our simulator; prints what it got.

    python published_rest.py '<JSON line of python -m shared_testing serve brager>'

Run with the interpreter of a venv holding py-bragerone (``INTEROP_PYTHON``): ``pybragerone``
here is the published package, whose pydantic models validate every answer strictly. Prints one
JSON object with what each call returned, for the interop test to check.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from pybragerone import BragerOneApiClient
from pybragerone.api import ServerConfig


def status_and(result: Any) -> list[Any]:
    """``(status, data)`` of a ``return_data=True`` call as a JSON list."""
    status, data = result
    return [status, data]


async def run(info: dict[str, Any]) -> dict[str, Any]:
    root = info["url"].removesuffix("/v1")
    server = ServerConfig(io_base=root, one_base=root, container="BragerOne")
    email, password = info["email"], info["password"]
    api = BragerOneApiClient(server=server, creds_provider=lambda: (email, password))
    try:
        token = await api.ensure_auth(email, password)
        version = await api.get_system_version()
        user = await api.get_user()
        permissions = await api.get_user_permissions()
        objects = await api.get_objects()
        home = objects[0]
        details = await api.get_object(home.id)
        object_permissions = await api.get_object_permissions(home.id)
        modules = await api.get_modules(home.id)
        devids = [m.devid for m in modules]
        card = await api.get_module_card(devids[0])
        device = modules[0].devices[0]
        menu = await api.get_devices_menu(
            device["manuf_code"], device["dev_code"], device["sw_ver_num"]
        )
        parameters = await api.modules_parameters_prime(devids, return_data=True)
        activity_quantity = await api.modules_activity_quantity_prime(devids, return_data=True)
        alarms_quantity = await api.modules_alarms_quantity(devids, return_data=True)
        write = await api.module_command(
            devid=devids[0],
            pool="P6",
            parameter="v1",
            value=57,
            parameter_name="PARAM_11",
            return_data=True,
        )
        raw = await api.module_command_raw(
            devid=devids[0], command="MODULE_RESTART", value="ONLINE", return_data=True
        )
        activity = await api.modules_activity(devids, return_data=True)
        alarms = await api.modules_alarms(devids, return_data=True)
        after = await api.modules_parameters_prime(devids, return_data=True)
        await api.revoke()
    finally:
        await api.close()
    return {
        "token": {"user_id": token.user_id, "objects": [o["id"] for o in token.objects]},
        "version": version.model_dump(mode="json"),
        "user": user.model_dump(mode="json"),
        "permissions": [str(p) for p in permissions],
        "objects": [o.model_dump(mode="json") for o in objects],
        "object_status": details.status,
        "object_permissions": [str(p) for p in object_permissions],
        "modules": [m.model_dump(mode="json") for m in modules],
        "card": card.model_dump(mode="json"),
        "menu": menu,
        "parameters": status_and(parameters),
        "activity_quantity": status_and(activity_quantity),
        "alarms_quantity": status_and(alarms_quantity),
        "write": status_and(write),
        "raw": status_and(raw),
        "activity": status_and(activity),
        "alarms": status_and(alarms),
        "after_write": status_and(after)[1][devids[0]]["P6"]["v1"],
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1]))), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
