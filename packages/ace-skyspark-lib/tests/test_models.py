"""Models: validation and conversion to and from Haystack dicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
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
