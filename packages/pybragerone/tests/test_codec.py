from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybragerone import gateway
from pybragerone.errors import BragerPayloadError
from pybragerone.gateway import BragerGateway
from pybragerone.protocol.payloads import (
    flatten_parameters,
    parse_cell_key,
    parse_parameter_key,
    parse_parameters,
    values_by_device,
    values_of,
)


def test_parse_bare_object_and_metadata_only_cells() -> None:
    payload = {
        "DEV": {
            "P4": {"v1": {"value": 21.5, "updatedAt": 5}, "u1": 1, "s1": {"storable": True}},
        }
    }
    result = parse_parameters(payload)
    by_key = {u.key: u for u in result.updates}
    assert by_key["P4.v1"].value == 21.5
    assert by_key["P4.v1"].meta == {"updatedAt": 5}
    assert by_key["P4.u1"].value == 1
    assert by_key["P4.u1"].meta is None
    assert by_key["P4.s1"].value is None
    assert by_key["P4.s1"].meta == {"storable": True}
    assert by_key["P4.v1"].family == "P4:1"
    assert result.skipped == []


def test_unknown_pools_and_channels_are_skipped_and_reported() -> None:
    payload = {"DEV": {"X9": {"v1": 1}, "P4": {"v": 1, "1v": 2, "v2": 3}, "P5": 7}, "BAD": 3}
    result = parse_parameters(payload)
    assert [u.key for u in result.updates] == ["P4.v2"]
    assert len(result.skipped) == 5
    assert any("unknown pool 'X9'" in s for s in result.skipped)
    assert any("unknown channel 'v'" in s for s in result.skipped)


@pytest.mark.parametrize("payload", [None, [], "x", 3])
def test_non_object_payload_raises_typed_error(payload: Any) -> None:
    with pytest.raises(BragerPayloadError, match="must be an object keyed by device id"):
        parse_parameters(payload)


def test_flatten_parameters_yields_key_value_meta_devid() -> None:
    payload = {
        "FTTCTBSLCE": {
            "P4": {"v1": {"value": 20.5, "storable": True, "updatedAt": 7}, "u1": 1},
            "P5": {"s2": {"storable": True}},
        }
    }
    cells = list(gateway.flatten_parameters(payload))
    assert cells == [
        ("P4.v1", 20.5, {"storable": True, "updatedAt": 7}, "FTTCTBSLCE"),
        ("P4.u1", 1, {}, "FTTCTBSLCE"),
        ("P5.s2", None, {"storable": True}, "FTTCTBSLCE"),  # metadata only
    ]
    for key, val, meta, devid in BragerGateway.flatten_parameters(payload):
        assert (key, val, meta, devid) in cells
    with pytest.raises(BragerPayloadError, match="must be an object keyed by device id"):
        gateway.flatten_parameters(["not", "a", "payload"])


def test_values_by_device_leaves_metadata_only_cells_out() -> None:
    payload = {"DEV": {"P4": {"v1": {"value": 1}, "s1": {"meta": 1}}}}
    assert values_by_device(payload) == {"DEV": {"P4.v1": 1}}
    assert values_of(parse_parameters(payload).updates) == {"DEV": {"P4.v1": 1}}


def test_parse_cell_key() -> None:
    assert parse_cell_key("v12") == ("v", 12)
    assert parse_cell_key("V1") is None
    assert parse_cell_key("v") is None


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("P6.v1", ("P6", "v", 1)),
        ("P4.u12", ("P4", "u", 12)),
        ("P6v1", None),
        ("X6.v1", None),
        ("P6.", None),
        (".v1", None),
        ("P6.v", None),
    ],
)
def test_parse_parameter_key(key: str, parsed: tuple[str, str, int] | None) -> None:
    assert parse_parameter_key(key) == parsed


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False),
    st.text(max_size=5),
)
cell_keys = st.builds(lambda c, i: f"{c}{i}", st.sampled_from("vsunx"), st.integers(0, 300))
pools = st.builds(lambda i: f"P{i}", st.integers(0, 20))
devids = st.text("ABCDEF0123", min_size=1, max_size=8)
nested = st.dictionaries(
    devids,
    st.dictionaries(pools, st.dictionaries(cell_keys, scalars, max_size=6), max_size=3),
    max_size=3,
)


@settings(max_examples=150)
@given(nested)
def test_values_by_device_matches_nested_input(payload: dict[str, Any]) -> None:
    flat = values_by_device(payload)
    expected = {
        devid: {
            f"{pool}.{cell}": value
            for pool, cells in pools_.items()
            for cell, value in cells.items()
        }
        for devid, pools_ in payload.items()
    }
    assert flat == {d: v for d, v in expected.items() if v}
    # the gateway groups the updates it already parsed: the same result, one parse
    assert values_of(parse_parameters(payload).updates) == flat


non_null = st.one_of(st.booleans(), st.integers(-1000, 1000), st.text(max_size=5))
nested_non_null = st.dictionaries(
    devids,
    st.dictionaries(pools, st.dictionaries(cell_keys, non_null, max_size=6), max_size=3),
    max_size=3,
)


@settings(max_examples=150)
@given(nested_non_null)
def test_wrapped_values_flatten_like_bare_values(payload: dict[str, Any]) -> None:
    # (a wrapped null is a metadata-only frame, so nulls are left out of this property)
    wrapped = {
        d: {
            p: {c: {"value": v, "updatedAt": 1} for c, v in cells.items()}
            for p, cells in ps.items()
        }
        for d, ps in payload.items()
    }
    assert values_by_device(wrapped) == values_by_device(payload)
    # the tuples keep what came beside each value
    assert [(k, v, d) for k, v, _, d in flatten_parameters(wrapped)] == [
        (k, v, d) for k, v, _, d in flatten_parameters(payload)
    ]
    assert all(meta == {"updatedAt": 1} for _, _, meta, _ in flatten_parameters(wrapped))


garbage = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=200)
@given(garbage)
def test_parser_never_raises_untyped_errors(payload: Any) -> None:
    try:
        result = parse_parameters(payload)
    except BragerPayloadError:
        assert not isinstance(payload, dict)
    else:
        assert all(u.pool.startswith("P") for u in result.updates)


@given(pools, st.sampled_from("vsunx"), st.integers(0, 99999))
def test_parameter_keys_round_trip(pool: str, chan: str, idx: int) -> None:
    assert parse_parameter_key(f"{pool}.{chan}{idx}") == (pool, chan, idx)
