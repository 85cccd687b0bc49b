"""The Brager One cloud's REST records, in the shapes the cloud sends them.

The field names and types follow the public record of the cloud's answers: the pydantic
models of the published ``py-bragerone`` client (``User``, ``BragerObject``, ``Module``,
``ModuleGateway``, ``ModuleCard``, ``ModuleActivity``, ``SystemVersion``) and the fixtures of
its tests. A published client validates these records strictly (a missing ``moduleTitle`` or
``show_rate_us_modal`` fails its login or module listing), so every field it requires is here.
Values are invented; shapes are not.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared_testing.brager.state import Module

__all__ = [
    "ACCEPTED_AT",
    "CLOUD_VERSION",
    "activity_row",
    "connection_status",
    "iso",
    "module_card",
    "module_record",
    "object_record",
    "user_record",
]

#: when the demo modules were accepted onto their objects (epoch seconds)
ACCEPTED_AT = 1_700_000_000
#: what ``GET /system/version`` reports (the cloud's build-number style)
CLOUD_VERSION = "1.0.2501310630"


def iso(epoch: float) -> str:
    """``2023-11-14T22:13:20.000Z``: the cloud's timestamp spelling."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_record(user_id: int, name: str, email: str, language: str) -> dict[str, Any]:
    """The ``user`` of ``GET /user`` and of the login answer."""
    return {
        "id": user_id,
        "name": name,
        "email": email,
        "language": language,
        "allow_email_type_informations": True,
        "allow_email_type_alarms": True,
        "allow_email_type_marketing": False,
        "allow_email_type_warnings": True,
        "activated_at": iso(ACCEPTED_AT - 86_400),
        "show_rate_us_modal": False,
    }


def object_record(
    object_id: int, name: str, *, city: str, post_code: str, street: str, number: str
) -> dict[str, Any]:
    """One object (installation) of ``GET /objects`` with its address."""
    return {
        "id": object_id,
        "name": name,
        "addressCountry": "PL",
        "addressCity": city,
        "addressPostCode": post_code,
        "addressStreet": street,
        "addressHouseNumber": number,
    }


def module_record(module: Module) -> dict[str, Any]:
    """One module of ``GET /modules``: identity, gateway, menu and connection state.

    ``connectedAt`` is the epoch of the module's current connection, ``0`` while offline.
    """
    connected = module.connected_at if module.online else 0
    gateway = {"address": module.address, "interface": "wifi", "version": module.firmware}
    return {
        "id": module.id,
        "devid": module.devid,
        "code": module.code,
        "name": module.name,
        "gateway": gateway,
        "deviceMenu": module.device_menu,
        "deviceLanguageVariant": 0,
        "devices": [
            {
                "manuf_code": module.manufacturer,
                "dev_code": module.device_code,
                "sw_ver_num": module.firmware,
            }
        ],
        "services": [],
        "permissions": list(module.permissions),
        "acceptedAt": ACCEPTED_AT,
        "connectedAt": connected,
        "moduleAlarms": 0,
        "parameterSchemas": [],
        "moduleAddress": module.address,
        "moduleInterface": "wifi",
        "moduleVersion": module.firmware,
        "moduleServices": [],
        "moduleTitle": module.title,
        "isAcceptedAt": iso(ACCEPTED_AT),
        "isConnectedAt": iso(connected) if connected else None,
    }


def connection_status(module: Module) -> dict[str, Any]:
    """The per-module part of ``app:module:connection:status:changed``."""
    record = module_record(module)
    return {"connectedAt": record["connectedAt"], "gateway": record["gateway"]}


def module_card(module: Module) -> dict[str, Any]:
    """``GET /modules/{devid}/card``: the installer's card of the module's client."""
    return {
        "id": 100 + module.id,
        "moduleId": module.id,
        "clientFullName": "Jan Kowalski",
        "clientPhoneNumber": "+48123456789",
        "clientAddressStreetAndNumber": "Kwiatowa 15",
        "clientAddressPostalCode": "00-123",
        "clientAddressCity": "Warszawa",
        "createdAt": iso(ACCEPTED_AT),
        "updatedAt": iso(ACCEPTED_AT + 3600),
    }


def activity_row(command: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """One row of ``POST /modules/activity``: a parameter write and who made it."""
    return {
        "id": command["task"],
        "devid": command["module"],
        "module_id": command["module_id"],
        "name": f"{command['pool']}.{command['cell']}",
        "unit": command.get("unit"),
        "value": command["value"],
        "prevValue": command["previous"],
        "state": "COMPLETED",
        "created_at": iso(command["at"]),
        "user": {"id": user["id"], "name": user["name"]},
        "user_id": user["id"],
    }
