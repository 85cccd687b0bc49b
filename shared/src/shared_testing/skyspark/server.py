"""The SkySpark simulator: Haystack HTTP ops over aiohttp, SCRAM auth, projects with state."""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from ace_skyspark_lib import hayson, zinc
from ace_skyspark_lib.exceptions import ZincParseError
from ace_skyspark_lib.kinds import Grid, Marker, Number, Ref
from ace_skyspark_lib.timezones import zone_for
from shared_testing.http import AiohttpSimulator
from shared_testing.skyspark import hjson
from shared_testing.skyspark.axon import evaluate
from shared_testing.skyspark.scram import ScramServer
from shared_testing.skyspark.seed import seed_project
from shared_testing.skyspark.store import OpError, Project, parse_range

__all__ = ["SkysparkSimulator"]

_ZINC = "text/zinc; charset=utf-8"
_GET_OPS = frozenset({"about", "ops", "formats", "read", "hisRead", "close"})
_OPS: dict[str, str] = {
    "about": "Summary information for server",
    "ops": "Operations supported by this server",
    "formats": "Grid data formats supported by this server",
    "read": "Read entity records in database",
    "hisRead": "Read time series from historian",
    "hisWrite": "Write time series data to historian",
    "commit": "Add, update or remove records (SkySpark)",
    "eval": "Evaluate an Axon expression (SkySpark)",
    "evalAll": "Evaluate a batch of Axon expressions, one grid each (SkySpark)",
    "close": "Close the current session",
}

Op = Callable[[Project, Grid, str], Awaitable[Grid]]

# Grid formats by MIME type, as a Haystack 4 server maps them: application/json and
# application/vnd.haystack+json are Hayson (Haystack 4 JSON) unless they carry version=3.
_ZINC_FORMAT, _HAYSON, _JSON3 = "zinc", "hayson", "json3"
_JSON_TYPE = "application/json; charset=utf-8"


def _format_of(mime: str) -> str | None:
    """The grid format named by one MIME type (with parameters), or None if unsupported."""
    kind, _, rest = mime.partition(";")
    kind = kind.strip().lower()
    params = {}
    for part in rest.split(";"):
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    if kind == "text/zinc":
        return _ZINC_FORMAT
    if kind in ("application/json", "application/vnd.haystack+json"):
        return _JSON3 if params.get("version") == "3" else _HAYSON
    return None


def _accepted_format(accept: str | None) -> str | None:
    """The response format for an Accept header: Zinc when there is no preference."""
    if not accept or "*/*" in accept:
        return _ZINC_FORMAT
    return _format_of(accept.split(",")[0])


def _encode(grid: Grid, fmt: str) -> web.Response:
    if fmt == _HAYSON:
        return web.Response(body=hayson.dumps(grid).encode(), headers={"Content-Type": _JSON_TYPE})
    if fmt == _JSON3:
        return web.Response(body=hjson.dumps(grid).encode(), headers={"Content-Type": _JSON_TYPE})
    return web.Response(body=zinc.dumps(grid).encode(), headers={"Content-Type": _ZINC})


def _decode(text: str, fmt: str) -> Grid:
    if fmt == _HAYSON:
        return hayson.loads(text)
    if fmt == _JSON3:
        return hjson.loads(text)
    return zinc.loads(text)


def _error_grid(message: str, err_type: str = "sys::Err", trace: str | None = None) -> Grid:
    meta: dict[str, Any] = {"err": Marker, "dis": message, "errType": err_type}
    meta["errTrace"] = trace or f"{err_type}: {message}\n  at skyspark-simulator"
    return Grid(meta=meta)


