"""The records and histories of one simulated SkySpark project."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ace_skyspark_lib.filter import Filter, parse_filter
from ace_skyspark_lib.kinds import NA, Marker, Number, Ref, Remove
from ace_skyspark_lib.timezones import haystack_name, haystack_tz_name, zone_for
from ace_skyspark_lib.zinc import dumps_value, loads_value
from shared_testing.skyspark.evaluator import matches

__all__ = ["History", "OpError", "Project", "parse_range"]


class OpError(Exception):
    """An op failed; the server answers with an error grid carrying this message."""

    def __init__(self, message: str, err_type: str = "sys::Err") -> None:
        super().__init__(message)
        self.message = message
        self.err_type = err_type


def _utc_now() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class History(MutableMapping[datetime, Any]):
    """One point's history: timestamp -> value, one sample per instant, as SkySpark keeps it.

    A dict keyed by the datetimes themselves would merge the two samples of a DST fall-back
    hour: 01:30 EDT and 01:30 EST are equal (and hash alike) as datetimes of one zone. The
    second one (``fold=1``) is keyed ``(timestamp, 1)`` apart; iterating gives the timestamps
    as they were written.
    """

    def __init__(self) -> None:
        self._values: dict[datetime | tuple[datetime, int], Any] = {}
        self._folded = False

    @staticmethod
    def _key(ts: datetime) -> datetime | tuple[datetime, int]:
        if ts.fold and ts.utcoffset() != ts.replace(fold=0).utcoffset():
            return (ts, 1)
        return ts

    def __getitem__(self, ts: datetime) -> Any:
        return self._values[self._key(ts)]

    def __setitem__(self, ts: datetime, value: Any) -> None:
        self.put([(ts, value)])

    def __delitem__(self, ts: datetime) -> None:
        del self._values[self._key(ts)]

    def __iter__(self) -> Iterator[datetime]:
        return (key[0] if isinstance(key, tuple) else key for key in self._values)

    def __len__(self) -> int:
        return len(self._values)

    def put(self, items: Iterable[tuple[datetime, Any]]) -> None:
        """Store (timestamp, value) pairs; a sample at an instant already held replaces it."""
        values, key_of = self._values, self._key
        for ts, value in items:
            key = key_of(ts) if ts.fold else ts
            if key is not ts:
                self._folded = True
            values[key] = value

    def oldest_first(self) -> list[tuple[datetime, Any]]:
        """(timestamp, value) pairs in time order."""
        pairs = [(key[0] if isinstance(key, tuple) else key, v) for key, v in self._values.items()]
        if self._folded:  # local times of a repeated hour sort by wall clock: sort by instant
            pairs.sort(key=lambda pair: pair[0].astimezone(timezone.utc))
        else:
            pairs.sort(key=lambda pair: pair[0])
        return pairs


@dataclass
class Project:
    """One project: records by id and, per point, its :class:`History`."""

    name: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, History] = field(default_factory=dict)
    last_mod: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=timezone.utc))

    # -- records --------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A fresh id in SkySpark style (``p:demo:r:1f2e...``)."""
        while True:
            candidate = f"p:{self.name}:r:{secrets.token_hex(8)}"
            if candidate not in self.records:
                return candidate

    def _next_mod(self) -> datetime:
        now = _utc_now().astimezone(zone_for("UTC"))
        if now <= self.last_mod:
            now = self.last_mod + timedelta(milliseconds=1)
        self.last_mod = now
        return now

    def get(self, record_id: str) -> dict[str, Any] | None:
        """The record with this id (without ``@``)."""
        return self.records.get(record_id)

    def view(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as sent to clients: ``id`` carries its display name."""
        out = dict(record)
        out["id"] = Ref(record["id"].id, record.get("dis"))
        return out

    def read(self, filter_text: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Records matching a Haystack filter."""
        try:
            node = parse_filter(filter_text)
        except ValueError as exc:
            raise OpError(str(exc), "haystack::FilterErr") from exc
        return self.read_node(node, limit)

    def read_node(self, node: Filter, limit: int | None = None) -> list[dict[str, Any]]:
        """Records matching a parsed filter."""
        found: list[dict[str, Any]] = []
        for record in self.records.values():
            if matches(node, record, self.records.get):
                found.append(self.view(record))
                if limit is not None and len(found) >= limit:
                    break
        return found

    def _check(self, row: dict[str, Any], force: bool) -> dict[str, Any]:
        ref = row.get("id")
        if not isinstance(ref, Ref):
            raise OpError("commit row needs an id")
        record = self.records.get(ref.id)
        if record is None:
            raise OpError(f"Rec not found: @{ref.id}", "haystack::UnknownRecErr")
        if not force and row.get("mod") != record["mod"]:
            raise OpError(
                f"Rec modified since read (stale mod): @{ref.id}", "sys::ConcurrentChangeErr"
            )
        return record

    def commit(self, action: str, rows: list[dict[str, Any]], force: bool) -> list[dict[str, Any]]:
        """Apply an ``add``/``update``/``remove`` commit atomically."""
        if action == "add":
            ready = []
            for row in rows:
                tags = {k: v for k, v in row.items() if v is not None and v is not Remove}
                ref = tags.pop("id", None)
                if ref is not None and (not isinstance(ref, Ref) or ref.id in self.records):
                    raise OpError(f"id already used: {ref}")
                tags.pop("mod", None)
                ready.append((ref.id if isinstance(ref, Ref) else self.new_id(), tags))
            out = []
            for record_id, tags in ready:
                record = {"id": Ref(record_id), **tags, "mod": self._next_mod()}
                self.records[record_id] = record
                out.append(self.view(record))
            return out
        if action == "update":
            checked = [(self._check(row, force), row) for row in rows]
            out = []
            for record, row in checked:
                for key, value in row.items():
                    if key in ("id", "mod") or value is None:
                        continue
                    if value is Remove:
                        record.pop(key, None)
                    else:
                        record[key] = value
                record["mod"] = self._next_mod()
                out.append(self.view(record))
            return out
        if action == "remove":
            checked = [(self._check(row, force), row) for row in rows]
            for record, _ in checked:
                del self.records[record["id"].id]
                self.history.pop(record["id"].id, None)
            return [{"id": record["id"]} for record, _ in checked]
        raise OpError(f"unknown commit mode {action!r}: use add, update or remove")

    # -- history --------------------------------------------------------------------------------

    def his_point(self, record_id: str) -> dict[str, Any]:
        """The point record behind a history op, checked as SkySpark checks it."""
        record = self.records.get(record_id)
        if record is None:
            raise OpError(f"Rec not found: @{record_id}", "haystack::UnknownRecErr")
        for tag in ("point", "his"):
            if record.get(tag) is not Marker:
                raise _rec_error(record, f"Rec missing '{tag}' tag", "HisConfigErr")
        tz = record.get("tz")
        if not isinstance(tz, str):
            message = "Missing 'tz' tag" if tz is None else f"Invalid type for 'tz' tag: {tz!r}"
            raise _rec_error(record, message, "HisConfigErr")
        try:
            zone_for(tz)
        except ValueError:
            raise _rec_error(record, f"Invalid 'tz' tag: {tz}", "HisConfigErr") from None
        kind = record.get("kind")
        if kind not in _HIS_KINDS:
            message = "Missing 'kind' tag" if kind is None else f"Invalid 'kind' tag: {kind}"
            raise _rec_error(record, message, "HisConfigErr")
        return record

    def his_write(self, record_id: str, items: Iterable[tuple[Any, Any]]) -> int:
        """Store samples; a timestamp already present is replaced (never duplicated).

        As SkySpark, refuses (all or nothing) timestamps in another zone than the point's,
        values of another kind, units other than the point's and years before 1950; no
        conversion is ever made.
        """
        point = self.his_point(record_id)
        tz = str(point["tz"])
        zone = zone_for(tz)
        kind = point["kind"]
        unit = point.get("unit")
        accepted: list[tuple[datetime, Any]] = []
        for ts, value in items:
            if not isinstance(ts, datetime):
                raise OpError(f"Timestamp value is not DateTime: {ts!r}")
            if getattr(ts.tzinfo, "key", None) != zone.key:
                raise _rec_error(
                    point,
                    f'Mismatched timezone, rec tz "{haystack_name(tz)}" != item tz '
                    f'"{_zone_name(ts)}"',
                    "HisWriteErr",
                )
            if ts.year < 1950:
                raise _rec_error(
                    point, f"Timestamps before 1950 not supported: {ts.isoformat()}", "HisWriteErr"
                )
            if value is not NA and not isinstance(value, _HIS_KINDS[kind]):
                raise _rec_error(
                    point,
                    f'Mismatched value type, rec kind "{kind}" != item type "{_type_name(value)}"',
                    "HisWriteErr",
                )
            if isinstance(value, Number) and value.unit is not None and value.unit != unit:
                raise _rec_error(
                    point,
                    f"Mismatched unit, rec unit '{unit}' != item unit '{value.unit}'",
                    "HisWriteErr",
                )
            accepted.append((ts, value))
        store = self.history.get(record_id)
        if store is None:
            store = self.history[record_id] = History()
        store.put(accepted)
        return len(accepted)

    def his_read(self, record_id: str, start: datetime, end: datetime | None) -> Iterator[Any]:
        """(ts, value) in [start, end), oldest first."""
        point = self.his_point(record_id)
        unit = point.get("unit")
        data = self.history.get(record_id)
        for ts, value in data.oldest_first() if data is not None else []:
            if ts < start or (end is not None and ts >= end):
                continue
            if isinstance(value, Number) and value.unit is None and unit is not None:
                value = Number(value.val, str(unit))
            yield ts, value


_HIS_KINDS: dict[Any, type | tuple[type, ...]] = {"Number": Number, "Bool": bool, "Str": str}
_FANTOM_TYPES = {bool: "sys::Bool", str: "sys::Str", Number: "haystack::Number"}


def _type_name(value: Any) -> str:
    return _FANTOM_TYPES.get(type(value), f"sys::{type(value).__name__}")


def _zone_name(ts: datetime) -> str:
    try:
        return haystack_tz_name(ts.tzinfo)
    except ValueError:
        return str(ts.tzinfo)


def _rec_error(record: dict[str, Any], message: str, kind: str) -> OpError:
    """A folio RecErr: the message ends with the record's id in Zinc (``[@id "dis"]``)."""
    ref = Ref(record["id"].id, record.get("dis"))
    return OpError(f"{message} [{dumps_value(ref)}]", f"folio::{kind}")


def parse_range(
    text: str, tz_name: str, now: datetime | None = None
) -> tuple[datetime, datetime | None]:
    """A hisRead range as [start, end) in the point's time zone (``end`` None: open)."""
    zone = zone_for(tz_name)
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()

    def midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=zone)

    raw = text.strip().strip('"')
    if raw == "today":
        return midnight(today), midnight(today + timedelta(days=1))
    if raw == "yesterday":
        return midnight(today - timedelta(days=1)), midnight(today)
    parts = [p.strip() for p in raw.split(",")] if "," in raw else [raw]
    try:
        values = [loads_value(p) for p in parts]
    except ValueError as exc:
        raise OpError(f"invalid range {text!r}: {exc}") from exc
    if len(values) == 1:
        (one,) = values
        if isinstance(one, datetime):
            return one, None
        if isinstance(one, date):
            return midnight(one), midnight(one + timedelta(days=1))
    if len(values) == 2:
        first, second = values
        if isinstance(first, datetime) and isinstance(second, datetime):
            if getattr(first.tzinfo, "key", None) != getattr(second.tzinfo, "key", None):
                raise OpError(f"invalid range {text!r}: Mismatched tz of start and end")
            return first, second
        if isinstance(first, date) and isinstance(second, date):
            return midnight(first), midnight(second + timedelta(days=1))
    raise OpError(
        f"invalid range {text!r}: use today, yesterday, a date, 'date,date', "
        "'dateTime,dateTime' or one dateTime"
    )
