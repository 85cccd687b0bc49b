"""The hisWrite body: written straight from samples, it is the Zinc of the grid it stands for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ace_skyspark_lib import HistorySample, zinc
from ace_skyspark_lib.exceptions import InvalidInputError
from ace_skyspark_lib.his_write import his_write_bodies, his_write_body
from ace_skyspark_lib.kinds import Grid, Number, Ref, zone_for

NY = zone_for("New_York")
TS = datetime(2024, 1, 1, tzinfo=UTC)


def test_one_point_uses_the_classic_form() -> None:
    body = his_write_body([HistorySample(point_id="a", timestamp=TS, value=1.0, unit="kW")])
    assert body.text == 'ver:"3.0" id:@a\nts,val\n2024-01-01T00:00:00Z UTC,1kW\n'
    assert (body.samples, body.points) == (1, 1)


def test_several_points_share_rows_and_a_later_sample_replaces_an_earlier() -> None:
    one = HistorySample(point_id="a", timestamp=TS, value=1.5, unit="kW")
    two = HistorySample(point_id="b", timestamp=TS, value=True)
    later = HistorySample(point_id="c", timestamp=TS + timedelta(hours=1), value='say "hi"')
    again = HistorySample(point_id="a", timestamp=TS, value=2.5, unit="kW")
    body = his_write_body([later, one, two, again])
    grid = zinc.loads(body.text)
    assert grid.columns == {
        "ts": {},
        "v0": {"id": Ref("c")},
        "v1": {"id": Ref("a")},
        "v2": {"id": Ref("b")},
    }
    assert grid.rows == [
        {"ts": TS, "v1": Number(2.5, "kW"), "v2": True},
        {"ts": TS + timedelta(hours=1), "v0": 'say "hi"'},
    ]
    assert (body.samples, body.points) == (3, 3)


def test_timestamps_go_in_each_points_zone_one_body_per_zone() -> None:
    samples = [
        HistorySample(point_id="ny", timestamp=TS, value=1.0),
        HistorySample(point_id="utc", timestamp=TS, value=2.0),
    ]
    bodies = his_write_bodies(samples, {"ny": NY, "utc": zone_for("UTC")})
    texts = sorted(body.text for body in bodies)
    assert texts == [
        'ver:"3.0" id:@ny\nts,val\n2023-12-31T19:00:00-05:00 New_York,1\n',
        'ver:"3.0" id:@utc\nts,val\n2024-01-01T00:00:00Z UTC,2\n',
    ]


@pytest.mark.parametrize("given_in", [UTC, NY])
def test_both_samples_of_a_fall_back_hour_are_written_in_order(given_in: tzinfo) -> None:
    # 01:30 EDT and 01:30 EST are an hour apart, yet equal as New York datetimes.
    edt = datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    est = edt + timedelta(hours=1)
    before = edt + timedelta(minutes=20)  # 01:50 EDT, between the two
    samples = [
        HistorySample(point_id="p", timestamp=ts.astimezone(given_in), value=value)
        for ts, value in ((est, 2.0), (edt, 1.0), (before, 1.5))
    ]
    body = his_write_body(samples, {"p": NY})
    assert body.text == (
        'ver:"3.0" id:@p\nts,val\n'
        "2024-11-03T01:30:00-04:00 New_York,1\n"
        "2024-11-03T01:50:00-04:00 New_York,1.5\n"
        "2024-11-03T01:30:00-05:00 New_York,2\n"
    )
    assert body.samples == 3


def test_a_timestamp_beyond_the_datetime_range_is_invalid_input() -> None:
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    with pytest.raises(InvalidInputError, match="out of the datetime range"):
        his_write_body([HistorySample(point_id="p", timestamp=edge, value=1.0)], {"p": NY})


def _reference_grid(samples: list[HistorySample], zones: dict[str, tzinfo]) -> Grid:
    """The grid a hisWrite of ``samples`` stands for, built the slow and obvious way."""
    points = list(dict.fromkeys(s.point_id for s in samples))
    # One row per instant (UTC): local times in a fall-back hour compare equal across folds.
    cells: dict[datetime, dict[str, Any]] = {}
    local: dict[datetime, datetime] = {}
    for s in samples:
        zone = zones.get(s.point_id)
        instant = s.timestamp.astimezone(UTC)
        local.setdefault(instant, s.timestamp.astimezone(zone) if zone else s.timestamp)
        value = s.value if isinstance(s.value, bool | str) else Number(s.value, s.unit)
        cells.setdefault(instant, {})[s.point_id] = value
    if len(points) == 1:
        rows = [{"ts": local[t], "val": row[points[0]]} for t, row in sorted(cells.items())]
        return Grid(meta={"id": Ref(points[0])}, columns={"ts": {}, "val": {}}, rows=rows)
    names = {p: f"v{i}" for i, p in enumerate(points)}
    columns: dict[str, dict[str, Any]] = {"ts": {}}
    columns.update({names[p]: {"id": Ref(p)} for p in points})
    rows = [
        {"ts": local[t], **{names[p]: v for p, v in row.items()}}
        for t, row in sorted(cells.items())
    ]
    return Grid(columns=columns, rows=rows)


FALL_BACK = datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT; an hour later 01:30 EST


SAMPLES = st.lists(
    st.builds(
        HistorySample,
        point_id=st.sampled_from(["a", "b", "p:demo:r:1", "x.y~z"]),
        timestamp=st.integers(0, 5).map(lambda m: TS + timedelta(minutes=m))
        | st.just(TS.astimezone(NY))
        | st.sampled_from([0, 20, 60, 80]).map(lambda m: FALL_BACK + timedelta(minutes=m))
        | st.sampled_from([0, 20, 60, 80]).map(
            lambda m: (FALL_BACK + timedelta(minutes=m)).astimezone(NY)
        ),
        value=st.floats(allow_nan=True) | st.booleans() | st.text(max_size=8),
        unit=st.sampled_from([None, "kW", "°F", "%"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(SAMPLES, st.sampled_from([{}, {"a": NY}, {"a": NY, "b": zone_for("Tokyo")}]))
def test_the_body_is_the_zinc_of_the_grid_it_stands_for(
    samples: list[HistorySample], zones: dict[str, tzinfo]
) -> None:
    bodies = his_write_bodies(samples, zones)
    assert sum(body.points for body in bodies) == len({s.point_id for s in samples})
    for body in bodies:
        grid = zinc.loads(body.text)
        ids = (
            [grid.meta["id"].id]
            if "id" in grid.meta
            else [meta["id"].id for name, meta in grid.columns.items() if name != "ts"]
        )
        group = [s for s in samples if s.point_id in ids]
        expected = _reference_grid(group, zones)
        assert body.text == zinc.dumps(expected)
        assert body.samples == sum(len(row) - 1 for row in expected.rows)
