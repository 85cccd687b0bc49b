"""Project Haystack value types, and the mapping between Haystack and IANA time-zone names.

Haystack scalars that Python already has are Python values: ``None`` (null), ``bool``, ``str``,
:class:`datetime.date`, :class:`datetime.time` and timezone-aware :class:`datetime.datetime`
(whose ``tzinfo`` is a :class:`zoneinfo.ZoneInfo`). Lists are ``list`` and dicts ``dict``.
The rest are the small immutable classes of this module.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from ace_skyspark_lib.exceptions import InvalidInputError, TagNotFoundError
from ace_skyspark_lib.timezones import haystack_tz_name, zone_for

__all__ = [
    "NA",
    "Coord",
    "Grid",
    "HaysonKeys",
    "Marker",
    "MarkerType",
    "NAType",
    "Number",
    "Ref",
    "Remove",
    "RemoveType",
    "Symbol",
    "Uri",
    "XStr",
    "haystack_tz_name",
    "is_tag_name",
    "zone_for",
]


class HaysonKeys:
    """``value["val"]``-style access, as in Haystack 4 JSON (Hayson) objects.

    The published client handed out Hayson dicts (``row["id"]["val"]``); these kinds answer the
    same keys: ``"_kind"`` and the Hayson keys of the kind (``Ref``: ``val`` is the id and
    ``dis``; ``Number``: ``val`` and ``unit``; ...). Attribute access stays the typed way.
    """

    __slots__ = ()
    #: Hayson ``_kind`` of the type.
    hayson_kind: ClassVar[str] = ""
    #: Hayson key -> attribute name.
    hayson_keys: ClassVar[dict[str, str]] = {}

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str):
            raise TypeError(f"{type(self).__name__} keys are Hayson names such as 'val'")
        if key == "_kind":
            return self.hayson_kind
        attribute = self.hayson_keys.get(key)
        if attribute is None:
            known = ", ".join(repr(k) for k in ("_kind", *self.hayson_keys))
            raise TagNotFoundError(f"{type(self).__name__} has no key {key!r}; it has {known}")
        return getattr(self, attribute)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]``, or ``default`` for a key the kind does not have (or that is null)."""
        try:
            value = self[key]
        except (TagNotFoundError, TypeError):
            return default
        return default if value is None else value


class _Singleton(HaysonKeys):
    """Base of the valueless Haystack kinds: one instance each, compared by identity."""

    __slots__ = ()

    def __repr__(self) -> str:
        return type(self).__name__.removesuffix("Type")

    def __reduce__(self) -> str:
        return self.__repr__()


class MarkerType(_Singleton):
    """The type of :data:`Marker`: a tag that is present and carries no value."""

    __slots__ = ()
    hayson_kind = "marker"


class NAType(_Singleton):
    """The type of :data:`NA`: a value that is not available."""

    __slots__ = ()
    hayson_kind = "na"


class RemoveType(_Singleton):
    """The type of :data:`Remove`: asks a commit to delete a tag."""

    __slots__ = ()
    hayson_kind = "remove"


Marker: Final = MarkerType()
NA: Final = NAType()
Remove: Final = RemoveType()

_REF_ID = re.compile(r"[A-Za-z0-9_:\-.~]+\Z")
_TAG_NAME = re.compile(r"[a-z_][A-Za-z0-9_]*\Z")
_XSTR_TYPE = re.compile(r"[A-Z][A-Za-z0-9_]*\Z")
_UNIT = re.compile(r"[A-Za-z%_/$\u0080-\U0010ffff]+\Z")
_UNITS_SEEN: set[str] = set()


def _need_str(value: object, what: str) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} is a str, got {type(value).__name__}")


def is_tag_name(name: str) -> bool:
    """Whether ``name`` is a valid Haystack tag name (lowercase or ``_`` first)."""
    return _TAG_NAME.match(name) is not None


