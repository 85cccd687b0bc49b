"""The Haystack filter parser."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ace_skyspark_lib.exceptions import FilterSyntaxError
from ace_skyspark_lib.filter import And, Compare, Filter, Has, Missing, Or, parse_filter
from ace_skyspark_lib.kinds import Number, Ref


def test_precedence_and_paths() -> None:
    tree = parse_filter('point and equipRef->siteRef->dis == "HQ" or not his')
    assert tree == Or(
        And(Has(("point",)), Compare(("equipRef", "siteRef", "dis"), "==", "HQ")),
        Missing(("his",)),
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("area > 1000ft²", Number(1000, "ft²")),
        ("siteRef == @p:demo:r:1", Ref("p:demo:r:1")),
        ("flag == true", True),
        ("flag != false", False),
        ('dis == "a \\"b\\""', 'a "b"'),
        ("day <= 2024-01-31", date(2024, 1, 31)),
    ],
)
def test_values_use_zinc_syntax(text: str, value: object) -> None:
    tree = parse_filter(text)
    assert isinstance(tree, Compare)
    assert tree.value == value


def test_parentheses_group() -> None:
    assert parse_filter("a and (b or c)") == And(Has(("a",)), Or(Has(("b",)), Has(("c",))))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "empty filter", 0),
        ("site and", "expected a tag name", 8),
        ('dis = "x"', "use '==' to compare", 4),
        ("(a or b", r"missing '\)'", 7),
        ("a ==", "missing value after the operator", 4),
        ("Site", "expected a tag name", 0),
        ("a == [1]", "cannot compare with a list", 5),
        ("a == @", "invalid value", 5),
        ("a b", "unexpected 'b'", 2),
        ("not and", "got the keyword 'and'", 4),
    ],
)
def test_typos_are_clear_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(FilterSyntaxError, match=message) as info:
        parse_filter(text)
    assert info.value.position == position
    assert repr(text) in str(info.value)


NAMES = st.from_regex(r"[a-z_][A-Za-z0-9_]{0,6}", fullmatch=True).filter(
    lambda n: n not in {"and", "or", "not", "true", "false"}
)
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(tuple)
LITERALS = st.one_of(
    st.booleans(),
    st.text(max_size=10),
    st.builds(
        Number, st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([None, "kW"])
    ),
    st.builds(Ref, st.from_regex(r"[a-z0-9:.]{1,10}", fullmatch=True)),
    st.dates(),
)
LEAVES = st.one_of(
    st.builds(Has, PATHS),
    st.builds(Missing, PATHS),
    st.builds(Compare, PATHS, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), LITERALS),
)
TREES = st.recursive(
    LEAVES, lambda inner: st.builds(And, inner, inner) | st.builds(Or, inner, inner), max_leaves=8
)


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_printed_filters_parse_back(tree: Filter) -> None:
    assert parse_filter(str(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_filter_syntax_error(text: str) -> None:
    position = 0
    try:
        parse_filter(text)
    except FilterSyntaxError as exc:
        position = exc.position
    assert 0 <= position <= len(text)
