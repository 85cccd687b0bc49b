"""The SkySpark simulator at protocol level: raw HTTP, raw SCRAM, raw Zinc."""

from __future__ import annotations

import base64
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scramp import ScramClient

from ace_skyspark_lib import zinc
from ace_skyspark_lib.filter import parse_filter
from ace_skyspark_lib.kinds import (
    NA,
    Coord,
    Grid,
    Marker,
    Number,
    Ref,
    Remove,
    Symbol,
    Uri,
    XStr,
    zone_for,
)
from shared_testing import RunningSimulator
from shared_testing.skyspark import hjson
from shared_testing.skyspark.axon import evaluate
from shared_testing.skyspark.evaluator import matches
from shared_testing.skyspark.seed import seed_project
from shared_testing.skyspark.store import OpError, Project, parse_range
from shared_testing.standalone import serve

ZINC = {"Content-Type": "text/zinc; charset=utf-8"}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unb64(data: str) -> str:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()


def params(header: str) -> dict[str, str]:
    rest = header.split(" ", 1)[1] if not header.startswith("authToken") else header
    return dict(part.strip().split("=", 1) for part in rest.split(","))


def handshake(url: str, user: str, password: str) -> httpx.Response:
    """A SCRAM-SHA-256 login done by hand with scramp; returns the final response."""
    with httpx.Client(timeout=10) as http:
        hello = http.get(url, headers={"Authorization": f"HELLO username={b64(user)}"})
        assert hello.status_code == 401
        challenge = params(hello.headers["WWW-Authenticate"])
        assert challenge["hash"] == "SHA-256"
        token = challenge["handshakeToken"]
        scram = ScramClient(["SCRAM-SHA-256"], user, password)
        auth = f"SCRAM handshakeToken={token}, data={b64(scram.get_client_first())}"
        first = http.get(url, headers={"Authorization": auth})
        assert first.status_code == 401
        scram.set_server_first(unb64(params(first.headers["WWW-Authenticate"])["data"]))
        auth = f"SCRAM handshakeToken={token}, data={b64(scram.get_client_final())}"
        final = http.get(url, headers={"Authorization": auth})
        if final.status_code == 200:
            info = params(final.headers["Authentication-Info"])
            scram.set_server_final(unb64(info["data"]))  # raises if the server lied
        return final


class Session:
    def __init__(self, sim: RunningSimulator) -> None:
        info = sim.info()
        self.base = f"{info['url']}/{info['project']}/"
        final = handshake(self.base + "about", info["username"], info["password"])
        assert final.status_code == 200
        self.token = params(final.headers["Authentication-Info"])["authToken"]
        self.http = httpx.Client(
            base_url=self.base,
            timeout=10,
            headers={"Authorization": f"BEARER authToken={self.token}"},
        )

    def get(self, op: str, **query: str) -> Grid:
        response = self.http.get(op, params=query)
        assert response.status_code == 200, response.text
        return zinc.loads(response.text)

    def post(self, op: str, grid: Grid) -> Grid:
        response = self.http.post(op, content=zinc.dumps(grid), headers=ZINC)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/zinc")
        return zinc.loads(response.text)


@pytest.fixture
def session(skyspark_sim: RunningSimulator) -> Session:
    return Session(skyspark_sim)


def test_info_line(skyspark_sim: RunningSimulator) -> None:
    info = skyspark_sim.info()
    assert info["system"] == "skyspark"
    assert info["url"].endswith("/api")
    assert {"project", "username", "password"} <= set(info)


def test_serve_prints_the_json_line_and_serves() -> None:
    with serve("skyspark", "--password", "pw1") as served:
        info = served.info
        assert info["password"] == "pw1"
        final = handshake(f"{info['url']}/{info['project']}/about", info["username"], "pw1")
        assert final.status_code == 200
    assert served.process.returncode == 0


def test_scram_rejects_wrong_password_and_unknown_user(skyspark_sim: RunningSimulator) -> None:
    info = skyspark_sim.info()
    url = f"{info['url']}/{info['project']}/about"
    assert handshake(url, info["username"], "wrong").status_code == 403
    assert handshake(url, "mallory", "x").status_code == 403
    skyspark_sim.simulator.add_user("alice", "a-pass")
    assert handshake(url, "alice", "a-pass").status_code == 200


