"""Pydantic models of the REST answers, each also indexable like the cloud's JSON record.

Attributes are snake_case (``module.connected_at``); indexing takes the cloud's own keys
(``module["connectedAt"]``) as the pybragerone README does. Fields the cloud adds later are kept
(``extra="allow"``), never rejected, and every field but the identifiers has a default, so a
thinner or newer server still validates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from pybragerone.models.record import Record

__all__ = [
    "BragerObject",
    "CommandResult",
    "Module",
    "ModuleCard",
    "ModuleGateway",
    "ModulePage",
    "ParameterSchema",
    "User",
]


class BragerObject(Record):
    """An object (installation, ``GET /objects``) grouping the modules of one place."""

    id: int
    name: str = ""
    address_country: str | None = Field(default=None, alias="addressCountry")
    address_city: str | None = Field(default=None, alias="addressCity")
    address_post_code: str | None = Field(default=None, alias="addressPostCode")
    address_street: str | None = Field(default=None, alias="addressStreet")
    address_house_number: str | None = Field(default=None, alias="addressHouseNumber")


class User(Record):
    """The logged-in user (``GET /user``), with the objects the account may see.

    ``objects`` is not part of the cloud's ``/user`` answer: :meth:`BragerApiClient.get_user`
    fills it from ``GET /objects``, so ``user["objects"][0]["id"]`` works.
    """

    id: int
    name: str | None = None
    email: str | None = None
    language: str | None = None
    allow_email_type_informations: bool | None = None
    allow_email_type_alarms: bool | None = None
    allow_email_type_marketing: bool | None = None
    allow_email_type_warnings: bool | None = None
    activated_at: datetime | None = None
    show_rate_us_modal: bool | None = None
    objects: list[BragerObject] = Field(default_factory=list)


class ModuleGateway(Record):
    """The network side of a module: address, interface (``wifi``, ...) and firmware."""

    address: str = ""
    interface: str = ""
    version: str = ""

    @field_validator("address", "interface", "version", mode="before")
    @classmethod
    def _none_as_empty(cls, value: Any) -> Any:
        return "" if value is None else value  # the cloud sends null when it does not know


class ParameterSchema(Record):
    """One parameter schema a module declares (``parameterSchemas``)."""

    id: int
    name: str = ""
    value: dict[str, Any] = Field(default_factory=dict)


class Module(Record):
    """A controller module (``GET /modules``); ``devid`` addresses it in every other call."""

    id: int
    devid: str
    code: str | None = None
    name: str = ""
    group_id: int | None = None
    connected_at: int | None = Field(default=None, alias="connectedAt")
    accepted_at: int | None = Field(default=None, alias="acceptedAt")
    gateway: ModuleGateway | None = None
    device_menu: int | None = Field(default=None, alias="deviceMenu")
    device_language_variant: int | None = Field(default=None, alias="deviceLanguageVariant")
    devices: list[dict[str, Any]] = Field(default_factory=list)
    services: list[Any] = Field(default_factory=list)
    permissions: list[str] = Field(default_factory=list)
    module_alarms: int | None = Field(default=None, alias="moduleAlarms")
    parameter_schemas: list[ParameterSchema] = Field(default_factory=list, alias="parameterSchemas")
    module_address: str = Field(default="", alias="moduleAddress")
    module_interface: str = Field(default="", alias="moduleInterface")
    module_version: str = Field(default="", alias="moduleVersion")
    module_services: list[Any] = Field(default_factory=list, alias="moduleServices")
    module_title: str = Field(default="", alias="moduleTitle")
    is_accepted_at: datetime | None = Field(default=None, alias="isAcceptedAt")
    is_connected_at: datetime | None = Field(default=None, alias="isConnectedAt")

    @field_validator("module_address", "module_interface", "module_version", mode="before")
    @classmethod
    def _none_as_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def online(self) -> bool:
        """``connectedAt: 0`` (or null) means the module is offline."""
        return bool(self.connected_at)


class ModulePage(Record):
    """One page of ``GET /modules``: ``data`` holds the module records."""

    data: list[Module]


class ModuleCard(Record):
    """The installer's card of a module's client (``GET /modules/{devid}/card``)."""

    id: int
    module_id: int | None = Field(default=None, alias="moduleId")
    client_full_name: str = Field(default="", alias="clientFullName")
    client_phone_number: str = Field(default="", alias="clientPhoneNumber")
    client_address_street_and_number: str = Field(default="", alias="clientAddressStreetAndNumber")
    client_address_postal_code: str = Field(default="", alias="clientAddressPostalCode")
    client_address_city: str = Field(default="", alias="clientAddressCity")
    created_at: datetime | None = Field(default=None, alias="createdAt")
    updated_at: datetime | None = Field(default=None, alias="updatedAt")


class CommandResult(Record):
    """The answer to a module command (a parameter write)."""

    status: str = "OK"
    task_id: int | None = Field(default=None, alias="taskId")
