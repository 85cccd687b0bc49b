"""Shards: which runtime of N polls a device, as a pure function of the device id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from power_sdk.errors import ConfigError
from power_sdk.runtime import parse_config
from power_sdk.runtime.shard import Shard, shard_of

ids = st.text(min_size=1, max_size=40)


@given(device_id=ids, count=st.integers(1, 64))
def test_exactly_one_shard_owns_each_device(device_id: str, count: int) -> None:
    owners = [k for k in range(1, count + 1) if Shard(k, count).owns(device_id)]
    assert owners == [shard_of(device_id, count)]


@given(device_ids=st.lists(ids, min_size=1, max_size=60, unique=True), count=st.integers(1, 8))
def test_shards_of_a_fleet_cover_it_once_whatever_the_order(
    device_ids: list[str], count: int
) -> None:
    forward = {d: shard_of(d, count) for d in device_ids}
    backward = {d: shard_of(d, count) for d in reversed(device_ids)}
    assert forward == backward
    covered = [d for k in range(1, count + 1) for d in device_ids if Shard(k, count).owns(d)]
    assert sorted(covered) == sorted(device_ids)


@given(device_id=ids, count=st.integers(1, 32))
def test_adding_a_shard_moves_devices_only_into_the_new_one(device_id: str, count: int) -> None:
    before, after = shard_of(device_id, count), shard_of(device_id, count + 1)
    assert after in (before, count + 1)


def test_the_split_is_even_and_the_same_in_every_process() -> None:
    fleet = [f"site-{n:04d}" for n in range(3000)]
    sizes = Counter(shard_of(d, 3) for d in fleet)
    assert sorted(sizes) == [1, 2, 3]
    assert all(900 < size < 1100 for size in sizes.values()), sizes
    script = (
        "import json, sys; from power_sdk.runtime.shard import shard_of; "
        "print(json.dumps([shard_of(d, 3) for d in sys.argv[1:]]))"
    )
    sample = fleet[:200]
    for seed in ("0", "1", "random"):  # Python's own hash() differs between these
        done = subprocess.run(
            [sys.executable, "-c", script, *sample],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(done.stdout) == [shard_of(d, 3) for d in sample]


@pytest.mark.parametrize(
    ("text", "shard"), [("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), (" 3 / 3 ", Shard(3, 3))]
)
def test_parse(text: str, shard: Shard) -> None:
    assert Shard.parse(text) == shard
    assert str(shard) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", r"shard 0/3 does not exist"),
        ("4/3", r"shard 4/3 does not exist"),
        ("1/0", r"shard 1/0 does not exist"),
        ("2", r"written K/N"),
        ("a/b", r"written K/N"),
        ("-1/3", r"written K/N"),
        ("", r"written K/N"),
    ],
)
def test_bad_shards_are_config_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Shard.parse(text)


def test_bad_shard_counts_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="1 or more shards"):
        shard_of("a", 0)
    with pytest.raises(ConfigError, match="must be an integer"):
        Shard(True, 2)  # type: ignore[arg-type]


def test_select_keeps_only_the_shards_devices_and_their_options() -> None:
    devices = "\n".join(
        f"  - {{id: dev{n}, pipeline: p, profile_id: EL100V2, "
        f"transport: {{opts: {{device_sn: 'SN{n}'}}}}}}"
        for n in range(12)
    )
    config = parse_config(
        "version: 1\n"
        "pipelines: {p: {transport: mqtt, vendor: bluetti, protocol: v2}}\n"
        "defaults: {transport: {opts: {broker: 127.0.0.1, port: 1883}}}\n"
        f"devices:\n{devices}\n"
    )
    parts = [Shard(k, 3).select(config) for k in (1, 2, 3)]
    assert sorted(d.id for part in parts for d in part.devices) == sorted(
        d.id for d in config.devices
    )
    for part in parts:
        for index, device in enumerate(part.devices):
            assert part.options(index)["device_sn"] == "SN" + device.id.removeprefix("dev")
            assert part.options(index)["broker"] == "127.0.0.1"