def test_requests_without_a_live_token_get_401(
    skyspark_sim: RunningSimulator, session: Session
) -> None:
    assert httpx.get(session.base + "about").status_code == 401
    assert session.get("about").rows[0]["productName"] == "SkySpark"
    skyspark_sim.faults.expire_sessions()
    assert session.http.get("about").status_code == 401


def test_unfinished_handshake_token_is_refused(skyspark_sim: RunningSimulator) -> None:
    info = skyspark_sim.info()
    auth = f"SCRAM handshakeToken=forged, data={b64('n,,n=su,r=abc')}"
    response = httpx.get(f"{info['url']}/demo/about", headers={"Authorization": auth})
    assert response.status_code == 403


def test_handshake_is_tied_to_its_connection(skyspark_sim: RunningSimulator) -> None:
    url = f"{skyspark_sim.info()['url']}/demo/about"
    with httpx.Client(timeout=10) as first, httpx.Client(timeout=10) as second:
        hello = first.get(url, headers={"Authorization": f"HELLO username={b64('su')}"})
        token = params(hello.headers["WWW-Authenticate"])["handshakeToken"]
        auth = f"SCRAM handshakeToken={token}, data={b64('n,,n=su,r=abc')}"
        moved = second.get(url, headers={"Authorization": auth})
        assert moved.status_code == 403
        assert "another connection" in moved.text
        # The handshake is gone: not even its own connection may go on with it.
        assert first.get(url, headers={"Authorization": auth}).status_code == 403


def test_about_ops_formats(session: Session) -> None:
    about = session.get("about").rows[0]
    assert about["whoami"] == "su"
    assert isinstance(about["serverTime"], datetime)
    ops = {row["name"] for row in session.get("ops").rows}
    assert {"read", "hisRead", "hisWrite", "commit", "eval", "close"} <= ops
    assert session.get("formats").rows[0]["mime"] == "text/zinc"


def test_read_by_get_and_post(session: Session) -> None:
    sites = session.get("read", filter="site")
    assert {row["dis"] for row in sites.rows} == {"Headquarters", "Annex"}
    hq = next(row for row in sites.rows if row["dis"] == "Headquarters")
    assert hq["area"] == Number(120_000, "ft²")
    assert len(session.get("read", filter="point", limit="4").rows) == 4
    posted = session.post("read", Grid.from_rows([{"filter": "equip and ahu"}]))
    assert len(posted.rows) == 3
    by_id = session.post("read", Grid.from_rows([{"id": hq["id"]}, {"id": Ref("p:demo:r:x")}]))
    assert by_id.rows[0]["id"] == hq["id"]
    assert by_id.rows[1] == {}
    one = session.get("read", id=f"@{hq['id'].id}")
    assert one.rows[0]["dis"] == "Headquarters"


def test_read_with_bad_filter_is_an_error_grid(session: Session) -> None:
    grid = session.get("read", filter="site and")
    assert grid.is_error
    assert "expected a tag name" in grid.meta["dis"]
    assert grid.meta["errTrace"]


def test_get_not_allowed_for_writes_and_unknown_ops(session: Session) -> None:
    assert session.http.get("commit").status_code == 405
    assert session.http.get("hisWrite").status_code == 405
    assert session.http.post("nope", content="").status_code == 404
    bad = session.http.post("read", content='ver:"3.0"\na\n"open', headers=ZINC)
    assert bad.status_code == 400
    assert "unterminated string" in bad.text
    bad_ids = session.http.get("read", params=[("id", "@p:demo:r:1"), ("id", "@")])
    assert bad_ids.status_code == 400
    assert "invalid query parameter: invalid ref" in bad_ids.text


def test_unknown_project_is_404(skyspark_sim: RunningSimulator) -> None:
    assert httpx.get(f"{skyspark_sim.info()['url']}/other/about").status_code == 404


