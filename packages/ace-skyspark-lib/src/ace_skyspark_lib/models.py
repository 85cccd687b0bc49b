"""Pydantic models of the records the client creates and reads: sites, equipment, points, history.

Each entity model converts to and from the Haystack dict the Zinc codec reads and writes
(:meth:`to_haystack` / :meth:`from_haystack`). Ids are plain strings without ``@``
(``p:demo:r:2a3b``); tags the model has no field for live in ``marker_tags`` (markers) and
``kv_tags`` (name -> value).

A model is also a read-only view of its record, the way the published client handed out
dicts: ``site["id"]["val"]`` is its id, ``site.get("refName")`` its refName, ``site["tz"]``
the Haystack zone name it is sent with.

Time zones are IANA names on the model (``America/New_York``; a Haystack name such as
``New_York`` is accepted and converted) and Haystack names on the wire.

A keyword a model does not have raises :class:`UnknownKeywordError` (a ``TypeError``) instead
of vanishing; other bad values raise pydantic's ``ValidationError`` naming the field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ace_skyspark_lib.exceptions import InvalidInputError, TagNotFoundError, UnknownKeywordError
from ace_skyspark_lib.kinds import Marker, Number, Ref, is_tag_name
from ace_skyspark_lib.timezones import haystack_name, iana_name

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
    """The IANA name of ``value``, checked to have a Haystack name too (no file access)."""
    try:
        iana = iana_name(value)
        haystack_name(iana)
    except InvalidInputError as exc:
        raise ValueError(str(exc)) from None
    return iana


def _refuse_unknown_keywords(model: type[BaseModel], data: Any, extra: frozenset[str]) -> None:
    if not isinstance(data, Mapping):
        return
    known = [*model.model_fields, *sorted(extra)]
    unknown = [key for key in data if key not in known]
    if not unknown:
        return
    key = unknown[0]
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    tags = " or marker_tags=[...]" if "kv_tags" in known else ""
    where = f"; other tags go in kv_tags={{...}}{tags}" if tags else ""
    raise UnknownKeywordError(
        f"{model.__name__}() got an unexpected keyword {key!r}{hint}; it takes "
        f"{', '.join(known)}{where}"
    )


class _Strict(BaseModel):
    """Refuses unknown keywords with :class:`UnknownKeywordError` instead of dropping them."""

    #: Keywords accepted besides the fields (converted by the model's own validator).
    extra_keywords: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _known_keywords(cls, data: Any) -> Any:
        _refuse_unknown_keywords(cls, data, cls.extra_keywords)
        return data


class Entity(_Strict):
    """What every Haystack record has: ``id``, ``dis``, ``refName``, ``mod`` and free tags."""

    model_config = ConfigDict(
        validate_assignment=True, arbitrary_types_allowed=True, extra="forbid"
    )

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

    def __getitem__(self, tag: str) -> Any:
        """The value of ``tag`` in the record as sent (``site["id"]["val"]`` is the id)."""
        tags = self.to_haystack()
        try:
            return tags[tag]
        except KeyError:
            raise TagNotFoundError(
                f"{type(self).__name__} {self.dis!r} has no tag {tag!r}; it has {', '.join(tags)}"
            ) from None

    def get(self, tag: str, default: Any = None) -> Any:
        """The value of ``tag`` in the record as sent, or ``default``."""
        return self.to_haystack().get(tag, default)

    def __contains__(self, tag: object) -> bool:
        return tag in self.to_haystack()

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
    """A building (``site`` marker).

    ``area`` is a Number (a plain number means square feet); ``area_sqft=`` sets it in
    square feet, and the ``area_sqft`` property reads it back as a float.
    """

    entity_marker: ClassVar[str] = "site"
    own_tags: ClassVar[frozenset[str]] = Entity.own_tags | {"tz", "area"}
    extra_keywords: ClassVar[frozenset[str]] = frozenset({"area_sqft"})

    tz: str = "UTC"
    area: Number | None = None

    @model_validator(mode="before")
    @classmethod
    def _area_sqft(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "area_sqft" in data:
            data = dict(data)
            sqft = data.pop("area_sqft")
            if data.get("area") is not None:
                raise ValueError("give area or area_sqft, not both")
            if sqft is not None:
                if isinstance(sqft, bool) or not isinstance(sqft, int | float):
                    raise ValueError(f"area_sqft is a number of square feet, got {sqft!r}")
                data["area"] = Number(float(sqft), "ft²")
        return data

    @property
    def area_sqft(self) -> float | None:
        """The area in square feet (``None`` when unset or in another unit)."""
        if self.area is None or self.area.unit not in (None, "ft²"):
            return None
        return self.area.val

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
        tags: dict[str, Any] = {"tz": haystack_name(self.tz)}
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
            "tz": haystack_name(self.tz),
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


class HistorySample(_Strict):
    """One timestamped value of one point; ``timestamp`` must carry a time zone.

    The client sends it in the point's own time zone, as SkySpark requires.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

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
