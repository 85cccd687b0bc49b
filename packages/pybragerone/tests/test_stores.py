from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybragerone.assets import AssetCatalog
from pybragerone.events import EventBus
from pybragerone.models.param import ParamUpdate
from pybragerone.store.param import ParamStore
from pybragerone.store.state import StateStore

from .test_assets import LABELS, PARAMS_JS, UNITS


def u(
    key: str, value: object, meta: dict[str, object] | None = None, devid: str = "D"
) -> ParamUpdate:
    pool, _, cell = key.partition(".")
    return ParamUpdate(devid, pool, cell[0], int(cell[1:]), value, meta)


def test_param_store_keeps_latest_value_and_meta() -> None:
    store = ParamStore()
    store.ingest(u("P4.v1", 20.0, {"updatedAt": 1}))
    store.ingest(u("P4.v1", 21.0))
    store.ingest(u("P4.v1", None, {"storable": True}))  # metadata-only keeps the value
    store.ingest(u("P4.v1", 5, devid="E"))
    assert store.get("D", "P4.v1") == 21.0
    assert store.meta("D", "P4.v1") == {"updatedAt": 1, "storable": True}
    assert store.get("E", "P4.v1") == 5
    assert store.get("D", "P9.v9", "missing") == "missing"
    assert store.to_nested() == {"D": {"P4": {"v1": 21.0}}, "E": {"P4": {"v1": 5}}}
    assert store.snapshot() == {"D": {"P4.v1": 21.0}, "E": {"P4.v1": 5}}
    assert len(store) == 2
    assert sorted(store.devices) == ["D", "E"]


async def test_stores_run_on_a_bus_and_subscribe_immediately() -> None:
    bus = EventBus()
    params = ParamStore()
    catalog = AssetCatalog.from_sources(
        parameters_json=LABELS, units_json=UNITS, bundles=[PARAMS_JS]
    )
    states = StateStore(catalog)
    tasks = [asyncio.create_task(params.run(bus)), asyncio.create_task(states.run(bus))]
    bus.publish_many(
        [u("P4.v1", 54.5), u("P4.u1", 1), u("P4.s1", 0), u("P4.n1", 0), u("P4.x1", 95)]
    )
    bus.publish(u("P9.v3", 7))  # a family no asset describes
    bus.publish_many([u("P9.u3", 1), u("P9.u3", 2)])  # its unit cell, twice (as re-primes do)
    bus.close()
    await asyncio.gather(*tasks)
    assert params.last_seq == 8
    assert states.last_seq == 8
    family = states.family("D", "P4:1")
    assert family is not None
    assert (family.value, family.status, family.minimum, family.maximum) == (54.5, 0, 0, 95)
    assert (family.label, family.unit, family.ha_unit, family.symbol) == (
        "Boiler temperature",
        "°C",
        "°C",
        "PARAM_0",
    )
    flat = states.flatten()
    assert flat["D"]["P4:1"]["value"] == 54.5
    assert flat["D"]["P9:3"]["label"] == "P9:3"
    assert states.unknown_families == 1  # a count of families, not of lookups
    assert [f.name for f in states.families("D")] == ["P4:1", "P9:3"]


def test_state_store_relabels_when_catalog_changes() -> None:
    states = StateStore()
    states.ingest(u("P4.v1", 1))
    states.ingest(u("P4.u1", 1))
    family = states.family("D", "P4:1")
    assert family is not None
    assert family.label == "P4:1"
    assert family.unit == "°C"  # the built-in unit table works without assets
    states.set_catalog(AssetCatalog.from_sources(parameters_json=LABELS, bundles=[PARAMS_JS]))
    assert family.label == "Boiler temperature"


def test_state_store_flatten_filters_by_menu_visibility() -> None:
    from .test_assets import MENU_JS

    catalog = AssetCatalog.from_sources(
        parameters_json=LABELS, bundles=[PARAMS_JS], menu_js=MENU_JS
    )
    states = StateStore(catalog)
    for update in (u("P4.v1", 50), u("P6.v2", 55), u("P9.v1", 1)):
        states.ingest(update)
    assert set(states.flatten()["D"]) == {"P4:1", "P6:2", "P9:1"}
    assert set(states.flatten(["MENU_A"])["D"]) == {"P4:1"}
    assert set(states.flatten(["MENU_A", "MENU_B", "WRITE"], level=1)["D"]) == {"P4:1", "P6:2"}


