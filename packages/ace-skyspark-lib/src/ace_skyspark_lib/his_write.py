"""The Zinc body of a ``hisWrite`` request, written straight from history samples.

A history write is the client's bulk path (``write_history_chunked`` of millions of samples),
so its grid is not built as :class:`~ace_skyspark_lib.kinds.Grid` rows of
:class:`~ace_skyspark_lib.kinds.Number` values first: each sample's cell text is written
directly, and each timestamp is formatted once for its row. The text is exactly what
:func:`ace_skyspark_lib.zinc.dumps` writes for the same grid. No I/O.

The grid has two forms. One point: the classic form every Haystack server reads (grid meta
``id``, columns ``ts`` and ``val``). Several points: the Haystack 4 batch form (columns ``ts``,
``v0`` .. ``vN``, each column's meta ``id`` naming its point), one row per distinct timestamp.
SkySpark takes a batch's timestamps in one zone only, which is why the client sends one body per
zone (:func:`his_write_bodies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ace_skyspark_lib.exceptions import InvalidInputError
from ace_skyspark_lib.kinds import Number, Ref
from ace_skyspark_lib.models import HistorySample
from ace_skyspark_lib.zinc import dumps_value, number_text, zinc_datetime

__all__ = ["HisWriteBody", "his_write_bodies", "his_write_body"]


@dataclass(frozen=True, slots=True)
class HisWriteBody:
    """One ``hisWrite`` request: its Zinc text and what it writes."""

    text: str
    #: Distinct (point, timestamp) pairs in the body; a later sample of a pair replaces it.
    samples: int
    points: int


def _cell(sample: HistorySample) -> str:
    value = sample.value
    if type(value) is float:
        return number_text(value, sample.unit)
    if isinstance(value, bool | str):
        return dumps_value(value)
    return dumps_value(Number(value, sample.unit))


def _instant(item: tuple[datetime | tuple[datetime, int], object]) -> datetime:
    key = item[0]
    return (key if isinstance(key, datetime) else key[0]).astimezone(UTC)


def his_write_body(
    samples: Sequence[HistorySample], zones: Mapping[str, tzinfo] | None = None
) -> HisWriteBody:
    """The body writing ``samples``; each timestamp goes in its point's zone from ``zones``.

    Samples of points without a zone keep their timestamp's own zone. The caller makes sure
    the samples are :class:`HistorySample` objects.
    """
    zone_of = zones or {}
    column_of: dict[str, int] = {}
    # A row per instant. Datetimes of one zone compare equal (and hash alike) whatever their
    # fold, so the second 01:30 of a fall-back hour (fold=1, EST) is keyed (timestamp, 1) apart
    # from the first (EDT); every other row by its timestamp. A row keeps its Zinc text.
    rows: dict[datetime | tuple[datetime, int], tuple[str, dict[int, str]]] = {}
    folded = False
    written = 0
    for sample in samples:
        point_id = sample.point_id
        column = column_of.get(point_id)
        if column is None:
            column = column_of[point_id] = len(column_of)
        ts = sample.timestamp
        zone = zone_of.get(point_id)
        key: datetime | tuple[datetime, int]
        try:
            if zone is None:
                key = ts.astimezone(UTC)  # no zone shared with the others: the instant
            else:
                if ts.tzinfo is not zone:
                    ts = ts.astimezone(zone)
                key = ts
                if ts.fold and ts.utcoffset() != ts.replace(fold=0).utcoffset():
                    key = (ts, 1)
        except OverflowError:
            raise InvalidInputError(
                f"timestamp {sample.timestamp.isoformat()} of point {point_id} is out of the "
                "datetime range once converted to UTC or the point's zone"
            ) from None
        found = rows.get(key)
        if found is None:
            folded = folded or type(key) is tuple
            found = rows[key] = (zinc_datetime(ts), {})
        row = found[1]
        if column not in row:
            written += 1
        value = sample.value
        if type(value) is float and value - value == 0.0 and not value.is_integer():
            # The common case, inlined: a finite fraction is its repr (as zinc.dumps writes it).
            unit = sample.unit
            row[column] = repr(value) + unit if unit else repr(value)
        else:
            row[column] = _cell(sample)
    width = len(column_of)
    if width == 1:
        (point_id,) = column_of
        head = f'ver:"3.0" id:{dumps_value(Ref(point_id))}\nts,val\n'
    else:
        head = (
            'ver:"3.0"\nts,'
            + ",".join(f"v{index} id:{dumps_value(Ref(p))}" for p, index in column_of.items())
            + "\n"
        )
    columns = range(width)
    # Local times of a repeated hour sort by wall clock: with one in the body, sort by instant.
    ordered = sorted(rows.items(), key=_instant) if folded else sorted(rows.items())
    lines = [
        ts_text + "," + ",".join([row.get(c, "") for c in columns]) for _, (ts_text, row) in ordered
    ]
    lines.append("")
    return HisWriteBody(head + "\n".join(lines), written, width)


def his_write_bodies(
    samples: Sequence[HistorySample], zones: Mapping[str, tzinfo]
) -> list[HisWriteBody]:
    """One body per time zone of the samples' points (see the module docstring)."""
    points = {sample.point_id for sample in samples}
    if len({zones.get(point_id) for point_id in points}) == 1:
        return [his_write_body(samples, zones)]
    groups: dict[tzinfo | None, list[HistorySample]] = {}
    for sample in samples:
        groups.setdefault(zones.get(sample.point_id), []).append(sample)
    return [his_write_body(group, zones) for group in groups.values()]
