from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybragerone.assets import (
    HA_CATEGORIES,
    AssetCatalog,
    JSRef,
    ha_category,
    ha_unit,
    iter_object_literals,
    parse_i18n,
    parse_js_literal,
    parse_module_menu,
    parse_param_bundle,
    unit_code,
)
from pybragerone.errors import BragerAssetError

# Synthetic minified bundles in the shapes the web app ships.
PARAMS_JS = (
    '"use strict";(self.webpackChunkone=self.webpackChunkone||[]).push([[9],{'
    "101:(e,t,a)=>{a.d(t,{A:()=>r});const r={name:'PARAM_0',group:'P4',number:1,use:'v',"
    "unit:{group:'P4',number:1,use:'u'},min:{group:'P4',number:1,use:'n'},"
    "max:{group:'P4',number:1,use:'x'},writable:!1,}},"
    '102:(e,t,a)=>{const r={name:"PARAM_1",group:"P6",number:2,unit:1,writable:!0,'
    "/* setpoint */ note:`DHW`,extra:void 0,ref:a.b.c,hex:0x1F,neg:-1.5e1}}}]);"
)
MENU_JS = (
    "const e={priority:2,routes:[{name:'boiler',meta:{displayName:'menu.boiler',"
    "permission:'MENU_A',minLevel:0},parameters:{read:['PARAM_0'],write:[]},"
    "children:[{name:'settings',meta:{permission:'MENU_B',minLevel:1},"
    "parameters:{read:[],write:[{token:'PARAM_1',permission:'WRITE'}]},children:[]}]},"
    "{name:'service',meta:{permission:'SERVICE',minLevel:3},parameters:{read:['PARAM_9']}},"
    "]};export{e as default};"
)
LABELS = json.dumps({"parameters": {"PARAM_0": "Boiler temperature", "PARAM_1": "DHW setpoint"}})
UNITS = json.dumps({"units": {"1": "°C", "2": "%"}})


def test_js_literal_handles_minifier_output() -> None:
    value, end = parse_js_literal("{a:1,'b':\"x\\u0041\",c:[!0,!1,null,],d:{e:void 0},f:g.h,}")
    assert value == {
        "a": 1,
        "b": "xA",
        "c": [True, False, None],
        "d": {"e": None},
        "f": JSRef("g.h"),
    }
    assert end == len("{a:1,'b':\"x\\u0041\",c:[!0,!1,null,],d:{e:void 0},f:g.h,}")


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{a:", "unexpected end"),
        ("{a:f()}", "not a literal"),
        ("{a 1}", "expected ':'"),
        ("'x", "unterminated string"),
        ("{a:" + "9" * 5000 + "}", "number too long"),
    ],
)
def test_js_literal_errors_are_typed_and_name_the_problem(source: str, problem: str) -> None:
    with pytest.raises(BragerAssetError, match=problem):
        parse_js_literal(source)


def test_a_huge_number_skips_only_its_literal(caplog: pytest.LogCaptureFixture) -> None:
    bundle = "x={name:'PARAM_0',group:'P4',number:" + "1" * 5000 + "};" + PARAMS_JS
    assert [m.symbol for m in parse_param_bundle(bundle)] == ["PARAM_0", "PARAM_1"]
    with pytest.raises(BragerAssetError, match="holds no"):
        parse_param_bundle("x={name:'PARAM_0',group:'P4',number:" + "1" * 5000 + "};")
    catalog = AssetCatalog.from_sources(menu_js="e={routes:[],priority:" + "7" * 5000 + "}")
    assert catalog.skipped_assets == 1


HOSTILE_JSON = ['{"a": ' + "1" * 5000 + "}", "[" * 100_000, '{"a": ' * 100_000]


@pytest.mark.parametrize("text", HOSTILE_JSON, ids=["huge-number", "deep-array", "deep-object"])
def test_hostile_json_assets_are_asset_errors(text: str) -> None:
    with pytest.raises(BragerAssetError, match="language pack"):
        parse_i18n(text)
    with pytest.raises(BragerAssetError, match=r"module\.menu holds no object"):
        parse_module_menu(text)
    catalog = AssetCatalog.from_sources(parameters_json=text, units_json=text, menu_js=text)
    assert catalog.skipped_assets == 3


def test_literals_after_a_too_deep_one_are_still_found() -> None:
    deep = "x=" + "{a:" * 300 + "1" + "}" * 300 + ";"
    assert [m.symbol for m in parse_param_bundle(deep + PARAMS_JS)] == ["PARAM_0", "PARAM_1"]


