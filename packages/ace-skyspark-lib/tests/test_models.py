"""Models: validation and conversion to and from Haystack dicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ace_skyspark_lib.exceptions import TagNotFoundError, UnknownKeywordError
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


# -- the seed's keywords and shapes ---------------------------------------------------------------


def test_unknown_keywords_are_refused_with_a_typed_error() -> None:
    with pytest.raises(UnknownKeywordError, match=r"'area_sq_ft' \(did you mean 'area_sqft'\?\)"):
        Site(dis="HQ", area_sq_ft=1.0)
    with pytest.raises(TypeError, match="kv_tags"):  # also a TypeError, like any Python call
        Point(dis="P", site_ref="p:1", equip_ref="p:2", priority="high")
    with pytest.raises(UnknownKeywordError, match=r"did you mean 'refName'"):
        Equipment(dis="AHU", site_ref="p:1", ref_name="ahu")
    with pytest.raises(UnknownKeywordError, match="point_id"):
        HistorySample(pointId="p:1", timestamp=datetime.now(UTC), value=1.0)


def test_area_sqft_sets_area_in_square_feet() -> None:
    site = Site(dis="HQ", area_sqft=50000.0)
    assert site.area == Number(50000.0, "ft²")
    assert site.area_sqft == 50000.0
    assert site.to_haystack()["area"] == Number(50000.0, "ft²")
    assert Site(dis="Plain", area_sqft=None).area is None
    with pytest.raises(ValidationError, match="area or area_sqft, not both"):
        Site(dis="HQ", area=1, area_sqft=2)
    with pytest.raises(ValidationError, match="number of square feet"):
        Site(dis="HQ", area_sqft="big")


def test_time_zones_iana_on_the_model_haystack_on_the_wire() -> None:
    site = Site(dis="HQ", tz="America/New_York")
    assert site.tz == "America/New_York"
    assert site.to_haystack()["tz"] == "New_York"
    assert Site(dis="HQ", tz="New_York").tz == "America/New_York"
    assert Site.from_haystack({"dis": "HQ", "tz": "Chicago"}).tz == "America/Chicago"
    assert Site(dis="HQ").tz == "UTC"
    assert Site(dis="HQ").to_haystack()["tz"] == "UTC"
    with pytest.raises(ValidationError, match="has no Haystack name"):
        Site(dis="HQ", tz="US/Eastern")
    with pytest.raises(ValidationError, match="unknown time zone 'Atlantis'"):
        Point(dis="P", site_ref="p:1", equip_ref="p:2", tz="Atlantis")


def test_models_read_like_the_records_they_are() -> None:
    point = Point(
        id="p:demo:r:9",
        dis="DAT",
        site_ref="p:demo:r:1",
        equip_ref="p:demo:r:2",
        marker_tags=["sensor"],
        kv_tags={"priority": "high"},
    )
    assert point["id"]["val"] == "p:demo:r:9"
    assert point["siteRef"]["val"] == "p:demo:r:1"
    assert point.get("refName") is None
    assert point.get("priority") == "high"
    assert "sensor" in point
    assert "cur" not in point
    with pytest.raises(TagNotFoundError, match="'DAT' has no tag 'curVal'") as info:
        point["curVal"]
    assert isinstance(info.value, KeyError)


def test_kinds_answer_hayson_keys() -> None:
    ref = Ref("p:demo:r:1", "HQ")
    assert (ref["val"], ref["dis"], ref["_kind"]) == ("p:demo:r:1", "HQ", "ref")
    assert Number(72.5, "°F")["unit"] == "°F"
    assert Number(1)["val"] == 1.0
    assert Marker["_kind"] == "marker"
    assert Ref("a").get("dis", "none") == "none"
    assert Ref("a").get("nope") is None
    with pytest.raises(TagNotFoundError, match="Ref has no key 'id'; it has '_kind', 'val'"):
        ref["id"]
    with pytest.raises(TypeError, match="Hayson names"):
        ref[0]  # type: ignore[index]
