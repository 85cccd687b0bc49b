"""Data models: REST answers (pydantic) and parameter updates."""

from pybragerone.models.api import BragerObject, CommandResult, Module, User
from pybragerone.models.param import ParamUpdate

__all__ = ["BragerObject", "CommandResult", "Module", "ParamUpdate", "User"]
