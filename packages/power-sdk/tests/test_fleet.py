"""A fleet: shards across processes, cycles that never wait for a dead device, summaries."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from power_sdk.runtime import Executor, parse_config
from power_sdk.runtime.cycles import CycleSummary, name_devices
from power_sdk.runtime.shard import Shard
from shared_testing import RunningSimulator
from shared_testing.bluetti import fleet_devices
from shared_testing.bluetti.broker import ThreadedBroker

from .fleet import RecordCollector, fleet_yaml

CLI = [sys.executable, "-m", "power_sdk.runtime.cli", "runtime"]


def test_three_shards_poll_a_90_device_fleet_exactly_once(
    mqtt_broker: ThreadedBroker, simulator: Any, tmp_path: Path
) -> None:
    fleet = fleet_devices(90)
    sim: RunningSimulator = simulator("bluetti", broker=mqtt_broker.url, devices=fleet)
    config = tmp_path / "fleet.yaml"
    config.write_text(fleet_yaml(fleet, mqtt_broker.url))
    collector = RecordCollector(mqtt_broker.url, "fleet/#")
    try:
        shards = [
            subprocess.Popen(
                [*CLI, "--config", str(config), "--once", "--shard", f"{k}/3"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for k in (1, 2, 3)
        ]
        outputs = [process.communicate(timeout=120) for process in shards]
        assert [p.returncode for p in shards] == [0, 0, 0], [err for _, err in outputs]
        deadline = time.monotonic() + 10  # the sinks' QoS 1 publishes are out; let them land
        while len(collector.snapshot()) < 90 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # and make sure no duplicate trails behind
        records = collector.snapshot()
    finally:
        collector.close()
    polled = Counter(record["device"] for record in records)
    assert polled == Counter({f"site-{d['serial']}": 1 for d in fleet})  # each exactly once
    assert {r["block_id"] for r in records} == {100}
    # the simulator agrees: every device was asked once, by exactly one runtime
    requests = sim.call(_make_counter(sim))
    assert requests == {d["serial"]: 1 for d in fleet}
    # each shard polled its own share and said so in its summary line
    sizes = []
    for k, (_, stderr) in enumerate(outputs, start=1):
        assert f"shard {k}/3: polling " in stderr
        (line,) = [x for x in stderr.splitlines() if "cycle 1 (every 30 s)" in x]
        assert ", 0 failed, cycle time " in line
        sizes.append(int(line.split("): ")[1].split(" of ")[0]))
    assert sum(sizes) == 90
    assert all(15 <= size <= 45 for size in sizes), sizes  # an even-ish split of 90


def _make_counter(sim: RunningSimulator) -> Any:
    """Requests each simulated device received (read on the simulator's loop)."""

    async def count() -> dict[str, int]:
        devices = sim.simulator.devices  # type: ignore[attr-defined]
        return {serial: device.requests for serial, device in devices.items()}

    return count


async def test_a_dead_or_slow_device_never_delays_the_others_cycles(
    mqtt_broker: ThreadedBroker, simulator: Any
) -> None:
    fleet = fleet_devices(6)
    sim: RunningSimulator = simulator("bluetti", broker=mqtt_broker.url, devices=fleet)
    dead = {"serial": "2439999999999", "profile": "EL100V2"}  # nobody answers on its topics
    slow = fleet[0]["serial"]
    text = fleet_yaml([*fleet, dead], mqtt_broker.url, interval=0.2, timeout=1.5)
    summaries: list[CycleSummary] = []
    dead_failed = asyncio.Event()

    def observe(summary: CycleSummary) -> None:
        summaries.append(summary)
        if summary.failed:
            dead_failed.set()

    executor = Executor(parse_config(text, env={}), on_cycle=observe)
    # the slow device takes 1 s for each of its next answers: several cycles long
    await sim.acall(_slow(sim, slow))
    stop = asyncio.Event()
    task = asyncio.create_task(executor.run(stop))
    try:
        await asyncio.wait_for(dead_failed.wait(), 30)
        await asyncio.sleep(0.5)  # a few more cycles
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    dead_id, slow_id = f"site-{dead['serial']}", f"site-{slow}"
    healthy = {f"site-{d['serial']}" for d in fleet[1:]}
    # cycles went on while the dead and the slow device were still being polled ...
    waiting = [s for s in summaries if dead_id in s.busy and slow_id in s.busy]
    assert waiting, [s.line() for s in summaries]
    # ... with every healthy device polled, and answering, in them (once connected: the first
    # cycle also connects and subscribes, and may outlast an interval this short)
    assert any(s.polled == len(healthy) and not s.failed for s in waiting), [
        s.line() for s in summaries
    ]
    # the dead device failed in the cycle it was polled in, and only there
    assert [s.failed for s in summaries if s.failed] == [(dead_id,)] * len(
        [s for s in summaries if s.failed]
    )
    counts = await sim.acall(_make_counter(sim))
    healthy_requests = [counts[d["serial"]] for d in fleet[1:]]
    assert min(healthy_requests) > counts[slow] >= 1
    # and never more than one request in flight per device
    assert await sim.acall(_max_outstanding(sim)) == 1


def _slow(sim: RunningSimulator, serial: str) -> Any:
    async def arm() -> None:
        sim.simulator.slow_next(3, seconds=1.0, serial=serial)  # type: ignore[attr-defined]

    return arm


def _max_outstanding(sim: RunningSimulator) -> Any:
    async def most() -> int:
        return max(d.max_outstanding for d in sim.simulator.devices.values())  # type: ignore[attr-defined]

    return most


def test_once_exits_1_naming_the_failed_devices(
    mqtt_broker: ThreadedBroker, simulator: Any, tmp_path: Path
) -> None:
    fleet = fleet_devices(2)
    simulator("bluetti", broker=mqtt_broker.url, devices=fleet)
    ghosts = [{"serial": f"243988888888{n}", "profile": "EL30V2"} for n in (1, 2)]
    config = tmp_path / "fleet.yaml"
    config.write_text(fleet_yaml([*fleet, *ghosts], mqtt_broker.url, timeout=0.5))
    done = subprocess.run(
        [*CLI, "--config", str(config), "--once"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == ("power-sdk: 2 of 4 devices failed: site-2439888888881, site-2439888888882"), (
        done.stderr
    )
    assert "2 of 4 devices polled, 2 failed (site-2439888888881, site-2439888888882)" in done.stderr


def test_continuous_mode_logs_one_summary_line_per_cycle(
    mqtt_broker: ThreadedBroker, simulator: Any, tmp_path: Path
) -> None:
    fleet = fleet_devices(4)
    simulator("bluetti", broker=mqtt_broker.url, devices=fleet)
    config = tmp_path / "fleet.yaml"
    config.write_text(fleet_yaml(fleet, mqtt_broker.url, interval=0.25))
    stderr = tmp_path / "stderr.log"
    with stderr.open("w") as errors:
        process = subprocess.Popen(
            [*CLI, "--config", str(config)], stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            deadline = time.monotonic() + 30
            while stderr.read_text().count("cycle time") < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(20) == 0
    lines = [x for x in stderr.read_text().splitlines() if "power_sdk.runtime.cycles" in x]
    numbers = [int(x.split("cycle ")[1].split(" ")[0]) for x in lines]
    assert len(numbers) >= 4
    assert numbers == list(range(1, len(numbers) + 1))  # one line per cycle, none skipped
    assert all("4 of 4 devices polled, 0 failed, cycle time" in x for x in lines), lines


def test_shard_flag_errors_dry_run_and_empty_shards(
    mqtt_broker: ThreadedBroker, tmp_path: Path
) -> None:
    fleet = fleet_devices(9)
    config = tmp_path / "fleet.yaml"
    config.write_text(fleet_yaml(fleet, mqtt_broker.url))
    for bad in ("4/3", "0/3", "two/3"):
        done = subprocess.run(
            [*CLI, "--config", str(config), "--dry-run", "--shard", bad],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert "--shard" in done.stderr
        assert ("does not exist" in done.stderr) or ("written K/N" in done.stderr)
    shown: list[str] = []
    for k in (1, 2, 3):
        done = subprocess.run(
            [*CLI, "--config", str(config), "--dry-run", "--shard", f"{k}/3"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        ids = [d["id"] for d in json.loads(done.stdout)["devices"]]
        assert all(Shard(k, 3).owns(i) for i in ids)
        shown += ids
    assert sorted(shown) == sorted(f"site-{d['serial']}" for d in fleet)
    # more shards than devices: some own nothing, and that is not an error
    one = tmp_path / "one.yaml"
    one.write_text(fleet_yaml(fleet[:1], mqtt_broker.url))
    owner = Shard.parse("1/1")
    empty = next(k for k in range(1, 6) if not Shard(k, 5).owns(f"site-{fleet[0]['serial']}"))
    assert owner.owns(f"site-{fleet[0]['serial']}")
    done = subprocess.run(
        [*CLI, "--config", str(one), "--once", "--shard", f"{empty}/5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"shard {empty}/5 owns none of the 1 devices" in done.stderr


def test_name_devices_counts_what_it_does_not_name() -> None:
    assert name_devices(["a", "b"]) == "a, b"
    assert name_devices([str(n) for n in range(13)], limit=3) == "0, 1, 2, +10 more"


def test_the_summary_line_names_busy_devices() -> None:
    summary = CycleSummary(7, 30.0, 5, 3, ("x",), ("y", "z"), 1.23456)
    assert summary.ok == 2
    assert summary.line() == (
        "cycle 7 (every 30 s): 2 of 5 devices polled, 1 failed (x), "
        "2 still busy from an earlier cycle (y, z), cycle time 1.235 s"
    )