class SkysparkSimulator(AiohttpSimulator):
    """A SkySpark server: ``/api/{project}/{op}`` with Haystack SCRAM authentication."""

    system = "skyspark"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        project: str = "demo",
        username: str = "su",
        password: str | None = None,
        seed: bool = True,
        history_days: int = 7,
        tamper_signature: bool = False,
    ) -> None:
        super().__init__(host=host, port=port)
        self.project = project
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.auth = ScramServer(tamper_signature=tamper_signature)
        self.auth.add_user(username, self.password)
        self.projects: dict[str, Project] = {project: Project(project)}
        self.booted = datetime.now(timezone.utc)
        self.op_counts: dict[str, int] = {}
        self.faults.on_expire_sessions(self.auth.expire_tokens)
        if seed:
            seed_project(self.projects[project], days=history_days)

    # -- state helpers for tests ----------------------------------------------------------------

    def add_user(self, username: str, password: str) -> None:
        """Add a user who may use every project."""
        self.auth.add_user(username, password)

    def add_project(self, name: str) -> Project:
        """Add an empty project."""
        return self.projects.setdefault(name, Project(name))

    def store(self, name: str | None = None) -> Project:
        """The state of one project (the default one without a name)."""
        return self.projects[name or self.project]

    def info(self) -> dict[str, Any]:
        """The JSON line of ``serve``: API base URL, project and credentials."""
        return {
            "system": self.system,
            "url": f"{self.base_url}/api",
            "project": self.project,
            "username": self.username,
            "password": self.password,
        }

    # -- HTTP -----------------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """One route serves every op of every project."""
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/api/{project}/{op}", self._handle)
        return app

    def _about(self, user: str | None) -> dict[str, Any]:
        utc = zone_for("UTC")
        return {
            "haystackVersion": "4.0",
            "serverName": "skyspark-simulator",
            "serverTime": datetime.now(timezone.utc).astimezone(utc),
            "serverBootTime": self.booted.astimezone(utc),
            "productName": "SkySpark",
            "productUri": zinc.loads_value("`https://skyfoundry.com/skyspark`"),
            "productVersion": "3.1.10",
            "vendorName": "SkyFoundry (simulated)",
            "tz": "UTC",
            "whoami": user,
        }

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        project = self.projects.get(request.match_info["project"])
        op = request.match_info["op"]
        if project is None:
            return web.Response(status=404, text=f"unknown project {request.match_info['project']}")
        header = request.headers.get("Authorization", "")
        scheme = header.strip().split(" ", 1)[0].upper()
        if scheme in ("HELLO", "SCRAM"):
            transport = request.transport
            peer = transport.get_extra_info("peername") if transport is not None else None
            outcome = self.auth.step(header, connection=peer)
            body = ""
            if outcome.status == 200:
                body = zinc.dumps(Grid.from_rows([self._about(outcome.user)]))
            elif outcome.message:
                body = outcome.message
            return web.Response(
                status=outcome.status, headers=outcome.headers, text=body, content_type="text/plain"
            )
        user = self.auth.bearer_user(header) if scheme == "BEARER" else None
        if user is None:
            return web.Response(
                status=401,
                headers={"WWW-Authenticate": "SCRAM hash=SHA-256"},
                text="authentication required",
            )
        if op not in _OPS:
            return web.Response(status=404, text=f"unknown op {op!r}")
        accept = request.headers.get("Accept")
        out_format = _accepted_format(accept)
        if out_format is None:
            return web.Response(status=406, text=f"no grid format for Accept: {accept}")
        self.op_counts[op] = self.op_counts.get(op, 0) + 1
        if request.method == "GET":
            if op not in _GET_OPS:
                return web.Response(status=405, text=f"GET not allowed for op {op!r}")
            try:
                grid = self._grid_from_query(op, request)
            except ZincParseError as exc:
                return web.Response(status=400, text=f"invalid query parameter: {exc}")
        elif request.method == "POST":
            content_type = request.headers.get("Content-Type")
            in_format = _format_of(content_type) if content_type else _ZINC_FORMAT
            if in_format is None:
                return web.Response(
                    status=415, text=f"no grid format for Content-Type: {content_type}"
                )
            text = await request.text()
            try:
                grid = _decode(text, in_format) if text.strip() else Grid()
            except ValueError as exc:
                name = "Zinc" if in_format == _ZINC_FORMAT else "JSON"
                return web.Response(status=400, text=f"invalid {name} request: {exc}")
        else:
            return web.Response(status=405, text=f"{request.method} not allowed")
        if op == "evalAll":
            # One grid per expression, which only Zinc can carry in one body: SkySpark's
            # evalAll answer is Zinc grids one after another, whatever the Accept header.
            answers = []
            for row in grid.rows:
                one = await self._run(op, project, Grid.from_rows([row]), user, header)
                answers.append(zinc.dumps(one))
            body = "\n".join(answers)
            return web.Response(body=body.encode(), headers={"Content-Type": _ZINC})
        result = await self._run(op, project, grid, user, header)
        return _encode(result, out_format)

    async def _run(self, op: str, project: Project, grid: Grid, user: str, header: str) -> Grid:
        try:
            return await self._dispatch(op, project, grid, user, header)
        except OpError as exc:
            return _error_grid(exc.message, exc.err_type)
        except Exception as exc:  # an unexpected bug still answers like SkySpark would
            return _error_grid(str(exc), "sys::Err", traceback.format_exc())

    @staticmethod
    def _grid_from_query(op: str, request: web.Request) -> Grid:
        query = request.query
        row: dict[str, Any] = {}
        for key in query:
            text = query[key]
            if key in ("filter", "range"):
                row[key] = text
            else:
                try:
                    row[key] = zinc.loads_value(text)
                except ZincParseError:
                    row[key] = text
        if op == "read" and "id" in query and len(query.getall("id")) > 1:
            return Grid.from_rows([{"id": zinc.loads_value(v)} for v in query.getall("id")])
        return Grid.from_rows([row] if row else [])

    async def _dispatch(
        self, op: str, project: Project, grid: Grid, user: str, header: str
    ) -> Grid:
        if op == "about":
            return Grid.from_rows([self._about(user)])
        if op == "ops":
            return Grid.from_rows([{"name": k, "summary": v} for k, v in _OPS.items()])
        if op == "formats":
            return Grid.from_rows(
                [
                    {"mime": "text/zinc", "receive": Marker, "send": Marker},
                    {"mime": "application/json", "receive": Marker, "send": Marker},
                    {
                        "mime": "application/vnd.haystack+json;version=3",
                        "receive": Marker,
                        "send": Marker,
                    },
                ]
            )
        if op == "close":
            self.auth.revoke(header.partition("authToken=")[2].strip())
            return Grid()
        if op == "read":
            return self._read(project, grid)
        if op == "hisRead":
            return self._his_read(project, grid)
        if op == "hisWrite":
            return self._his_write(project, grid)
        if op == "commit":
            action = grid.meta.get("commit")
            if not isinstance(action, str):
                raise OpError('commit grid meta needs commit:"add"|"update"|"remove"')
            force = grid.meta.get("force") is not None
            return Grid.from_rows(project.commit(action, grid.rows, force))
        if op in ("eval", "evalAll"):
            expr = grid.rows[0].get("expr") if grid.rows else None
            if not isinstance(expr, str):
                raise OpError("eval needs one row with an expr string")
            return evaluate(expr, project, self._about(user))
        raise OpError(f"op {op!r} not implemented")  # pragma: no cover

    @staticmethod
    def _read(project: Project, grid: Grid) -> Grid:
        if "filter" in grid.columns and grid.rows:
            row = grid.rows[0]
            limit = row.get("limit")
            count = int(limit.val) if isinstance(limit, Number) else None
            return Grid.from_rows(project.read(str(row.get("filter", "")), count))
        if "id" in grid.columns:
            rows: list[dict[str, Any]] = []
            for row in grid.rows:
                ref = row.get("id")
                record = project.get(ref.id) if isinstance(ref, Ref) else None
                rows.append(project.view(record) if record is not None else {})
            out = Grid.from_rows(rows)
            out.columns.setdefault("id", {})
            return out
        raise OpError("read needs a filter or id rows")

    @staticmethod
    def _his_read(project: Project, grid: Grid) -> Grid:
        refs = [row.get("id") for row in grid.rows]
        if not refs or not all(isinstance(r, Ref) for r in refs):
            raise OpError("hisRead needs id rows")
        range_text = grid.rows[0].get("range", grid.meta.get("range"))
        if not isinstance(range_text, str):
            raise OpError("hisRead needs a range")
        points = [(r, project.his_point(r.id)) for r in refs if isinstance(r, Ref)]
        tz = str(points[0][1].get("tz", "UTC"))
        start, end = parse_range(range_text, tz)
        meta: dict[str, Any] = {
            "hisStart": start,
            "hisEnd": end or datetime.now(timezone.utc).astimezone(start.tzinfo),
        }
        if len(points) == 1:
            ref, record = points[0]
            rows = [{"ts": ts, "val": v} for ts, v in project.his_read(ref.id, start, end)]
            meta["id"] = Ref(ref.id, record.get("dis"))
            return Grid(meta=meta, columns={"ts": {}, "val": {}}, rows=rows)
        columns: dict[str, dict[str, Any]] = {"ts": {}}
        merged: dict[datetime, dict[str, Any]] = {}
        for index, (ref, record) in enumerate(points):
            name = f"v{index}"
            columns[name] = {"id": Ref(ref.id, record.get("dis"))}
            for ts, value in project.his_read(ref.id, start, end):
                merged.setdefault(ts, {"ts": ts})[name] = value
        return Grid(meta=meta, columns=columns, rows=[merged[ts] for ts in sorted(merged)])

    @staticmethod
    def _his_write(project: Project, grid: Grid) -> Grid:
        single = grid.meta.get("id")
        if isinstance(single, Ref):
            items = [(row.get("ts"), row["val"]) for row in grid.rows if row.get("val") is not None]
            project.his_write(single.id, items)
            return Grid()
        targets = [
            (name, meta["id"])
            for name, meta in grid.columns.items()
            if name != "ts" and isinstance(meta.get("id"), Ref)
        ]
        if not targets:
            raise OpError("hisWrite needs grid meta id, or columns with id meta (batch)")
        for _, ref in targets:
            project.his_point(ref.id)  # all-or-nothing: check every point first
        for name, ref in targets:
            project.his_write(
                ref.id,
                [(row.get("ts"), row[name]) for row in grid.rows if row.get(name) is not None],
            )
        return Grid()
