"""The fleet benchmark: 200 simulated devices on one mosquitto, block 100 from each, one runtime.

Three processes, as in production: mosquitto, the simulator (``serve bluetti --devices 200``)
and this one, which runs in turn (each side connected to the broker only during its own turn)

* the baseline: one raw paho client on one connection keeping one request in flight per
  device (the next request of a device leaves from paho's own thread the moment its answer
  arrives: no event loop, no parsing);
* the runtime: an :class:`~power_sdk.runtime.Executor` polling the fleet in back-to-back
  cycles (``run_once`` after ``run_once``), which is one request in flight per device too.

Printed: the ratio in two terms, each against the goal of 0.8: polls per second (medians of
interleaved rounds) and CPU milliseconds per poll of the three processes together (which,
unlike polls/s, hardly depends on what else the shared machine runs, and is what the polls/s
ratio comes to when the machine is saturated); the client process's CPU per poll alone; which
limit each side meets first (the bottleneck: one process's core, or the machine's cores); the
fleet cycle time p50/p99 beside the ideal cycle at the baseline's rate (200 / baseline polls per
second), and the memory per polled device (RSS growth of this process / devices).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from power_sdk.runtime import Executor, parse_config
from shared_testing.bench import Figure
from shared_testing.bluetti.broker import MosquittoBroker, ThreadedBroker
from shared_testing.bluetti.modbus import seal
from shared_testing.standalone import serve

DEVICES = 200
PROFILE = "EL100V2"
REGISTERS = 66  # block 100 of an EL100V2
SECONDS = 3.0  # per measured run
ROUNDS = 9  # baseline and runtime alternate; the medians count (the machine is shared)
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class CpuMeter:
    """CPU seconds per wall second of named processes over a run."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._start: dict[str, float] = {}
        self._wall = 0.0
        self.shares: dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._start = {name: _cpu_seconds(pid) for name, pid in self.pids.items()}
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        self.shares = {
            name: (_cpu_seconds(pid) - self._start[name]) / wall for name, pid in self.pids.items()
        }

    def per_poll(self, rate: float) -> dict[str, float]:
        """CPU milliseconds each process spent per poll at ``rate`` polls/s."""
        return {name: share / rate * 1000 for name, share in self.shares.items()}


