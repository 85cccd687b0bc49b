"""Haystack and IANA time-zone names, and the zone objects, without blocking an event loop.

Haystack names a zone by the city part of its IANA name (``New_York`` for
``America/New_York``, ``GMT+5`` for ``Etc/GMT+5``). Users of this package write IANA names;
the wire carries Haystack names.

Two kinds of file access stand behind time zones: listing the tz database (to build the name
tables) and reading one zone's file (``ZoneInfo(key)``). The name tables are built once, when
this module is imported. Zone objects load on first use; :func:`load_zones` loads all of them
at once, and the client runs it in a worker thread before its first request, so decoding a
datetime on the event loop never touches the file system.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo
from typing import Final

from ace_skyspark_lib.exceptions import InvalidInputError

__all__ = [
    "haystack_name",
    "haystack_tz_name",
    "iana_name",
    "load_zones",
    "zone_for",
    "zones_loaded",
]

_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
    }
)


def _build_tables() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(Haystack name -> IANA name, IANA name -> Haystack name, every IANA name)."""
    available = frozenset(zoneinfo.available_timezones())
    to_iana: dict[str, str] = {"UTC": "Etc/UTC"}
    to_haystack: dict[str, str] = {"UTC": "UTC", "Etc/UTC": "UTC"}
    for iana in sorted(available):
        region, _, rest = iana.partition("/")
        if region not in _REGIONS or not rest:
            continue
        city = rest.rsplit("/", 1)[-1]
        to_haystack.setdefault(iana, city)
        to_iana.setdefault(city, iana)
    return to_iana, to_haystack, available


# Import time is the one moment a directory scan cannot stall anyone's event loop.
_TO_IANA, _TO_HAYSTACK, _AVAILABLE = _build_tables()
_ZONES: dict[str, zoneinfo.ZoneInfo] = {}
_loaded = False
UTC_NAME: Final = "UTC"


def iana_name(name: str) -> str:
    """The IANA name of a Haystack or IANA zone name (``New_York`` -> ``America/New_York``).

    IANA names are returned unchanged (``UTC`` stays ``UTC``). Raises
    :class:`~ace_skyspark_lib.exceptions.InvalidInputError` for a name that is neither.
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"a time zone name is a str, got {type(name).__name__}")
    if name in _AVAILABLE or name in _TO_HAYSTACK:
        return name
    iana = _TO_IANA.get(name)
    if iana is None:
        raise InvalidInputError(
            f"unknown time zone {name!r}: use an IANA name such as 'America/New_York' "
            "(or its Haystack name 'New_York')"
        )
    return iana


def haystack_name(name: str) -> str:
    """The Haystack name of an IANA or Haystack zone name (``America/New_York`` -> ``New_York``).

    Raises :class:`~ace_skyspark_lib.exceptions.InvalidInputError` for unknown names and for
    zones Haystack cannot name (legacy aliases such as ``US/Eastern``).
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"a time zone name is a str, got {type(name).__name__}")
    found = _TO_HAYSTACK.get(name)
    if found is not None:
        return found
    if name in _TO_IANA:
        return name
    if name in _AVAILABLE:
        raise InvalidInputError(
            f"time zone {name!r} has no Haystack name; use its canonical IANA name "
            "(e.g. 'America/New_York' instead of 'US/Eastern')"
        )
    raise InvalidInputError(
        f"unknown time zone {name!r}: use an IANA name such as 'America/New_York'"
    )


def zone_for(name: str) -> zoneinfo.ZoneInfo:
    """The :class:`~zoneinfo.ZoneInfo` of a Haystack (``New_York``) or IANA zone name.

    Raises :class:`~ace_skyspark_lib.exceptions.InvalidInputError` for a name that is neither.
    """
    zone = _ZONES.get(name)
    if zone is not None:
        return zone
    iana = _TO_IANA.get(name)
    if iana is None:
        if not isinstance(name, str) or ("/" not in name and name not in _AVAILABLE):
            raise InvalidInputError(
                f"unknown Haystack time zone {name!r} (expected e.g. 'New_York', 'UTC')"
            )
        iana = name
    try:
        zone = zoneinfo.ZoneInfo(iana)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidInputError(f"unknown time zone {name!r}") from exc
    _ZONES[name] = zone
    return zone


def load_zones() -> None:
    """Load every zone that has a Haystack name (blocking file reads: call it off the loop)."""
    global _loaded
    for iana, haystack in _TO_HAYSTACK.items():
        zone = zone_for(iana)
        _ZONES.setdefault(haystack, zone)
    _loaded = True


def zones_loaded() -> bool:
    """Whether :func:`load_zones` has run in this process."""
    return _loaded


def haystack_tz_name(tz: tzinfo | None) -> str:
    """The Haystack name of a ``tzinfo`` (``ZoneInfo('America/New_York')`` -> ``New_York``).

    Raises :class:`~ace_skyspark_lib.exceptions.InvalidInputError` for naive values and zones
    Haystack cannot name.
    """
    if tz is None:
        raise InvalidInputError("a Haystack datetime needs a time zone; got a naive datetime")
    if tz is UTC:
        return UTC_NAME
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        name = _TO_HAYSTACK.get(key)
        if name is not None:
            return name
        raise InvalidInputError(f"time zone {key!r} has no Haystack name")
    offset = tz.utcoffset(datetime(2000, 1, 1))
    if offset is not None and offset.total_seconds() == 0:
        return UTC_NAME
    if offset is not None and offset.total_seconds() % 3600 == 0:
        hours = int(offset.total_seconds() // 3600)
        # Etc/GMT signs are inverted: UTC-5 is GMT+5.
        return f"GMT{-hours:+d}"
    raise InvalidInputError(f"time zone {tz!r} has no Haystack name; use a zoneinfo.ZoneInfo")