def test_commit_add_update_remove_with_mod_conflicts(session: Session) -> None:
    added = session.post(
        "commit",
        Grid.from_rows([{"dis": "Lab", "site": Marker, "tz": "UTC"}], meta={"commit": "add"}),
    ).rows[0]
    assert added["id"].dis == "Lab"
    assert isinstance(added["mod"], datetime)
    update = {"id": added["id"], "mod": added["mod"], "dis": "Lab 2", "tz": Remove}
    updated = session.post("commit", Grid.from_rows([update], meta={"commit": "update"})).rows[0]
    assert updated["dis"] == "Lab 2"
    assert "tz" not in updated
    stale = session.post("commit", Grid.from_rows([update], meta={"commit": "update"}))
    assert stale.is_error
    assert f"@{added['id'].id}" in stale.meta["dis"]
    forced = session.post(
        "commit", Grid.from_rows([update], meta={"commit": "update", "force": Marker})
    )
    assert not forced.is_error
    current = forced.rows[0]
    removed = session.post(
        "commit",
        Grid.from_rows([{"id": current["id"], "mod": current["mod"]}], meta={"commit": "remove"}),
    )
    assert not removed.is_error
    assert session.post("read", Grid.from_rows([{"id": added["id"]}])).rows == [{}]
    bad_mode = session.post("commit", Grid.from_rows([{"dis": "x"}], meta={"commit": "merge"}))
    assert "unknown commit mode 'merge'" in bad_mode.meta["dis"]


def first_point(session: Session, kind: str = "Number") -> dict[str, Any]:
    rows = session.get("read", filter=f'point and kind == "{kind}"').rows
    return rows[0]


def test_his_write_single_and_batch_replace_same_timestamps(
    skyspark_sim: RunningSimulator, session: Session
) -> None:
    p1 = first_point(session)
    p2 = session.get("read", filter='point and kind == "Number"').rows[1]
    assert p1["tz"] == p2["tz"] == "New_York"
    ts = datetime(2021, 1, 1, tzinfo=zone_for("New_York"))
    single = Grid(
        meta={"id": p1["id"]},
        columns={"ts": {}, "val": {}},
        rows=[{"ts": ts, "val": Number(1)}, {"ts": ts + timedelta(hours=1), "val": Number(2)}],
    )
    assert not session.post("hisWrite", single).is_error
    batch = Grid(
        columns={"ts": {}, "v0": {"id": p1["id"]}, "v1": {"id": p2["id"]}},
        rows=[{"ts": ts, "v0": Number(10), "v1": Number(20)}, {"ts": ts, "v1": Number(21)}],
    )
    assert not session.post("hisWrite", batch).is_error
    history = skyspark_sim.simulator.store().history
    window = (ts, ts + timedelta(days=1))

    def stored(point: dict[str, Any]) -> list[float]:
        data = history[point["id"].id]
        return [data[t].val for t in sorted(data) if window[0] <= t < window[1]]

    assert stored(p1) == [10, 2]
    assert stored(p2) == [21]