def test_deep_nesting_is_an_asset_error() -> None:
    with pytest.raises(BragerAssetError, match="too deep"):
        parse_js_literal("[" * 500 + "]" * 500)


def test_iter_object_literals_skips_code() -> None:
    src = "function f(a){return a}var x={k:1};if(y){z()}call({k:2})"
    assert list(iter_object_literals(src)) == [{"k": 1}, {"k": 2}]


def test_param_bundle() -> None:
    mappings = {m.symbol: m for m in parse_param_bundle(PARAMS_JS)}
    assert set(mappings) == {"PARAM_0", "PARAM_1"}
    first = mappings["PARAM_0"]
    assert (first.pool, first.index, first.channel, first.family) == ("P4", 1, "v", "P4:1")
    assert first.unit_ref is not None
    assert first.unit_ref.key == "P4.u1"
    assert not first.writable
    assert mappings["PARAM_1"].unit == 1
    assert mappings["PARAM_1"].writable


def test_garbage_bundle_raises_typed_error() -> None:
    with pytest.raises(BragerAssetError, match="holds no"):
        parse_param_bundle("<html>not js</html>")


def test_i18n_flattening_and_errors() -> None:
    assert parse_i18n(LABELS)["parameters.PARAM_0"] == "Boiler temperature"
    assert parse_i18n('{"a": {"b": 3, "c": [1], "d": null}}') == {"a.b": "3"}
    with pytest.raises(BragerAssetError, match="not valid JSON"):
        parse_i18n("{nope")
    with pytest.raises(BragerAssetError, match="must be a JSON object"):
        parse_i18n("[1, 2]")


def test_menu_visibility_by_permission_and_level() -> None:
    menu = parse_module_menu(MENU_JS)
    assert menu.priority == 2
    assert menu.all_symbols() == {"PARAM_0", "PARAM_1", "PARAM_9"}
    assert menu.visible_symbols(["MENU_A"]) == {"PARAM_0"}
    assert menu.visible_symbols(["MENU_A", "MENU_B"], level=1) == {"PARAM_0"}
    assert menu.visible_symbols(["MENU_A", "MENU_B", "WRITE"], level=1) == {"PARAM_0", "PARAM_1"}
    # a hidden section hides its children
    assert menu.visible_symbols(["MENU_B", "WRITE"], level=5) == set()
    assert menu.visible_symbols(["SERVICE"], level=3) == {"PARAM_9"}


def test_menu_from_rest_device_menu_and_errors() -> None:
    menu = parse_module_menu({"priority": 1, "deviceMenu": {"routes": [{"name": "x"}]}})
    assert [r.name for r in menu.routes] == ["x"]
    assert parse_module_menu('{"routes": []}').routes == []
    with pytest.raises(BragerAssetError, match="no object with 'routes'"):
        parse_module_menu("var a=1;")
    for answer in ({"deviceMenu": {"routes": 5}}, {"priority": 1}, {"routes": "x"}):
        with pytest.raises(BragerAssetError, match="no object with 'routes'"):
            parse_module_menu(answer)
    # a literal without a routes list is passed over for the next one
    menu = parse_module_menu("x={deviceMenu:{a:1}};y={routes:[{name:'b'}]};")
    assert [r.name for r in menu.routes] == ["b"]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "routes",
                    "deviceMenu",
                    "name",
                    "meta",
                    "parameters",
                    "children",
                    "read",
                    "write",
                    "token",
                    "permission",
                    "minLevel",
                    "priority",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_like)
def test_menu_answers_give_a_menu_or_an_asset_error(answer: Any) -> None:
    if not isinstance(answer, dict):
        answer = {"routes": answer}
    try:
        menu = parse_module_menu(answer)
    except BragerAssetError as exc:
        assert "no object with 'routes'" in str(exc)  # noqa: PT017
    else:
        assert all(isinstance(s, str) for s in menu.all_symbols())
        menu.visible_symbols(["PARAM_READ"], level=5)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (1, "°C"),
        ("°C", "°C"),
        ("st. C", "°C"),
        ("C", "°C"),
        (2, "%"),
        ("bar", "bar"),
        ("kW", "kW"),
        ("W", "W"),
        ("kWh", "kWh"),
        ("h", "h"),
        ("min", "min"),
        ("s", "s"),
        ("m3/h", "m³/h"),
        (10, "m³/h"),
        ("3", "bar"),
        (999, None),
        ("parsec", None),
        (None, None),
        (True, None),
    ],
)
def test_home_assistant_units(unit: Any, expected: str | None) -> None:
    assert ha_unit(unit) == expected