@pytest.mark.parametrize(
    ("unit", "text"),
    [
        (1, "°C"),
        (1.0, "°C"),
        (" 2 ", "%"),
        ("bar", "bar"),
        (1.5, None),
        ([1], None),
        ({"value": 1}, None),
        ("²", None),
        ("9" * 5000, None),
        (True, None),
    ],
)
def test_state_store_takes_any_unit_cell(unit: object, text: str | None) -> None:
    # The u cell comes from the network: a garbled one must not stop the store's task.
    states = StateStore(AssetCatalog.from_sources(units_json=UNITS))
    states.ingest(u("P4.v1", 50))
    states.ingest(u("P4.u1", unit))
    family = states.family("D", "P4:1")
    assert family is not None
    assert family.unit == text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@settings(max_examples=200)
@given(st.sampled_from("vsunx"), json_values, st.none() | st.dictionaries(st.text(), json_values))
def test_state_store_ingests_any_cell(chan: str, value: object, meta: Any) -> None:
    catalog = AssetCatalog.from_sources(units_json=UNITS, bundles=[PARAMS_JS])
    states = StateStore(catalog)
    states.ingest(ParamUpdate("D", "P4", chan, 1, value, meta))
    family = states.family("D", "P4:1")
    assert family is not None
    assert family.unit is None or isinstance(family.unit, str)
    assert family.ha_unit is None or isinstance(family.ha_unit, str)


async def test_a_failing_ingest_is_logged_counted_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Picky(ParamStore):
        def ingest(self, update: ParamUpdate) -> None:
            if update.value == "bad":
                raise RuntimeError("store bug")
            super().ingest(update)

    bus = EventBus()
    store = Picky()
    task = asyncio.create_task(store.run(bus))
    bus.publish_many([u("P4.v1", 1), u("P4.v2", "bad"), u("P4.v3", 3)])
    await asyncio.wait_for(store.wait_until(bus.last_seq), 5)
    bus.publish(u("P4.v2", "bad"))  # the last update of a batch fails: waiters still wake
    await asyncio.wait_for(store.wait_until(bus.last_seq), 5)
    assert store.snapshot() == {"D": {"P4.v1": 1, "P4.v3": 3}}
    assert store.failed == 2
    assert "ParamStore could not apply P4.v2; skipped" in caplog.text
    bus.close()
    await task


async def test_wait_for_consumers_skips_what_a_late_store_never_receives() -> None:
    bus = EventBus()
    early = ParamStore()
    tasks = [asyncio.create_task(early.run(bus))]
    bus.publish(u("P4.v1", 20.5))
    late = StateStore()  # subscribes after seq 1: it will never get that update
    tasks.append(asyncio.create_task(late.run(bus)))
    await asyncio.wait_for(bus.wait_for_consumers(), 5)
    assert (early.last_seq, late.last_seq) == (1, 0)
    bus.publish(u("P4.v1", 20.6))
    await asyncio.wait_for(bus.wait_for_consumers(), 5)  # this one both stores get
    assert (early.last_seq, late.last_seq) == (2, 2)
    bus.close()
    await asyncio.gather(*tasks)


def test_ingest_many_and_catalog_lookups_by_symbol() -> None:
    store = ParamStore()
    store.ingest_many([u("P4.v1", 1), u("P4.v1", 2), u("P4.s1", 0)])
    assert store.device("D") == {"P4.v1": 2, "P4.s1": 0}
    assert store.ingested == 3
    catalog = AssetCatalog.from_sources(bundles=[PARAMS_JS])
    mapping = catalog.mapping_of("PARAM_0")
    assert mapping is not None
    assert (mapping.family, mapping.unit_ref and mapping.unit_ref.key) == ("P4:1", "P4.u1")
    assert catalog.mapping_of("PARAM_404") is None