def test_his_write_keeps_both_samples_of_a_fall_back_hour(
    skyspark_sim: RunningSimulator, session: Session
) -> None:
    point = first_point(session)
    ny = zone_for("New_York")
    edt = datetime(2021, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT; an hour later 01:30 EST
    stamps = [(edt + timedelta(minutes=m)).astimezone(ny) for m in (60, 0, 20)]
    assert stamps[0] == stamps[1]  # equal as New York datetimes, an hour apart in time
    grid = Grid(
        meta={"id": point["id"]},
        columns={"ts": {}, "val": {}},
        rows=[{"ts": ts, "val": Number(i, "°F")} for i, ts in enumerate(stamps)],
    )
    assert not session.post("hisWrite", grid).is_error
    read = session.get("hisRead", id=f"@{point['id'].id}", range="2021-11-07")
    assert [(row["ts"].astimezone(UTC), row["val"]) for row in read.rows] == [
        (edt, Number(1, "°F")),
        (edt + timedelta(minutes=20), Number(2, "°F")),
        (edt + timedelta(minutes=60), Number(0, "°F")),
    ]
    stored = skyspark_sim.simulator.store().history[point["id"].id]
    assert [ts.utcoffset() for ts in stored if ts.date() == stamps[0].date()] == [
        timedelta(hours=-5),
        timedelta(hours=-4),
        timedelta(hours=-4),
    ]


def test_his_write_checks_zone_kind_and_unit(
    skyspark_sim: RunningSimulator, session: Session
) -> None:
    number = first_point(session)
    boolean = first_point(session, "Bool")
    ts = datetime(2021, 1, 1, tzinfo=zone_for("New_York"))

    def refused(point: dict[str, Any], ts: datetime, value: Any) -> Grid:
        grid = Grid(meta={"id": point["id"]}, columns={"ts": {}, "val": {}})
        grid.rows.append({"ts": ts, "val": value})
        return session.post("hisWrite", grid).meta

    bad_kind = refused(boolean, ts, Number(1))
    assert bad_kind["dis"].startswith(
        'Mismatched value type, rec kind "Bool" != item type "haystack::Number" [@'
    )
    assert bad_kind["errType"] == "folio::HisWriteErr"
    bad_unit = refused(number, ts, Number(1, "kW"))
    assert bad_unit["dis"].startswith("Mismatched unit, rec unit '°F' != item unit 'kW'")
    # SkySpark converts nothing: a sample must already be in the point's own zone.
    utc = refused(number, ts.astimezone(zone_for("UTC")), Number(1, "°F"))
    assert utc["dis"].startswith('Mismatched timezone, rec tz "New_York" != item tz "UTC"')
    assert f"[@{number['id'].id} " in utc["dis"]
    old = refused(number, datetime(1949, 12, 31, tzinfo=zone_for("New_York")), Number(1))
    assert old["dis"].startswith("Timestamps before 1950 not supported")
    assert number["id"].id not in skyspark_sim.simulator.store().history or all(
        t.year != 2021 for t in skyspark_sim.simulator.store().history[number["id"].id]
    )
    site = session.get("read", filter="site").rows[0]
    not_his = Grid(meta={"id": site["id"]}, columns={"ts": {}, "val": {}})
    not_his_meta = session.post("hisWrite", not_his).meta
    assert not_his_meta["dis"].startswith("Rec missing 'point' tag")
    assert not_his_meta["errType"] == "folio::HisConfigErr"


def test_his_read_forms(session: Session) -> None:
    point = first_point(session)
    ref = f"@{point['id'].id}"
    yesterday = session.get("hisRead", id=ref, range="yesterday")
    assert len(yesterday.rows) == 96
    assert yesterday.meta["id"] == point["id"]
    assert isinstance(yesterday.meta["hisStart"], datetime)
    assert yesterday.rows[0]["val"].unit == "°F"
    day = (yesterday.rows[0]["ts"]).date().isoformat()
    assert len(session.get("hisRead", id=ref, range=day).rows) == 96
    assert len(session.get("hisRead", id=ref, range=f"{day},{day}").rows) == 96
    start = yesterday.rows[0]["ts"]
    span = f"{zinc.dumps_value(start)},{zinc.dumps_value(start + timedelta(hours=2))}"
    assert len(session.get("hisRead", id=ref, range=span).rows) == 8
    posted = session.post("hisRead", Grid.from_rows([{"id": point["id"], "range": "today"}]))
    assert all(row["ts"].date() == posted.rows[0]["ts"].date() for row in posted.rows)
    batch = session.post(
        "hisRead",
        Grid.from_rows(
            [{"id": point["id"]}, {"id": first_point(session, "Bool")["id"]}],
            meta={"range": "yesterday"},
        ),
    )
    assert list(batch.columns) == ["ts", "v0", "v1"]
    assert batch.columns["v1"]["id"].dis
    assert isinstance(batch.rows[0]["v1"], bool)
    assert "invalid range" in session.get("hisRead", id=ref, range="someday").meta["dis"]


def test_parse_range_forms() -> None:
    now = datetime(2024, 3, 10, 12, tzinfo=UTC)
    ny = zone_for("New_York")
    assert parse_range("today", "New_York", now) == (
        datetime(2024, 3, 10, tzinfo=ny),
        datetime(2024, 3, 11, tzinfo=ny),
    )
    assert parse_range("yesterday", "New_York", now)[0] == datetime(2024, 3, 9, tzinfo=ny)
    assert parse_range("2024-01-01,2024-01-02", "UTC")[1].date() == date(2024, 1, 3)
    start, end = parse_range("2024-01-01T00:00:00Z UTC", "UTC")
    assert end is None
    assert start == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(OpError, match="invalid range"):
        parse_range("2024-01-01,today,x", "UTC")


def test_filter_evaluator() -> None:
    project = Project("t")
    site = project.commit("add", [{"dis": "S", "site": Marker, "area": Number(10, "ft²")}], False)
    site_ref = site[0]["id"]
    equip = project.commit("add", [{"dis": "E", "equip": Marker, "siteRef": site_ref}], False)
    point = {
        "dis": "P",
        "point": Marker,
        "equipRef": equip[0]["id"],
        "temp": Number(72, "°F"),
        "on": True,
        "day": date(2024, 1, 2),
    }

    def ok(text: str) -> bool:
        return matches(parse_filter(text), point, project.records.get)

    assert ok('equipRef->siteRef->dis == "S"')
    assert ok("equipRef->siteRef->area >= 10ft²")
    assert not ok("equipRef->siteRef->area > 10")
    assert not ok("temp > 70kW")  # different units never compare
    assert ok("temp > 70°F and temp < 80")
    assert ok("on == true and not off")
    assert ok("day < 2024-02-01 or nothing")
    assert not ok("dis->dis")
    assert ok(f"equipRef != @{site_ref.id}")
    assert ok('dis != "Q" and dis >= "A"')
    assert not ok("missing == 1")
    assert len(project.read("site or equip")) == 2


def test_eval_subset(session: Session) -> None:
    def ev(expr: str) -> Grid:
        return session.post("eval", Grid.from_rows([{"expr": expr}]))

    assert len(ev("readAll(point and temp)").rows) == 6
    assert ev("readCount(site)").rows == [{"val": Number(2)}]
    hq = ev('read(site and dis == "Headquarters")').rows[0]
    assert ev(f"readById(@{hq['id'].id})").rows[0]["dis"] == "Headquarters"
    point = first_point(session)
    assert len(ev(f"hisRead(@{point['id'].id}, yesterday)").rows) == 96
    assert isinstance(ev("now()").rows[0]["val"], datetime)
    assert isinstance(ev("today()").rows[0]["val"], date)
    assert ev('"hello"').rows == [{"val": "hello"}]
    assert ev("about()").rows[0]["productName"] == "SkySpark"
    assert ev("drop(everything)").meta["dis"] == "Unknown func: drop"
    assert ev("read(nothing)").meta["errType"] == "haystack::UnknownRecErr"
    assert "syntax" in ev("1 +").meta["dis"]


def test_close_ends_the_session(session: Session) -> None:
    assert session.post("close", Grid()).rows == []
    assert session.http.get("about").status_code == 401


def test_faults_and_restart_keep_state(skyspark_sim: RunningSimulator, session: Session) -> None:
    skyspark_sim.faults.fail_next(1, status=503)
    assert session.http.get("about").status_code == 503
    skyspark_sim.faults.drop_next(1)
    with pytest.raises(httpx.TransportError):
        session.http.get("about")
    added = session.post(
        "commit", Grid.from_rows([{"dis": "Kept", "site": Marker}], meta={"commit": "add"})
    )
    skyspark_sim.faults.restart()
    again = Session(skyspark_sim)
    assert (
        again.post("read", Grid.from_rows([{"id": added.rows[0]["id"]}])).rows[0]["dis"] == "Kept"
    )


def test_haystack_4_json_for_application_json(session: Session) -> None:
    accept = {"Accept": "application/json"}
    response = session.http.get("read", params={"filter": "site"}, headers=accept)
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["_kind"] == "grid"
    assert data["meta"] == {"ver": "3.0"}
    hq = next(row for row in data["rows"] if row["dis"] == "Headquarters")
    assert hq["site"] == {"_kind": "marker"}
    assert hq["area"] == {"_kind": "number", "val": 120000, "unit": "ft²"}
    assert hq["id"]["_kind"] == "ref"
    assert hq["id"]["val"].startswith("p:demo:r:")
    assert hq["id"]["dis"] == "Headquarters"
    assert hq["mod"]["_kind"] == "dateTime"
    assert hq["mod"]["tz"] == "UTC"
    assert hq["mod"]["val"].endswith("Z")
    body = {
        "_kind": "grid",
        "meta": {"ver": "3.0"},
        "cols": [{"name": "id"}],
        "rows": [{"id": {"_kind": "ref", "val": hq["id"]["val"]}}],
    }
    json4 = {**accept, "Content-Type": "application/json"}
    posted = session.http.post("read", json=body, headers=json4)
    assert posted.json()["rows"][0]["dis"] == "Headquarters"
    vnd = {"Accept": "application/vnd.haystack+json", "Content-Type": "application/json"}
    assert session.http.post("read", json=body, headers=vnd).json()["rows"][0]["site"] == {
        "_kind": "marker"
    }
    zinc_answer = session.http.post("read", json=body, headers={"Content-Type": "application/json"})
    assert zinc_answer.headers["Content-Type"].startswith("text/zinc")
    assert zinc.loads(zinc_answer.text).rows[0]["dis"] == "Headquarters"
    bad = session.http.post("read", content="[1]", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    v3_body = {"meta": {"ver": "3.0"}, "cols": [{"name": "id"}], "rows": [{"id": "r:x"}]}
    assert session.http.post("read", json=v3_body, headers=json4).status_code == 400


def test_haystack_3_json_only_when_asked_for(session: Session) -> None:
    v3 = "application/vnd.haystack+json;version=3"
    for mime in (v3, "application/json; version=3"):
        data = session.http.get("read", params={"filter": "site"}, headers={"Accept": mime}).json()
        hq = next(row for row in data["rows"] if row["dis"] == "Headquarters")
        assert hq["site"] == "m:"
        assert hq["area"] == "n:120000 ft²"
        assert hq["id"].startswith("r:p:demo:r:")
    body = {"meta": {"ver": "3.0"}, "cols": [{"name": "id"}], "rows": [{"id": hq["id"].split()[0]}]}
    posted = session.http.post("read", json=body, headers={"Content-Type": v3, "Accept": v3})
    assert posted.json()["rows"][0]["dis"] == "Headquarters"


def test_unsupported_formats_are_refused(session: Session) -> None:
    assert session.http.get("about", headers={"Accept": "text/html"}).status_code == 406
    assert session.http.get("about", headers={"Accept": "*/*"}).status_code == 200
    plain = session.http.post("read", content="x", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_haystack_json_codec_round_trips_every_kind() -> None:

    row = {
        "m": Marker,
        "na": NA,
        "rm": Remove,
        "b": True,
        "s": "plain",
        "colon": "a:b",
        "n": Number(72.5, "°F"),
        "r": Ref("p:x:r:1", "Dis"),
        "u": Uri("http://x"),
        "y": Symbol("elec-meter"),
        "t": datetime(2024, 1, 31, 13, 5, tzinfo=zone_for("New_York")),
        "d": date(2024, 1, 31),
        "c": Coord(37.5, -77.4),
        "x": XStr("Span", "today"),
        "l": [Number(1), "a"],
        "dict": {"a": Marker},
        "g": Grid.from_rows([{"a": Number(1)}]),
    }
    grid = Grid.from_rows([row], meta={"dis": "all kinds"})
    assert hjson.loads(hjson.dumps(grid)) == grid


def test_haystack_json_writes_special_numbers_as_zinc_does() -> None:
    specials = [Number(math.nan), Number(math.inf, "kW"), Number(-math.inf), Number(-2.5, "°F")]
    assert [hjson.encode(n) for n in specials] == ["n:NaN", "n:INF kW", "n:-INF", "n:-2.5 °F"]
    assert [hjson.decode(hjson.encode(n)) for n in specials] == specials


SCALARS = st.one_of(
    st.just(Marker),
    st.just(NA),
    st.just(Remove),
    st.booleans(),
    st.text(max_size=20),
    st.builds(
        Number,
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([None, "kW", "°F", "ft²"]),
    ),
    st.builds(
        Ref,
        st.from_regex(r"[A-Za-z0-9_:\-.~]{1,12}", fullmatch=True),
        st.none() | st.text(min_size=1, max_size=10).filter(lambda t: t.strip() == t and t),
    ),
    st.builds(Uri, st.text(max_size=20)),
    st.dates(),
    st.builds(
        lambda naive: naive.replace(tzinfo=UTC).astimezone(zone_for("New_York")),
        st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2080, 1, 1)),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c_d"]), SCALARS), max_size=4))
def test_haystack_json_round_trips(rows: list[dict[str, Any]]) -> None:
    grid = Grid(columns={"a": {}, "b": {}, "c_d": {}}, rows=rows)
    assert hjson.loads(hjson.dumps(grid)) == grid


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1)), st.integers(min_value=0, max_value=400))
def test_date_ranges_cover_whole_days(first: date, days: int) -> None:
    last = first + timedelta(days=days)
    start, end = parse_range(f"{first},{last}", "Chicago")
    assert end is not None
    assert start.date() == first
    assert end.date() == last + timedelta(days=1)
    assert start.tzinfo == zone_for("Chicago")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_any_range_text_parses_or_is_an_op_error(text: str) -> None:
    outcome = "parsed"
    try:
        parse_range(text, "UTC")
    except OpError as exc:
        outcome = exc.message
    assert outcome


