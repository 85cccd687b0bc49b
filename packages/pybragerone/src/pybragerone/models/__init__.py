"""Data models: REST answers (pydantic records) and parameter updates."""

from pybragerone.models.api import (
    BragerObject,
    CommandResult,
    Module,
    ModuleCard,
    ModuleGateway,
    ModulePage,
    ParameterSchema,
    User,
)
from pybragerone.models.param import ParamUpdate
from pybragerone.models.record import Record

__all__ = [
    "BragerObject",
    "CommandResult",
    "Module",
    "ModuleCard",
    "ModuleGateway",
    "ModulePage",
    "ParamUpdate",
    "ParameterSchema",
    "Record",
    "User",
]