def test_catalog_resolves_labels_units_and_visibility() -> None:
    catalog = AssetCatalog.from_sources(
        parameters_json=LABELS, units_json=UNITS, bundles=[PARAMS_JS], menu_js=MENU_JS
    )
    assert catalog.skipped_assets == 0
    d = catalog.describe("P4", 1, unit_code=1)
    assert (d.symbol, d.label, d.unit, d.ha_unit) == ("PARAM_0", "Boiler temperature", "°C", "°C")
    d = catalog.describe("P6", 2)
    assert (d.label, d.unit, d.writable) == ("DHW setpoint", "°C", True)
    unknown = catalog.describe("P9", 9, unit_code=2)
    assert (unknown.symbol, unknown.label, unknown.unit) == (None, "P9:9", "%")
    assert catalog.is_visible("P4", 1, ["MENU_A"])
    assert not catalog.is_visible("P6", 2, ["MENU_A"])
    assert not catalog.is_visible("P9", 9, ["MENU_A"])


def test_garbage_assets_are_logged_skipped_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pybragerone.assets.catalog"):
        catalog = AssetCatalog.from_sources(
            parameters_json="{oops", units_json="[]", bundles=["garbage", PARAMS_JS], menu_js="x"
        )
    assert catalog.skipped_assets == 4
    assert catalog.mapping_for("P4", 1) is not None
    assert "skipping parameter bundle #0" in caplog.text


# -- property tests ---------------------------------------------------------------------------

keys = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,6}", fullmatch=True).filter(
    lambda k: k not in {"true", "false", "null", "undefined", "void"}
)
leaves = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


def to_js(value: Any, rnd: st.DataObject) -> str:
    if value is True:
        return rnd.draw(st.sampled_from(["!0", "true"]))
    if value is False:
        return rnd.draw(st.sampled_from(["!1", "false"]))
    if value is None:
        return rnd.draw(st.sampled_from(["null", "void 0"]))
    if isinstance(value, str):
        if rnd.draw(st.booleans()) and "'" not in value and "\\" not in value and "\n" not in value:
            return f"'{value}'"
        return json.dumps(value)
    if isinstance(value, list):
        inner = ",".join(to_js(v, rnd) for v in value)
        return f"[{inner}{',' if value and rnd.draw(st.booleans()) else ''}]"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            key = k if rnd.draw(st.booleans()) else json.dumps(k)
            parts.append(f"{key}:{to_js(v, rnd)}")
        trailing = "," if parts and rnd.draw(st.booleans()) else ""
        return "{" + ",".join(parts) + trailing + "}"
    return str(value)


@settings(max_examples=150)
@given(values, st.data())
def test_js_literal_round_trip(value: Any, data: st.DataObject) -> None:
    parsed, _ = parse_js_literal(to_js(value, data))
    assert parsed == value


@settings(max_examples=200)
@given(st.text(alphabet="{}[]:,'\"!01ab .-x/*\\u`$()=", max_size=60))
def test_js_parsers_never_raise_untyped_errors(source: str) -> None:
    with contextlib.suppress(BragerAssetError):
        parse_js_literal(source)
    list(iter_object_literals(source))
    for parse in (parse_param_bundle, parse_module_menu):
        with contextlib.suppress(BragerAssetError):
            parse(source)


@settings(max_examples=100)
@given(
    st.dictionaries(
        keys,
        st.dictionaries(keys, st.text(max_size=5), max_size=3) | st.text(max_size=5),
        max_size=5,
    )
)
def test_i18n_flatten_property(data: dict[str, Any]) -> None:
    flat = parse_i18n(json.dumps(data))
    for key, value in data.items():
        if isinstance(value, str):
            assert flat[key] == value
        else:
            for inner, text in value.items():
                assert flat[f"{key}.{inner}"] == text


mapping_rows = st.lists(
    st.tuples(
        st.from_regex(r"PARAM_[0-9]{1,3}", fullmatch=True),
        st.integers(0, 99),
        st.integers(0, 500),
        st.booleans(),
    ),
    max_size=6,
    unique_by=lambda row: row[0],
)


@settings(max_examples=100)
@given(mapping_rows, st.sampled_from(["'", '"']))
def test_param_bundle_round_trip(rows: list[tuple[str, int, int, bool]], quote: str) -> None:
    chunks = [
        f"{n}:(e,t,a)=>{{const r={{name:{quote}{sym}{quote},group:{quote}P{pool}{quote},"
        f"number:{idx},unit:{{group:'P{pool}',number:{idx},use:'u'}},"
        f"writable:{'!0' if w else '!1'},}}}}"
        for n, (sym, pool, idx, w) in enumerate(rows)
    ]
    source = "(self.c=self.c||[]).push([[1],{" + ",".join(chunks) + "}]);"
    if not rows:
        with pytest.raises(BragerAssetError):
            parse_param_bundle(source)
        return
    parsed = parse_param_bundle(source)
    assert [(m.symbol, m.pool, m.index, m.writable) for m in parsed] == [
        (sym, f"P{pool}", idx, w) for sym, pool, idx, w in rows
    ]
    assert all(m.unit_ref is not None and m.unit_ref.channel == "u" for m in parsed)