_AXON_PROJECT = Project("fuzz")
seed_project(_AXON_PROJECT, days=1)
_AXON_POINT = next(i for i, rec in _AXON_PROJECT.records.items() if "his" in rec)
_AXON_FUNCS = ["readAll(", "readCount(", "read(", "readById(", "hisRead(", "now()", "about()"]
_AXON_WORDS = st.sampled_from(
    [*_AXON_FUNCS, ")", ",", " ", f"@{_AXON_POINT}", "site", "point and his", "yesterday", "=="]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_AXON_WORDS | st.text(max_size=12), max_size=6).map("".join))
def test_any_axon_text_evaluates_or_is_an_op_error(expr: str) -> None:
    try:
        result = evaluate(expr, _AXON_PROJECT, {"productName": "SkySpark"})
    except OpError as exc:
        assert exc.message  # noqa: PT017
    else:
        assert isinstance(result, Grid)


def test_eval_all_answers_one_zinc_grid_per_expression(session: Session) -> None:
    point = first_point(session)
    ref = point["id"].id
    at = "2023-05-01T12:00:00+00:00"
    write = (
        f'hisWrite({{ts: parseDateTime("{at}", "YYYY-MM-DDThh:mm:ssz")'
        f".toTimeZone(readById(@{ref})->tz), val: 42}}, @{ref})"
    )
    request = Grid.from_rows([{"expr": write}, {"expr": "bogus()"}, {"expr": "readCount(site)"}])
    response = session.http.post(
        "evalAll", content=zinc.dumps(request), headers={**ZINC, "Accept": "application/json"}
    )
    assert response.headers["Content-Type"].startswith("text/zinc")
    grids = [zinc.loads(part) for part in response.text.split("\n\n")]
    assert len(grids) == 3
    assert not grids[0].is_error
    assert grids[1].meta["errType"] == "sys::UnknownFuncErr"
    assert grids[2].rows == [{"val": Number(2)}]
    stored = session.get("hisRead", id=f"@{ref}", range="2023-05-01")
    assert stored.rows == [
        {"ts": datetime(2023, 5, 1, 8, tzinfo=zone_for("New_York")), "val": Number(42, "°F")}
    ]