class RawPahoFleet:
    """The baseline: one connection, one request in flight per device, answered from paho's
    network thread directly (the least work a client can do).

    It is connected only while it measures: connected and subscribed to ``PUB/+`` during the
    runtime's turn, it would take (and acknowledge) every answer the runtime gets, on CPU
    this process is charged with.
    """

    def __init__(
        self, url: str, serials: list[str], pids: dict[str, int], *, inflight: int = 20
    ) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.host, self.port = host, int(port)
        self.serials = serials
        self.pids = pids
        self.cpu: dict[str, float] = {}
        self.inflight = inflight
        self.frame = seal(struct.pack(">BBHH", 1, 3, 100, REGISTERS))
        self.answers = 0
        self.running = False

    def _connect(self) -> mqtt.Client:
        subscribed = threading.Event()
        client = mqtt.Client(CallbackAPIVersion.VERSION2)
        client.max_inflight_messages_set(self.inflight)
        client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(6, 1, 1)  # TCP_NODELAY
        client.on_connect = lambda c, *_: c.subscribe("PUB/+", qos=1)
        client.on_subscribe = lambda *_: subscribed.set()
        client.on_message = self._on_message
        client.connect(self.host, self.port)
        client.loop_start()
        if not subscribed.wait(10):
            raise TimeoutError("baseline: no subscription")
        return client

    def _on_message(self, client: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.answers += 1
        if self.running:  # the device's next request, at once
            client.publish("SUB/" + message.topic[4:], self.frame, qos=1)

    def rate(self, seconds: float) -> float:
        """Answers per second over ``seconds`` with every device kept busy."""
        client = self._connect()
        try:
            self.running = True
            for serial in self.serials:
                client.publish(f"SUB/{serial}", self.frame, qos=1)
            time.sleep(0.5)  # warm up: every device has its request in flight
            with CpuMeter(self.pids) as cpu:
                start_answers, start = self.answers, time.perf_counter()
                time.sleep(seconds)
                rate = (self.answers - start_answers) / (time.perf_counter() - start)
            self.cpu = cpu.per_poll(rate)
            self.running = False
            time.sleep(0.5)  # let the last requests drain before the runtime's turn
        finally:
            client.disconnect()
            client.loop_stop()
        return rate


def fleet_config(url: str, serials: list[str]) -> str:
    """The runtime.yaml of the fleet, in the published option names."""
    host, port = url.removeprefix("mqtt://").split(":")
    devices = "\n".join(
        f"  - {{id: site-{s}, pipeline: bluetti_pull, profile_id: {PROFILE}, "
        f"transport: {{opts: {{device_sn: '{s}'}}}}}}"
        for s in serials
    )
    return (
        "version: 1\n"
        "pipelines:\n"
        "  bluetti_pull: {mode: pull, transport: mqtt, vendor: bluetti, protocol: v2}\n"
        "defaults:\n"
        "  poll_interval: 30\n"
        f"  transport: {{opts: {{broker: {host}, port: {port}, blocks: [100], timeout: 10}}}}\n"
        f"devices:\n{devices}\n"
    )


class RuntimeRun:
    """Back-to-back fleet cycles of one Executor; keeps each cycle's time."""

    def __init__(self, config: str, pids: dict[str, int]) -> None:
        self.config = parse_config(config, env={})
        self.pids = pids
        self.cycle_times: list[float] = []
        self.rss_per_device: float | None = None
        self.failures = 0
        self.cpu: dict[str, float] = {}

    async def _cycles(self, executor: Executor, seconds: float) -> float:
        polls = 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < seconds:
            began = loop.time()
            reports = await executor.run_once()
            self.cycle_times.append(loop.time() - began)
            polls += sum(r.ok for r in reports)
            self.failures += sum(not r.ok for r in reports)
        return polls / (loop.time() - start)

    async def _measure(self, seconds: float) -> float:
        before = _rss_bytes()
        async with Executor(self.config) as executor:
            await executor.run_once()  # connect and subscribe: not measured
            await executor.run_once()
            if self.rss_per_device is None:  # the first run: what the fleet's objects cost
                self.rss_per_device = (_rss_bytes() - before) / DEVICES
            with CpuMeter(self.pids) as cpu:
                rate = await self._cycles(executor, seconds)
        self.cpu = cpu.per_poll(rate)
        return rate

    def rate(self, seconds: float) -> float:
        """Polls per second over ``seconds`` of back-to-back cycles."""
        return asyncio.run(self._measure(seconds))


@contextmanager
def fleet() -> Iterator[tuple[str, list[str], dict[str, int]]]:
    """mosquitto and the simulated fleet, each in a process of its own."""
    with (
        ThreadedBroker(MosquittoBroker()) as broker,
        serve(
            "bluetti", "--devices", str(DEVICES), "--profile", PROFILE, "--broker", broker.url
        ) as served,
    ):
        process = broker.broker._process
        assert process is not None
        serials = [d["serial"] for d in served.info["devices"]]
        pids = {"broker": process.pid, "simulator": served.process.pid, "runtime": os.getpid()}
        yield broker.url, serials, pids


def _median_costs(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each process's CPU ms per poll over the rounds."""
    return {name: statistics.median(r[name] for r in runs) for name in runs[0]}


def _cpu_text(costs: dict[str, float]) -> str:
    return ", ".join(f"{name} {cost:.3f}" for name, cost in costs.items())


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bottleneck(costs: dict[str, float], cores: int) -> str:
    """Which limit a side of the bench meets first, from its CPU milliseconds per poll.

    Every process here runs its work on one thread, so a process needing ``c`` ms per poll
    caps the fleet at ``1000 / c`` polls/s; the three together cannot use more than the
    machine's cores. Whichever cap is lower is the bottleneck.
    """
    name, worst = max(costs.items(), key=lambda item: item[1])
    total = sum(costs.values())
    alone, machine = 1000 / worst, cores * 1000 / total
    if machine < alone:
        return (
            f"the machine's {cores} cores ({total:.3f} ms of CPU per poll: at most "
            f"{machine:,.0f} polls/s), before the {name} process ({alone:,.0f} polls/s)"
        )
    return (
        f"the {name} process ({worst:.3f} ms per poll: at most {alone:,.0f} polls/s on its "
        f"core), before the machine's {cores} cores ({machine:,.0f} polls/s)"
    )


def figures() -> tuple[list[Figure], list[str]]:
    """The fleet figures, and notes on where the CPU went."""
    notes: list[str] = []
    with fleet() as (url, serials, pids):
        raw = RawPahoFleet(url, serials, pids)
        run = RuntimeRun(fleet_config(url, serials), pids)
        baseline_rates: list[float] = []
        runtime_rates: list[float] = []
        raw_cpu: list[dict[str, float]] = []
        ours_cpu: list[dict[str, float]] = []
        for _ in range(ROUNDS):  # interleaved, so a burst of load hits both alike
            baseline_rates.append(raw.rate(SECONDS))
            raw_cpu.append(raw.cpu)
            runtime_rates.append(run.rate(SECONDS))
            ours_cpu.append(run.cpu)
    baseline, ours = statistics.median(baseline_rates), statistics.median(runtime_rates)
    ideal_cycle = DEVICES / baseline
    raw_cost, our_cost = _median_costs(raw_cpu), _median_costs(ours_cpu)
    cores = len(os.sched_getaffinity(0))
    notes.append(f"baseline rounds (polls/s): {', '.join(f'{r:.0f}' for r in baseline_rates)}")
    notes.append(f"runtime rounds (polls/s): {', '.join(f'{r:.0f}' for r in runtime_rates)}")
    notes.append("CPU ms per poll, baseline: " + _cpu_text(raw_cost))
    notes.append("CPU ms per poll, runtime:  " + _cpu_text(our_cost))
    notes.append(
        "polls/s ratio per round: "
        + ", ".join(f"{o / b:.2f}" for b, o in zip(baseline_rates, runtime_rates, strict=True))
    )
    notes.append(
        "CPU ratio per round (all three): "
        + ", ".join(
            f"{sum(r.values()) / sum(o.values()):.2f}"
            for r, o in zip(raw_cpu, ours_cpu, strict=True)
        )
    )
    notes.append(f"bottleneck with raw paho: {bottleneck(raw_cost, cores)}")
    notes.append(f"bottleneck with the runtime: {bottleneck(our_cost, cores)}")
    notes.append(f"runtime cycles measured: {len(run.cycle_times)}, failed polls: {run.failures}")
    return [
        Figure(
            f"fleet polls ({DEVICES} devices, block 100)",
            ours,
            "polls/s",
            "raw paho, 1 in flight/device",
            baseline,
            goal=0.8,
        ),
        # The same comparison in CPU: on two shared cores the three processes compete, so
        # polls/s swings with the other load while CPU per poll barely moves. With the
        # machine saturated, the polls/s ratio is this ratio.
        Figure(
            "CPU per poll, broker + simulator + client",
            sum(our_cost.values()),
            "ms",
            "the same with raw paho",
            sum(raw_cost.values()),
            goal=0.8,
            higher_is_better=False,
        ),
        Figure(
            "CPU per poll, client process",
            our_cost["runtime"],
            "ms",
            "raw paho client process",
            raw_cost["runtime"],
            higher_is_better=False,
        ),
        Figure(
            "fleet cycle time p50",
            statistics.median(run.cycle_times),
            "s",
            "ideal: devices / raw rate",
            ideal_cycle,
            higher_is_better=False,
        ),
        Figure(
            "fleet cycle time p99",
            _percentile(run.cycle_times, 0.99),
            "s",
            "ideal: devices / raw rate",
            ideal_cycle,
            higher_is_better=False,
        ),
        Figure("memory per polled device (RSS growth)", (run.rss_per_device or 0) / 1024, "KiB"),
    ], notes
