"""Models: validation and conversion to and from Haystack dicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ace_skyspark_lib.kinds import Marker, Number, Ref
from ace_skyspark_lib.models import Equipment, HistorySample, Point, Site


def test_site_round_trip() -> None:
    site = Site(dis="HQ", refName="hq", tz="New_York", area=1000, marker_tags=["campus"])
    tags = site.to_haystack()
    assert tags == {
        "dis": "HQ",
        "site": Marker,
        "refName": "hq",
        "tz": "New_York",
        "area": Number(1000, "ft²"),
        "campus": Marker,
    }
    assert Site.from_haystack({**tags, "id": Ref("p:x:r:1")}).id == "p:x:r:1"


def test_point_from_haystack_splits_tags() -> None:
    point = Point.from_haystack(
        {
            "id": Ref("p:x:r:3", "DAT"),
            "dis": "DAT",
            "point": Marker,
            "his": Marker,
            "sensor": Marker,
            "kind": "Number",
            "unit": "°F",
            "tz": "New_York",
            "siteRef": Ref("p:x:r:1"),
            "equipRef": Ref("p:x:r:2"),
            "refName": "dat",
            "precision": Number(1),
        }
    )
    assert point.id == "p:x:r:3"
    assert point.marker_tags == ["sensor"]
    assert point.kv_tags == {"precision": Number(1)}
    assert point.his
    assert point.to_haystack()["equipRef"] == Ref("p:x:r:2")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Site(dis="x", tz="Atlantis"), "unknown time zone 'Atlantis'"),
        (lambda: Point(dis="p", site_ref="s", equip_ref="e", kind="Float"), "kind"),
        (lambda: Point(dis="p", site_ref="bad ref", equip_ref="e"), "site_ref must be a ref id"),
        (lambda: Point(dis="p", site_ref="s", equip_ref="e", unit="9x"), "invalid unit"),
        (lambda: Equipment(dis="e", site_ref="s", marker_tags=["Bad"]), "invalid marker tag"),
        (lambda: Equipment(dis="e", site_ref="s", kv_tags={"no spaces": 1}), "invalid tag name"),
    ],
)
def test_validation_names_the_problem(build: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build()  # type: ignore[operator]


def test_history_sample_needs_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        HistorySample(point_id="p:x:r:1", timestamp=datetime(2024, 1, 1), value=1.0)
    sample = HistorySample(point_id="@p:x:r:1", timestamp=datetime(2024, 1, 1, tzinfo=UTC), value=1)
    assert sample.point_id == "p:x:r:1"
    assert isinstance(sample.value, float)
    assert sample.value == 1.0


REF_IDS = st.from_regex(r"[A-Za-z0-9_:\-.~]{1,16}", fullmatch=True)
TAGS = st.from_regex(r"[a-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda t: t not in Point.own_tags | {"point"}
)
POINTS = st.builds(
    Point,
    id=st.none() | REF_IDS,
    dis=st.text(min_size=1, max_size=20),
    refName=st.none() | st.text(max_size=10),
    site_ref=REF_IDS,
    equip_ref=REF_IDS,
    kind=st.sampled_from(["Number", "Bool", "Str"]),
    unit=st.sampled_from([None, "°F", "kW", "%", "ft²"]),
    tz=st.sampled_from(["UTC", "New_York", "Berlin", "GMT+5"]),
    his=st.booleans(),
    marker_tags=st.lists(TAGS, max_size=4),
    kv_tags=st.dictionaries(
        TAGS, st.text(max_size=5) | st.builds(Number, st.integers()), max_size=3
    ),
)


@settings(max_examples=150, deadline=None)
@given(POINTS)
def test_any_point_round_trips_through_haystack(point: Point) -> None:
    tags = point.to_haystack()
    assert tags["point"] is Marker
    kv = point.kv_tags  # a name in both lists is a value tag: the value wins
    again = Point.from_haystack(tags)
    assert again.model_dump(exclude={"kv_tags", "marker_tags"}) == point.model_dump(
        exclude={"kv_tags", "marker_tags"}
    )
    assert set(again.marker_tags) == set(point.marker_tags) - set(kv)
    assert again.kv_tags == kv
