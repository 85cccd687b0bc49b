"""The public async client: :class:`SkysparkClient`."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from types import TracebackType
from typing import Any, Self, TypeVar

from pydantic import ValidationError

from ace_skyspark_lib._logging import get_logger
from ace_skyspark_lib.exceptions import (
    CommitError,
    InvalidInputError,
    ServerError,
    SkysparkError,
)
from ace_skyspark_lib.filter import parse_filter
from ace_skyspark_lib.his_write import his_write_bodies
from ace_skyspark_lib.kinds import Grid, Number, Ref
from ace_skyspark_lib.models import (
    Entity,
    Equipment,
    HistorySample,
    HistorySeries,
    Point,
    Site,
    WriteResult,
)
from ace_skyspark_lib.timezones import zone_for
from ace_skyspark_lib.transport import Transport
from ace_skyspark_lib.zinc import dumps_value, zinc_datetime

__all__ = ["HistoryRange", "ProgressCallback", "SkysparkClient"]

_log = get_logger()
E = TypeVar("E", bound=Entity)

#: ``"today"``, ``"yesterday"``, ``"2024-01-01"``, ``"2024-01-01,2024-01-07"``, a date, a
#: datetime (from then on) or a ``(start, end)`` pair of dates (end day included) or of
#: datetimes (end excluded).
HistoryRange = str | date | datetime | tuple[date, date] | tuple[datetime, datetime]
#: Called with (samples done, samples total) after each chunk; may be a coroutine function.
ProgressCallback = Callable[[int, int], object]

_REF_IN_TEXT = re.compile(r"@([A-Za-z0-9_:\-.~]+)")
_FILTER_BATCH = 50


def _ref(value: str | Ref, what: str = "id") -> Ref:
    if isinstance(value, Ref):
        return value
    try:
        return Ref(value)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"invalid {what} {value!r}: expected e.g. 'p:demo:r:1'") from exc


def _refs(ids: Iterable[str | Ref], method: str) -> list[Ref]:
    if isinstance(ids, str | Ref):
        raise InvalidInputError(
            f"{method} takes a list of ids, got the single id {str(ids)!r}; wrap it in a list"
        )
    return [_ref(i) for i in ids]


def _models(models: Sequence[E], kind: type[E], method: str) -> Sequence[E]:
    given: object = models  # callers without a type checker pass anything
    if not isinstance(given, Sequence) or isinstance(given, str):
        raise InvalidInputError(
            f"{method} takes a list of {kind.__name__}, got {type(given).__name__}"
        )
    for model in models:
        if not isinstance(model, kind):
            raise InvalidInputError(
                f"{method} takes {kind.__name__} models, got {type(model).__name__}"
            )
    return models


def _range_text(value: HistoryRange) -> str:
    if isinstance(value, str):
        if not value.strip():
            raise InvalidInputError("empty history range; use e.g. 'today' or '2024-01-01'")
        return value
    if isinstance(value, datetime):
        return _zinc_dt(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and len(value) == 2:
        start, end = value
        if isinstance(start, datetime) and isinstance(end, datetime):
            if start.tzinfo is not None and end.tzinfo is not start.tzinfo:
                end = end.astimezone(start.tzinfo)  # SkySpark wants one zone for a span
            return f"{_zinc_dt(start)},{_zinc_dt(end)}"
        if isinstance(start, date) and isinstance(end, date):
            return f"{start.isoformat()},{end.isoformat()}"
    raise InvalidInputError(
        f"invalid history range {value!r}: use 'today', a date, a datetime or a (start, end) pair"
    )


def _zinc_dt(value: datetime) -> str:
    try:
        return zinc_datetime(value)
    except SkysparkError as exc:
        raise InvalidInputError(f"invalid datetime in history range: {exc}") from exc


def _sample_value(value: Any) -> tuple[bool | float | str, str | None] | None:
    if isinstance(value, Number):
        return value.val, value.unit
    if isinstance(value, bool | str):
        return value, None
    if isinstance(value, int | float):
        return float(value), None
    return None


class SkysparkClient:
    """Async client of one SkySpark project.

    ``async with SkysparkClient(url, project, user, password) as client:`` logs in on entry
    (SCRAM-SHA-256) and ends the session on exit. Every method may raise a subclass of
    :class:`~ace_skyspark_lib.exceptions.SkysparkError`.
    """

    def __init__(
        self,
        base_url: str,
        project: str,
        username: str,
        password: str,
        timeout: float = 30.0,
        max_retries: int = 3,
        pool_size: int = 10,
        *,
        backoff: float = 0.2,
    ) -> None:
        self._transport = Transport(
            base_url,
            project,
            username,
            password,
            timeout=timeout,
            max_retries=max_retries,
            pool_size=pool_size,
            backoff=backoff,
        )
        self.base_url = base_url
        self.project = project
        self.username = username
        self._zones: dict[str, tzinfo] = {}
        self._zones_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"SkysparkClient({self.base_url!r}, {self.project!r}, user={self.username!r})"

    # -- lifecycle ------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Log in now (``async with`` does this for you)."""
        await self._transport.login()

    async def close(self) -> None:
        """End the server session and release connections; safe to call twice."""
        await self._transport.close()

    async def __aenter__(self) -> Self:
        try:
            await self.connect()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- reads ----------------------------------------------------------------------------------

    async def about(self) -> dict[str, Any]:
        """The server's ``about`` record (``productName``, ``productVersion``, ``tz``, ...)."""
        grid = await self._transport.call("about", params={})
        return dict(grid.rows[0]) if grid.rows else {}

    async def eval(self, axon: str) -> Grid:
        """Evaluate an Axon expression on the server and return the result grid."""
        if not isinstance(axon, str) or not axon.strip():
            raise InvalidInputError("eval needs a non-empty Axon expression")
        return await self._transport.call("eval", Grid.from_rows([{"expr": axon}]))

    async def read(self, filter: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every record matching the Haystack ``filter`` (validated here before sending)."""
        parse_filter(filter)
        row: dict[str, Any] = {"filter": filter}
        if limit is not None:
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise InvalidInputError(f"limit must be an int >= 1, got {limit!r}")
            row["limit"] = Number(float(limit))
        grid = await self._transport.call("read", Grid.from_rows([row]))
        return grid.rows

    async def read_by_ids(self, ids: Iterable[str | Ref]) -> list[dict[str, Any]]:
        """The records with these ids, in order; unknown ids are left out."""
        refs = _refs(ids, "read_by_ids")
        if not refs:
            return []
        grid = await self._transport.call("read", Grid.from_rows([{"id": r} for r in refs]))
        return [row for row in grid.rows if row.get("id") is not None]

    async def read_by_id(self, entity_id: str | Ref) -> dict[str, Any] | None:
        """The record with this id, or ``None`` when there is none."""
        rows = await self.read_by_ids([entity_id])
        return rows[0] if rows else None

    async def read_sites(self) -> list[dict[str, Any]]:
        """Every site."""
        return await self.read("site")

    async def read_equipment(self, site_ref: str | Ref | None = None) -> list[dict[str, Any]]:
        """Every equip, or those of one site."""
        if site_ref is None:
            return await self.read("equip")
        return await self.read(f"equip and siteRef == @{_ref(site_ref, 'site_ref').id}")

    async def read_points(
        self, site_ref: str | Ref | None = None, equip_ref: str | Ref | None = None
    ) -> list[dict[str, Any]]:
        """Every point, or those of one site and/or one equip."""
        text = "point"
        if site_ref is not None:
            text += f" and siteRef == @{_ref(site_ref, 'site_ref').id}"
        if equip_ref is not None:
            text += f" and equipRef == @{_ref(equip_ref, 'equip_ref').id}"
        return await self.read(text)

    async def read_points_as_models(
        self, site_ref: str | Ref | None = None, equip_ref: str | Ref | None = None
    ) -> list[Point]:
        """Like :meth:`read_points`, as :class:`Point` models."""
        rows = await self.read_points(site_ref=site_ref, equip_ref=equip_ref)
        for row in rows:
            self._remember_zone(row)
        return [_to_model(Point, row) for row in rows]

    # -- commits --------------------------------------------------------------------------------

    async def _commit(
        self, action: str, rows: list[dict[str, Any]], names: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        grid = Grid.from_rows(rows, meta={"commit": action})
        try:
            result = await self._transport.call("commit", grid)
        except ServerError as exc:
            if exc.status != 200:
                raise
            match = _REF_IN_TEXT.search(exc.dis)
            record = match.group(1) if match else None
            if record is None and len(rows) == 1 and isinstance(rows[0].get("id"), Ref):
                record = rows[0]["id"].id
            label = (names or {}).get(record or "", "")
            named = f" (record {record}{' ' + repr(label) if label else ''})" if record else ""
            raise CommitError(
                f"commit {action} rejected{named}: {exc.dis}; re-read the record and retry",
                record_id=record,
                dis=exc.dis,
                err_trace=exc.err_trace,
                err_type=exc.err_type,
                status=exc.status,
            ) from exc
        return result.rows

    async def _create(self, models: Sequence[E]) -> list[E]:
        if not models:
            return []
        rows = []
        for model in models:
            if model.id is not None:
                raise InvalidInputError(
                    f"{type(model).__name__} {model.dis!r} already has id {model.id}; "
                    "use the update_* method"
                )
            tags = model.to_haystack()
            tags.pop("mod", None)
            rows.append(tags)
        created = await self._commit("add", rows)
        _check_count("add", rows, created)
        for row in created:
            self._remember_zone(row)
        _log.info("created", kind=type(models[0]).__name__, count=len(created))
        return [_to_model(type(model), row) for model, row in zip(models, created, strict=True)]

    async def _update(self, models: Sequence[E]) -> list[E]:
        if not models:
            return []
        rows, names = [], {}
        for model in models:
            if model.id is None or model.mod is None:
                raise InvalidInputError(
                    f"{type(model).__name__} {model.dis!r} needs id and mod to be updated; "
                    "use a record returned by create_* or read_*"
                )
            rows.append(model.to_haystack())
            names[model.id] = model.dis
        updated = await self._commit("update", rows, names)
        _check_count("update", rows, updated)
        for row in updated:
            self._remember_zone(row)
        return [_to_model(type(model), row) for model, row in zip(models, updated, strict=True)]

    async def create_sites(self, sites: Sequence[Site]) -> list[Site]:
        """Create sites; returns them with the ids and ``mod`` the server assigned."""
        return await self._create(_models(sites, Site, "create_sites"))

    async def create_equipment(self, equipment: Sequence[Equipment]) -> list[Equipment]:
        """Create equips; returns them with their server ids."""
        return await self._create(_models(equipment, Equipment, "create_equipment"))

    async def create_points(self, points: Sequence[Point]) -> list[Point]:
        """Create points; returns them with their server ids."""
        return await self._create(_models(points, Point, "create_points"))

    async def update_sites(self, sites: Sequence[Site]) -> list[Site]:
        """Update sites; a stale ``mod`` raises :class:`CommitError` naming the record."""
        return await self._update(_models(sites, Site, "update_sites"))

    async def update_equipment(self, equipment: Sequence[Equipment]) -> list[Equipment]:
        """Update equips; a stale ``mod`` raises :class:`CommitError` naming the record."""
        return await self._update(_models(equipment, Equipment, "update_equipment"))

    async def update_points(self, points: Sequence[Point]) -> list[Point]:
        """Update points; a stale ``mod`` raises :class:`CommitError` naming the record."""
        return await self._update(_models(points, Point, "update_points"))

    async def delete_entities(self, ids: Iterable[str | Ref]) -> int:
        """Delete records by id (their current ``mod`` is read first); returns how many."""
        refs = _refs(ids, "delete_entities")
        if not refs:
            return 0
        current = {row["id"]: row for row in await self.read_by_ids(refs)}
        missing = [r.id for r in refs if r not in current]
        if missing:
            raise CommitError(
                f"cannot delete {', '.join(missing)}: no such record", record_id=missing[0]
            )
        stamp_less = [r.id for r in refs if current[r].get("mod") is None]
        if stamp_less:
            raise ServerError(
                f"cannot delete {', '.join(stamp_less)}: the server sent the record without "
                "the 'mod' stamp a remove needs"
            )
        rows = [{"id": r, "mod": current[r]["mod"]} for r in refs]
        await self._commit("remove", rows)
        return len(rows)

    async def delete_entity(self, entity_id: str | Ref) -> None:
        """Delete one record by id."""
        await self.delete_entities([entity_id])

    async def _find_or_create(self, marker: str, models: Sequence[E]) -> list[E]:
        keyed: dict[str, E] = {}
        for model in models:
            if not model.refName:
                raise InvalidInputError(
                    f"{type(model).__name__} {model.dis!r} has no refName, the key that "
                    "find_or_create_* matches on"
                )
            keyed.setdefault(model.refName, model)
        existing: dict[str, E] = {}
        names = list(keyed)
        for start in range(0, len(names), _FILTER_BATCH):
            batch = names[start : start + _FILTER_BATCH]
            clauses = " or ".join(f"refName == {dumps_value(name)}" for name in batch)
            for row in await self.read(f"{marker} and ({clauses})"):
                ref_name = row.get("refName")
                if isinstance(ref_name, str) and ref_name not in existing:
                    existing[ref_name] = _to_model(type(keyed[ref_name]), row)
        missing = [m for name, m in keyed.items() if name not in existing]
        for model, created in zip(missing, await self._create(missing), strict=True):
            existing[model.refName or ""] = created
        return [existing[model.refName or ""] for model in models]

    async def find_or_create_sites(self, sites: Sequence[Site]) -> list[Site]:
        """Sites by ``refName``: existing ones are returned, missing ones created."""
        return await self._find_or_create("site", _models(sites, Site, "find_or_create_sites"))

    async def find_or_create_equipment(self, equipment: Sequence[Equipment]) -> list[Equipment]:
        """Equips by ``refName``: existing ones are returned, missing ones created."""
        return await self._find_or_create(
            "equip", _models(equipment, Equipment, "find_or_create_equipment")
        )

    async def find_or_create_points(self, points: Sequence[Point]) -> list[Point]:
        """Points by ``refName``: existing ones are returned, missing ones created."""
        return await self._find_or_create("point", _models(points, Point, "find_or_create_points"))

    # -- history --------------------------------------------------------------------------------

    async def read_history(
        self, point_ids: str | Ref | Iterable[str | Ref], range: HistoryRange
    ) -> list[HistorySeries]:
        """History of one or more points over ``range``, one series per point, in order."""
        if isinstance(point_ids, str | Ref):
            point_ids = [point_ids]
        refs = [_ref(p, "point id") for p in point_ids]
        if not refs:
            return []
        text = _range_text(range)
        if len(refs) == 1:
            request = Grid.from_rows([{"id": refs[0], "range": text}])
        else:
            request = Grid.from_rows([{"id": r} for r in refs], meta={"range": text})
        grid = await self._transport.call("hisRead", request)
        return _series(grid, refs)

    async def _point_zones(self, point_ids: set[str], refresh: bool = False) -> dict[str, tzinfo]:
        """The time zone of each point (SkySpark refuses samples in any other zone).

        Learned once per point by one ``read`` of the unknown ids, then cached; points the
        server does not know are left out (their write fails with the server's own error).
        """
        async with self._zones_lock:
            if refresh:
                for point_id in point_ids:
                    self._zones.pop(point_id, None)
            missing = [p for p in point_ids if p not in self._zones]
            if missing:
                for row in await self.read_by_ids(missing):
                    self._remember_zone(row)
            return {p: self._zones[p] for p in point_ids if p in self._zones}

    def _remember_zone(self, record: Mapping[str, Any]) -> None:
        ref, tz = record.get("id"), record.get("tz")
        if isinstance(ref, Ref) and isinstance(tz, str):
            try:
                self._zones[ref.id] = zone_for(tz)
            except InvalidInputError:
                self._zones.pop(ref.id, None)  # let the server say what is wrong with it

    async def _send_history(self, samples: Sequence[HistorySample], refresh: bool) -> int:
        zones = await self._point_zones({sample.point_id for sample in samples}, refresh)
        written = 0
        for body in his_write_bodies(samples, zones):
            await self._transport.call("hisWrite", body=body.text)
            written += body.samples
            _log.debug("history written", samples=body.samples, points=body.points)
        return written

    async def write_history(self, samples: Sequence[HistorySample]) -> WriteResult:
        """Write samples of any number of points: one ``hisWrite`` request per time zone.

        The points' zones are read once and cached: SkySpark takes a timestamp only in its
        point's zone, so each sample is converted to it. Several points of one zone go in one
        Haystack 4 batch grid (columns ``ts``, ``v0``..``vN``, each with its point's ``id``); a
        single point uses the classic form (grid meta ``id``).

        A sample at a timestamp the point already has replaces it, so writing again is safe.
        Raises on failure (after the retry policy); ``samples_written`` counts distinct
        (point, timestamp) pairs.
        """
        if not samples:
            return WriteResult(success=True, samples_written=0)
        for sample in samples:
            if not isinstance(sample, HistorySample):
                raise InvalidInputError(
                    f"write_history takes HistorySample objects, got {type(sample).__name__}"
                )
        try:
            written = await self._send_history(samples, refresh=False)
        except ServerError as exc:
            if exc.status != 200 or "Mismatched timezone" not in exc.dis:
                raise
            # A point's tz changed since it was cached: learn the zones again, send once more.
            written = await self._send_history(samples, refresh=True)
        return WriteResult(success=True, samples_written=written)

    async def write_history_chunked(
        self,
        samples: Sequence[HistorySample],
        chunk_size: int = 1000,
        max_concurrent: int = 3,
        progress: ProgressCallback | None = None,
    ) -> list[WriteResult]:
        """Write many samples in chunks of ``chunk_size``, at most ``max_concurrent`` at once.

        Returns one :class:`WriteResult` per chunk, in order. A chunk whose outcome is unknown
        (dropped connection, timeout, 5xx) is sent again; since a write replaces the value at
        its timestamp, no sample is lost or stored twice. A chunk that still fails is reported
        with ``success=False``, its ``error`` and its ``failed_samples``, and the other chunks
        go on: ``[s for r in results for s in r.failed_samples]`` is exactly what to write again.
        """
        if chunk_size < 1:
            raise InvalidInputError(f"chunk_size must be >= 1, got {chunk_size}")
        if max_concurrent < 1:
            raise InvalidInputError(f"max_concurrent must be >= 1, got {max_concurrent}")
        for sample in samples:
            if not isinstance(sample, HistorySample):
                raise InvalidInputError(
                    f"write_history_chunked takes HistorySample objects, got "
                    f"{type(sample).__name__}"
                )
        chunks = [samples[i : i + chunk_size] for i in range(0, len(samples), chunk_size)]
        total = len(samples)
        done = 0
        gate = asyncio.Semaphore(max_concurrent)
        lock = asyncio.Lock()

        async def one(chunk: Sequence[HistorySample]) -> WriteResult:
            nonlocal done
            async with gate:
                try:
                    result = await self.write_history(chunk)
                except SkysparkError as exc:
                    _log.warning("history chunk failed", samples=len(chunk), error=str(exc))
                    result = WriteResult(
                        success=False,
                        samples_written=0,
                        error=str(exc),
                        failed_samples=list(chunk),
                    )
            if progress is not None:
                async with lock:
                    done += len(chunk)
                    outcome = progress(done, total)
                    if inspect.isawaitable(outcome):
                        await outcome
            return result

        tasks = [asyncio.ensure_future(one(chunk)) for chunk in chunks]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # A failing progress callback must not leave the other chunks writing unobserved.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise


def _check_count(action: str, sent: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    if len(got) != len(sent):
        raise ServerError(
            f"commit {action} of {len(sent)} records answered with {len(got)} rows; the server "
            "does not follow the commit protocol, check which records changed before retrying"
        )


def _to_model(model: type[E], row: Mapping[str, Any]) -> E:
    try:
        return model.from_haystack(row)
    except ValidationError as exc:
        raise ServerError(
            f"record {row.get('id')} is not a valid {model.__name__}: "
            f"{exc.errors()[0].get('msg', exc)}",
        ) from exc


def _series(grid: Grid, refs: list[Ref]) -> list[HistorySeries]:
    meta = grid.meta
    start, end = meta.get("hisStart"), meta.get("hisEnd")
    by_column: list[tuple[str, str]] = []
    if "val" in grid.columns:
        ref = meta.get("id")
        by_column.append(("val", ref.id if isinstance(ref, Ref) else refs[0].id))
    else:
        for name, col_meta in grid.columns.items():
            ref = col_meta.get("id")
            if name != "ts" and isinstance(ref, Ref):
                by_column.append((name, ref.id))
    series = {
        point: HistorySeries.model_construct(point_id=point, samples=[], start=start, end=end)
        for _, point in by_column
    }
    construct = HistorySample.model_construct
    for row in grid.rows:
        ts = row.get("ts")
        if not isinstance(ts, datetime):
            continue
        for column, point in by_column:
            typed = _sample_value(row.get(column))
            if typed is not None:
                series[point].samples.append(
                    construct(point_id=point, timestamp=ts, value=typed[0], unit=typed[1])
                )
    return [
        series.get(r.id)
        or HistorySeries.model_construct(point_id=r.id, samples=[], start=start, end=end)
        for r in refs
    ]
