"""Pydantic models of the REST answers (unknown fields are kept, not rejected)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BragerObject", "CommandResult", "Module", "User"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class User(_Model):
    """The logged-in user (``GET /user``)."""

    id: int
    name: str | None = None
    email: str | None = None
    language: str | None = None


class BragerObject(_Model):
    """An installation (``GET /objects``) grouping the modules of one place."""

    id: int
    name: str = ""


class Module(_Model):
    """A controller module (``GET /modules``); ``devid`` addresses it in every other call."""

    id: int
    devid: str
    code: str | None = None
    name: str = ""
    group_id: int | None = None
    connected_at: int | None = Field(default=None, alias="connectedAt")
    gateway: dict[str, Any] | None = None

    @property
    def online(self) -> bool:
        """``connectedAt: 0`` means the module is offline."""
        return bool(self.connected_at)


class CommandResult(_Model):
    """The answer to a module command (a parameter write)."""

    status: str = "OK"
    task_id: int | None = Field(default=None, alias="taskId")
