"""Pydantic models of the records the client creates and reads: sites, equipment, points, history.

Each entity model converts to and from the Haystack dict the Zinc codec reads and writes
(:meth:`to_haystack` / :meth:`from_haystack`). Ids are plain strings without ``@``
(``p:demo:r:2a3b``); tags the model has no field for live in ``marker_tags`` (markers) and
``kv_tags`` (name -> value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ace_skyspark_lib.exceptions import InvalidInputError
from ace_skyspark_lib.kinds import Marker, Number, Ref, is_tag_name, zone_for

__all__ = [
    "Entity",
    "Equipment",
    "HistorySample",
    "HistorySeries",
    "Point",
    "Site",
    "WriteResult",
]

_REF_ID = re.compile(r"@?[A-Za-z0-9_:\-.~]+\Z")


def _ref_id(value: Any, field_name: str) -> str:
    if isinstance(value, Ref):
        return value.id
    if not isinstance(value, str) or not _REF_ID.match(value):
        raise ValueError(f"{field_name} must be a ref id such as 'p:demo:r:1', got {value!r}")
    return value.removeprefix("@")


def _check_tz(value: str) -> str:
    try:
        zone_for(value)
    except ValueError as exc:
        raise ValueError(
            f"unknown time zone {value!r}: use a Haystack name like 'New_York'"
        ) from exc
    return value


class Entity(BaseModel):
    """What every Haystack record has: ``id``, ``dis``, ``refName``, ``mod`` and free tags."""

    model_config = ConfigDict(validate_assignment=True, arbitrary_types_allowed=True)

    entity_marker: ClassVar[str] = ""
    #: Tags the model owns; everything else goes to marker_tags / kv_tags.
    own_tags: ClassVar[frozenset[str]] = frozenset({"id", "dis", "refName", "mod"})

    id: str | None = None
    dis: str
    refName: str | None = None
    marker_tags: list[str] = Field(default_factory=list)
    kv_tags: dict[str, Any] = Field(default_factory=dict)
    mod: datetime | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _check_id(cls, value: Any) -> Any:
        return None if value is None else _ref_id(value, "id")

    @field_validator("marker_tags")
    @classmethod
    def _check_markers(cls, value: list[str]) -> list[str]:
        for name in value:
            if not is_tag_name(name):
                raise ValueError(f"invalid marker tag {name!r}: lowercase letter or '_' first")
        return list(dict.fromkeys(value))

    @field_validator("kv_tags")
    @classmethod
    def _check_kv(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not is_tag_name(name):
                raise ValueError(f"invalid tag name {name!r}: lowercase letter or '_' first")
        return value

    @property
    def ref(self) -> Ref:
        """The id of this record as a :class:`Ref` (raises if it has not been created yet)."""
        if self.id is None:
            raise InvalidInputError(f"{type(self).__name__} {self.dis!r} has no id yet")
        return Ref(self.id, self.dis)

    def _own_haystack(self) -> dict[str, Any]:
        return {}

    def to_haystack(self) -> dict[str, Any]:
        """The Haystack dict of this record (ids as :class:`Ref`, markers as ``Marker``)."""
        tags: dict[str, Any] = {}
        if self.id is not None:
            tags["id"] = Ref(self.id)
        tags["dis"] = self.dis
        if self.entity_marker:
            tags[self.entity_marker] = Marker
        if self.refName is not None:
            tags["refName"] = self.refName
        tags.update(self._own_haystack())
        for name in self.marker_tags:
            tags[name] = Marker
        tags.update(self.kv_tags)
        if self.mod is not None:
            tags["mod"] = self.mod
        return tags

    @classmethod
    def _own_fields(cls, tags: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    @classmethod
    def from_haystack(cls, tags: Mapping[str, Any]) -> Self:
        """Build the model from a Haystack dict (as returned by ``read``)."""
        fields: dict[str, Any] = {
            "id": tags.get("id"),
            "dis": tags.get("dis") or tags.get("navName") or str(tags.get("id", "")),
            "refName": tags.get("refName"),
            "mod": tags.get("mod"),
        }
        fields.update(cls._own_fields(tags))
        owned = cls.own_tags | {cls.entity_marker}
        fields["marker_tags"] = [k for k, v in tags.items() if v is Marker and k not in owned]
        fields["kv_tags"] = {
            k: v for k, v in tags.items() if v is not Marker and v is not None and k not in owned
        }
        return cls.model_validate(fields)


class Site(Entity):
    """A building (``site`` marker)."""

    entity_marker: ClassVar[str] = "site"
    own_tags: ClassVar[frozenset[str]] = Entity.own_tags | {"tz", "area"}

    tz: str = "UTC"
    area: Number | None = None

    @field_validator("tz")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_tz(value)

    @field_validator("area", mode="before")
    @classmethod
    def _area(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Number(float(value), "ft²")
        return value

    def _own_haystack(self) -> dict[str, Any]:
        tags: dict[str, Any] = {"tz": self.tz}
        if self.area is not None:
            tags["area"] = self.area
        return tags

    @classmethod
    def _own_fields(cls, tags: Mapping[str, Any]) -> dict[str, Any]:
        return {"tz": tags.get("tz", "UTC"), "area": tags.get("area")}


class Equipment(Entity):
    """A piece of equipment (``equip`` marker), such as an AHU, on a site."""

    entity_marker: ClassVar[str] = "equip"
    own_tags: ClassVar[frozenset[str]] = Entity.own_tags | {"siteRef", "equipRef"}

    site_ref: str
    equip_ref: str | None = None

    @field_validator("site_ref", mode="before")
    @classmethod
    def _site(cls, value: Any) -> str:
        return _ref_id(value, "site_ref")

    @field_validator("equip_ref", mode="before")
    @classmethod
    def _parent(cls, value: Any) -> str | None:
        return None if value is None else _ref_id(value, "equip_ref")

    def _own_haystack(self) -> dict[str, Any]:
        tags: dict[str, Any] = {"siteRef": Ref(self.site_ref)}
        if self.equip_ref is not None:
            tags["equipRef"] = Ref(self.equip_ref)
        return tags

    @classmethod
    def _own_fields(cls, tags: Mapping[str, Any]) -> dict[str, Any]:
        return {"site_ref": tags.get("siteRef"), "equip_ref": tags.get("equipRef")}


class Point(Entity):
    """A sensor, command or setpoint (``point`` marker) with history when ``his`` is set."""

    entity_marker: ClassVar[str] = "point"
    own_tags: ClassVar[frozenset[str]] = Entity.own_tags | {
        "siteRef",
        "equipRef",
        "kind",
        "unit",
        "tz",
        "his",
    }

    site_ref: str
    equip_ref: str
    kind: Literal["Number", "Bool", "Str"] = "Number"
    unit: str | None = None
    tz: str = "UTC"
    his: bool = True

    @field_validator("site_ref", "equip_ref", mode="before")
    @classmethod
    def _refs(cls, value: Any, info: Any) -> str:
        return _ref_id(value, info.field_name)

    @field_validator("tz")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_tz(value)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        if value is not None:
            Number(0.0, value)  # raises ValueError naming the bad unit
        return value

    def _own_haystack(self) -> dict[str, Any]:
        tags: dict[str, Any] = {
            "siteRef": Ref(self.site_ref),
            "equipRef": Ref(self.equip_ref),
            "kind": self.kind,
            "tz": self.tz,
        }
        if self.unit is not None:
            tags["unit"] = self.unit
        if self.his:
            tags["his"] = Marker
        return tags

    @classmethod
    def _own_fields(cls, tags: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "site_ref": tags.get("siteRef"),
            "equip_ref": tags.get("equipRef"),
            "kind": tags.get("kind", "Number"),
            "unit": tags.get("unit"),
            "tz": tags.get("tz", "UTC"),
            "his": tags.get("his") is Marker,
        }


class HistorySample(BaseModel):
    """One timestamped value of one point; ``timestamp`` must carry a time zone."""

    model_config = ConfigDict(frozen=True)

    point_id: str
    timestamp: AwareDatetime
    value: bool | float | str
    unit: str | None = None

    @field_validator("point_id", mode="before")
    @classmethod
    def _point(cls, value: Any) -> str:
        return _ref_id(value, "point_id")

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        return value.val if isinstance(value, Number) else value

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        if value is not None:
            Number(0.0, value)
        return value


class HistorySeries(BaseModel):
    """The history of one point over a range, oldest first."""

    point_id: str
    samples: list[HistorySample] = Field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None

    def __len__(self) -> int:
        return len(self.samples)


class WriteResult(BaseModel):
    """The outcome of one history write request.

    When ``success`` is false, ``error`` says why and ``failed_samples`` holds every sample of
    the request, none of which is known to be stored: write them again (rewriting a sample the
    server did store replaces it with the same value).
    """

    success: bool
    samples_written: int
    error: str | None = None
    failed_samples: list[HistorySample] = Field(default_factory=list)
