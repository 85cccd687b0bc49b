import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ensync_core import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncDecryptionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncSubscriptionError,
    EnSyncValidationError,
    byte_size,
    dumps_payload,
    payload_metadata,
    skeleton,
)


def test_skeleton_types() -> None:
    payload = {
        "s": "x",
        "i": 2**31 - 1,
        "l": 2**31,
        "neg": -(2**31) - 1,
        "d": 1.5,
        "b": True,
        "o": {},
        "a": [],
        "n": None,
    }
    assert skeleton(payload) == {
        "s": "string",
        "i": "integer",
        "l": "long",
        "neg": "long",
        "d": "double",
        "b": "boolean",
        "o": "object",
        "a": "array",
        "n": "null",
    }


def test_byte_size_counts_utf8_json() -> None:
    assert byte_size({"k": "é"}) == len('{"k":"é"}'.encode())
    assert payload_metadata({"k": 1}) == {"byte_size": 7, "skeleton": {"k": "integer"}}


@pytest.mark.parametrize("payload", [{"x": object()}, {"x": math.nan}, {1, 2}, b"bytes"])
def test_non_json_payload_is_refused(payload: object) -> None:
    with pytest.raises(EnSyncValidationError, match="not JSON-serializable"):
        dumps_payload(payload)


@pytest.mark.parametrize(
    ("cls", "error_type"),
    [
        (EnSyncAuthError, "EnSyncAuthError"),
        (EnSyncConnectionError, "EnSyncConnectionError"),
        (EnSyncPublishError, "EnSyncPublishError"),
        (EnSyncSubscriptionError, "EnSyncSubscriptionError"),
        (EnSyncDecryptionError, "EnSyncDecryptionError"),
        (EnSyncValidationError, "EnSyncValidationError"),
    ],
)
def test_error_types_and_cause(cls: type[EnSyncError], error_type: str) -> None:
    cause = OSError("boom")
    error = cls("what happened", cause=cause)
    assert isinstance(error, EnSyncError)
    assert error.error_type == error_type
    assert error.cause is cause
    assert error.__cause__ is cause
    assert str(error) == "what happened"
    assert EnSyncError("x", "Custom").error_type == "Custom"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=100)
@given(st.dictionaries(st.text(max_size=5), json_values, max_size=5))
def test_metadata_matches_serialization(payload: dict[str, object]) -> None:
    meta = payload_metadata(payload)
    assert meta["byte_size"] == len(dumps_payload(payload))
    assert set(meta["skeleton"]) == set(payload)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"text": "\ud800"}, "surrogates not allowed"),
        ({1: "a", "1": "b"}, "keys must be strings, got the int key 1"),
        ({"nested": [{None: 1}]}, "keys must be strings, got the NoneType key None"),
    ],
)
def test_payloads_json_would_corrupt_are_refused(payload: object, problem: str) -> None:
    with pytest.raises(EnSyncValidationError, match="not JSON-serializable") as info:
        dumps_payload(payload)
    assert problem in str(info.value)
    assert info.value.__cause__ is not None
    with pytest.raises(EnSyncValidationError, match="not JSON-serializable"):
        payload_metadata(payload)


def test_skeleton_refuses_non_string_keys() -> None:
    with pytest.raises(EnSyncValidationError, match="keys must be strings"):
        skeleton({True: 1})


def test_integer_long_boundary() -> None:
    assert skeleton({"a": -(2**31), "b": -(2**31) - 1, "c": 2**31 - 1, "d": 2**31}) == {
        "a": "integer",
        "b": "long",
        "c": "integer",
        "d": "long",
    }


@settings(max_examples=100)
@given(st.integers())
def test_integer_or_long_property(value: int) -> None:
    expected = "integer" if -(2**31) <= value < 2**31 else "long"
    assert skeleton({"v": value}) == {"v": expected}


@settings(max_examples=100)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters()),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.text(st.characters(), max_size=3) | st.integers(), children, max_size=3
            )
        ),
        max_leaves=10,
    )
)
def test_dumps_payload_round_trips_or_refuses(payload: object) -> None:
    """Any value either serializes to JSON that decodes back to it, or is refused cleanly."""
    outcome: bytes | EnSyncValidationError
    try:
        outcome = dumps_payload(payload)
    except EnSyncValidationError as exc:
        outcome = exc
    if isinstance(outcome, EnSyncValidationError):
        assert "not JSON-serializable" in str(outcome)
        return
    text = outcome
    assert json.loads(text) == json.loads(json.dumps(payload, allow_nan=False))
    assert byte_size(payload) == len(text)