class Ref(HaysonKeys):
    """A reference to an entity: ``@p:demo:r:1 "Building A"``.

    Two refs are equal when their ids are; the display name is informative only.
    ``ref["val"]`` is the id and ``ref["dis"]`` the display name, as in Haystack JSON.
    """

    __slots__ = ("dis", "id")
    hayson_kind = "ref"
    hayson_keys: ClassVar[dict[str, str]] = {"val": "id", "dis": "dis"}

    id: str
    dis: str | None

    def __init__(self, id: str, dis: str | None = None) -> None:
        if not isinstance(id, str):
            raise InvalidInputError(f"a ref id is a str, got {type(id).__name__}")
        if id.startswith("@"):
            id = id[1:]
        if not _REF_ID.match(id):
            raise InvalidInputError(f"invalid ref id {id!r}: use only a-z A-Z 0-9 _ : - . ~")
        if dis is not None:
            _need_str(dis, "a Ref's display name")
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "dis", dis)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Ref is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("Ref", self.id))

    def __repr__(self) -> str:
        return f"Ref({self.id!r})" if self.dis is None else f"Ref({self.id!r}, {self.dis!r})"

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class Number(HaysonKeys):
    """A number with an optional unit (``72.5°F``); ``NaN`` equals ``NaN`` here."""

    hayson_kind: ClassVar[str] = "number"
    hayson_keys: ClassVar[dict[str, str]] = {"val": "val", "unit": "unit"}
    val: float
    unit: str | None = None

    def __post_init__(self) -> None:
        val: object = self.val
        if not isinstance(val, float):
            if isinstance(val, bool | str | bytes):
                raise InvalidInputError(f"a Number's value is a number, got {val!r}")
            try:
                object.__setattr__(self, "val", float(val))  # type: ignore[arg-type]
            except OverflowError:
                raise InvalidInputError("number too large for a float (beyond 1.8e308)") from None
            except (TypeError, ValueError):
                raise InvalidInputError(f"a Number's value is a number, got {val!r}") from None
        unit = self.unit
        if unit is not None and unit not in _UNITS_SEEN:
            if not isinstance(unit, str) or not _UNIT.match(unit):
                raise InvalidInputError(
                    f"invalid unit {unit!r}: letters, % _ / $ or non-ASCII only"
                )
            if len(_UNITS_SEEN) < 4096:  # units are few; the cache only skips the regex
                _UNITS_SEEN.add(unit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Number):
            return NotImplemented
        if self.unit != other.unit:
            return False
        return self.val == other.val or (math.isnan(self.val) and math.isnan(other.val))

    def __hash__(self) -> int:
        return hash(("Number", None if math.isnan(self.val) else self.val, self.unit))

    def __float__(self) -> float:
        return self.val

    def __str__(self) -> str:
        return f"{self.val:g}{self.unit or ''}"


@dataclass(frozen=True, slots=True)
class Uri(HaysonKeys):
    """A URI: `` `http://example.com` ``."""

    hayson_kind: ClassVar[str] = "uri"
    hayson_keys: ClassVar[dict[str, str]] = {"val": "val"}
    val: str

    def __post_init__(self) -> None:
        _need_str(self.val, "a Uri's value")


@dataclass(frozen=True, slots=True)
class Symbol(HaysonKeys):
    """A symbol naming a def: ``^elec-meter``."""

    hayson_kind: ClassVar[str] = "symbol"
    hayson_keys: ClassVar[dict[str, str]] = {"val": "val"}
    val: str

    def __post_init__(self) -> None:
        _need_str(self.val, "a Symbol's name")


@dataclass(frozen=True, slots=True)
class Coord(HaysonKeys):
    """A geographic coordinate in decimal degrees: ``C(37.55,-77.45)``."""

    hayson_kind: ClassVar[str] = "coord"
    hayson_keys: ClassVar[dict[str, str]] = {"lat": "lat", "lng": "lng"}
    lat: float
    lng: float

    def __post_init__(self) -> None:
        for value in (self.lat, self.lng):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(f"a Coord holds decimal degrees, got {value!r}")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lng <= 180.0):
            raise InvalidInputError(f"coordinate out of range: lat={self.lat} lng={self.lng}")


@dataclass(frozen=True, slots=True)
class XStr(HaysonKeys):
    """A value of a type Zinc has no syntax for: ``Span("today")``, ``Bin("text/plain")``."""

    hayson_kind: ClassVar[str] = "xstr"
    hayson_keys: ClassVar[dict[str, str]] = {"type": "type", "val": "val"}
    type: str
    val: str

    def __post_init__(self) -> None:
        _need_str(self.type, "an XStr's type")
        _need_str(self.val, "an XStr's value")
        if not _XSTR_TYPE.match(self.type):
            raise InvalidInputError(
                f"invalid XStr type {self.type!r}: must start with an uppercase letter"
            )


def _strip_nulls(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


@dataclass(eq=False, slots=True)
class Grid:
    """A Haystack grid: grid meta, ordered columns (each with its own meta) and rows.

    Rows are dicts from column name to value; a missing key and ``None`` both mean null.
    """

    meta: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    version: str = "3.0"

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> Grid:
        """A grid whose columns are every key of ``rows``, in first-seen order."""
        columns: dict[str, dict[str, Any]] = {}
        for row in rows:
            for key in row:
                if key not in columns:
                    columns[key] = {}
        return cls(meta=dict(meta or {}), columns=columns, rows=rows)

    @property
    def is_error(self) -> bool:
        """Whether this is an error grid (grid meta carries the ``err`` marker)."""
        return self.meta.get("err") is Marker

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grid):
            return NotImplemented
        return (
            self.meta == other.meta
            and list(self.columns.items()) == list(other.columns.items())
            and len(self.rows) == len(other.rows)
            and all(
                _strip_nulls(a) == _strip_nulls(b)
                for a, b in zip(self.rows, other.rows, strict=True)
            )
        )

    def __len__(self) -> int:
        return len(self.rows)