def test_eval_of_the_published_clients_read_expressions(session: Session) -> None:
    def ev(expr: str) -> Grid:
        return session.post("eval", Grid.from_rows([{"expr": expr}]))

    site = session.get("read", filter="site").rows[0]
    projected = ev(
        f"readByIds([@{site['id'].id}, @p:demo:r:missing], false)"
        '.toRecList.map(r => {id:r["id"], tz:r["tz"]}).toGrid'
    )
    assert [row.get("tz") for row in projected.rows] == [site["tz"], None]
    topics = ev(
        '["point and kind==\\"Bool\\"", "site"].map(f => readAll(parseFilter(f)).toRecList)'
        ".flatten.toGrid"
    )
    assert len(topics.rows) == 3 + 2
    assert ev("readAll(site).size").rows == [{"val": Number(2)}]
    assert ev("nope").meta["dis"] == "Unknown name: nope"
    bad_time = ev('parseDateTime("2023-05-01T12:00:00.5+00:00", "YYYY-MM-DDThh:mm:ssz")')
    assert bad_time.meta["errType"] == "sys::ParseErr"
    no_day = ev('parseDateTime("2023-05 12:00", "YYYY-MM hh:mm")')
    assert no_day.meta["errType"] == "sys::ParseErr"
    assert "needs YYYY, MM and DD" in no_day.meta["dis"]