routes_tree = st.recursive(
    st.fixed_dictionaries(
        {
            "perm": st.sampled_from([None, "A", "B"]),
            "level": st.integers(0, 3),
            "params": st.lists(st.sampled_from(["PARAM_1", "PARAM_2", "PARAM_3"]), max_size=2),
            "children": st.just([]),
        }
    ),
    lambda inner: st.fixed_dictionaries(
        {
            "perm": st.sampled_from([None, "A", "B"]),
            "level": st.integers(0, 3),
            "params": st.lists(st.sampled_from(["PARAM_4", "PARAM_5"]), max_size=2),
            "children": st.lists(inner, max_size=2),
        }
    ),
    max_leaves=6,
)


def route_js(route: dict[str, Any], n: int) -> str:
    perm = "" if route["perm"] is None else f"permission:'{route['perm']}',"
    params = ",".join(f"'{p}'" for p in route["params"])
    children = ",".join(route_js(c, n * 10 + i) for i, c in enumerate(route["children"]))
    return (
        f"{{name:'r{n}',meta:{{{perm}minLevel:{route['level']}}},"
        f"parameters:{{read:[{params}],write:[]}},children:[{children}]}}"
    )


def expected_visible(routes: list[dict[str, Any]], perms: set[str], level: int) -> set[str]:
    seen: set[str] = set()
    for route in routes:
        if (route["perm"] is None or route["perm"] in perms) and route["level"] <= level:
            seen.update(route["params"])
            seen |= expected_visible(route["children"], perms, level)
    return seen


@settings(max_examples=100)
@given(
    st.lists(routes_tree, max_size=3),
    st.sets(st.sampled_from(["A", "B"])),
    st.integers(0, 3),
)
def test_menu_visibility_property(
    routes: list[dict[str, Any]], perms: set[str], level: int
) -> None:
    source = (
        "const e={priority:1,routes:["
        + ",".join(route_js(r, i) for i, r in enumerate(routes))
        + "]};"
    )
    menu = parse_module_menu(source)
    assert menu.visible_symbols(perms, level) == expected_visible(routes, perms, level)


@settings(max_examples=200)
@given(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.lists(st.integers(), max_size=2)
)
def test_unit_resolution_takes_any_value(unit: Any) -> None:
    catalog = AssetCatalog.from_sources(units_json=UNITS)
    text = catalog.unit_text(unit)
    assert text is None or (isinstance(text, str) and text == text.strip() and text)
    assert ha_unit(unit) in {None, *ha_values}
    assert ha_category(unit) in {None, *HA_CATEGORIES.values()}
    code = unit_code(unit)
    assert code is None or isinstance(code, int)


ha_values = {"°C", "%", "bar", "kW", "W", "kWh", "h", "min", "s", "m³/h"}


@pytest.mark.parametrize(
    ("unit", "code"), [(1, 1), (1.0, 1), (" 7 ", 7), (1.5, None), ("²", None), ("9" * 10, None)]
)
def test_unit_code(unit: Any, code: int | None) -> None:
    assert unit_code(unit) == code


@pytest.mark.parametrize(
    ("unit", "category"),
    [
        ("°C", "temperature"),
        (1, "temperature"),  # unit code 1 is °C
        ("st. C", "temperature"),
        ("%", "percentage"),
        (2, "percentage"),
        ("bar", "pressure"),
        ("kW", "power"),
        ("W", "power"),
        ("kWh", "energy"),
        ("h", "duration"),
        ("min", "duration"),
        ("s", "duration"),
        ("m3 / h", "volume_flow_rate"),
        ("lux", None),
        (None, None),
    ],
)
def test_ha_category(unit: Any, category: str | None) -> None:
    assert ha_category(unit) == category


def test_every_ha_unit_has_a_category() -> None:
    assert set(HA_CATEGORIES) == ha_values


def test_a_described_family_carries_its_ha_category() -> None:
    catalog = AssetCatalog.from_sources(units_json=UNITS)
    assert catalog.describe("P4", 1, unit_code=1).ha_category == "temperature"
    assert catalog.describe("P4", 1).ha_category is None
