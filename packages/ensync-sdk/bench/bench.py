"""ensync-sdk benchmark: publish -> handler over gRPC with encryption, beside a raw grpc.aio stub.

Both runs publish to one recipient through the simulated node (on its own thread): first a
throughput phase with the same number of publishes in flight, then a latency phase publishing one
event at a time (publish -> handler). The subscriber acknowledges each event. The SDK run
encrypts, decrypts and parses every payload; the baseline sends the same RPCs with a ready-made
payload and no SDK. Then single and hybrid encryption ops/s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc.aio

from ensync_core import decrypt_payload, encrypt_payload, generate_key_pair
from ensync_sdk import EnSyncEngine, EnSyncEvent
from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc
from shared_testing import RunningSimulator, start_simulator
from shared_testing.bench import Figure, print_figures, time_call

EVENTS = 2000
WARMUP = 200
LATENCY_EVENTS = 300
IN_FLIGHT = 32
PAYLOAD = {"meter": "m-1", "kwh": 12.75, "ok": True, "tags": ["a", "b"]}


class Run:
    """Publish times and handler times of one run, by sequence number."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.sent: dict[int, float] = {}
        self.received: dict[int, float] = {}
        self.done = asyncio.Event()
        self.arrived = asyncio.Event()

    def got(self, seq: int) -> None:
        if seq not in self.received:
            self.received[seq] = time.perf_counter()
            self.arrived.set()
            if len(self.received) == self.count:
                self.done.set()

    def rate(self) -> float:
        return self.count / (max(self.received.values()) - min(self.sent.values()))

    def latencies_ms(self) -> list[float]:
        return [(self.received[s] - self.sent[s]) * 1000 for s in self.sent]


async def _drive(
    run: Run, publish: Callable[[int], Awaitable[Any]], offset: int, in_flight: int = IN_FLIGHT
) -> None:
    window = asyncio.Semaphore(in_flight)

    async def one(seq: int) -> None:
        async with window:
            run.sent[seq] = time.perf_counter()
            await publish(seq)
            if in_flight == 1:  # latency: the next publish waits for this event's handler
                while seq not in run.received:
                    run.arrived.clear()
                    await run.arrived.wait()

    await asyncio.gather(*(one(offset + n) for n in range(run.count)))
    await asyncio.wait_for(run.done.wait(), 120)


async def sdk_run(info: dict[str, Any]) -> tuple[Run, Run]:
    name = "bench/sdk"
    alice_app, bob_app = info["apps"][:2]
    engine = EnSyncEngine(info["grpc_url"])
    alice = await engine.create_client(alice_app["access_key"])
    bob = await engine.create_client(
        bob_app["access_key"], {"app_secret_key": bob_app["secret_key"]}
    )
    runs = [Run(WARMUP), Run(EVENTS), Run(LATENCY_EVENTS)]
    current = runs[0]

    def handler(event: EnSyncEvent) -> None:
        current.got(event["payload"]["seq"])

    (await bob.subscribe(name)).on(handler)

    async def publish(seq: int) -> None:
        await alice.publish(name, [bob_app["app_id"]], {**PAYLOAD, "seq": seq})

    await _drive(current, publish, 0)
    current = runs[1]
    await _drive(current, publish, WARMUP)
    current = runs[2]
    await _drive(current, publish, WARMUP + EVENTS, in_flight=1)
    await engine.close()
    return runs[1], runs[2]


async def raw_run(info: dict[str, Any]) -> tuple[Run, Run]:
    name = "bench/raw"
    alice_app, bob_app = info["apps"][:2]
    payload = encrypt_payload(json.dumps(PAYLOAD).encode(), [bob_app["app_id"]])
    async with grpc.aio.insecure_channel(info["grpc_url"].removeprefix("grpc://")) as channel:
        stub: Any = pb_grpc.EnSyncServiceStub(channel)  # type: ignore[misc]
        alice = (
            await stub.Connect(pb.ConnectRequest(access_key=alice_app["access_key"]))
        ).client_id
        bob = (await stub.Connect(pb.ConnectRequest(access_key=bob_app["access_key"]))).client_id
        runs = [Run(WARMUP), Run(EVENTS), Run(LATENCY_EVENTS)]
        current = runs[0]

        async def consume() -> None:
            stream = stub.Subscribe(pb.SubscribeRequest(client_id=bob, message_name=name))
            async for message in stream:
                current.got(int(message.metadata))
                await stub.AcknowledgeMessage(
                    pb.AcknowledgeRequest(
                        client_id=bob,
                        message_idem=message.message_idem,
                        message_name=name,
                        partition_block=message.partition_block,
                    )
                )

        async def publish(seq: int) -> None:
            await stub.PublishMessage(
                pb.PublishMessageRequest(
                    client_id=alice,
                    message_name=name,
                    payload=payload,
                    delivery_to=bob_app["app_id"],
                    metadata=str(seq),
                )
            )

        consumer = asyncio.create_task(consume())
        await _drive(current, publish, 0)
        current = runs[1]
        await _drive(current, publish, WARMUP)
        current = runs[2]
        await _drive(current, publish, WARMUP + EVENTS, in_flight=1)
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
        return runs[1], runs[2]


def crypto_figures() -> list[Figure]:
    keys = [generate_key_pair() for _ in range(3)]
    plaintext = json.dumps({**PAYLOAD, "seq": 1}).encode()
    single = encrypt_payload(plaintext, [keys[0].app_id])
    hybrid = encrypt_payload(plaintext, [k.app_id for k in keys])
    measures = [
        ("encrypt, single recipient", lambda: encrypt_payload(plaintext, [keys[0].app_id])),
        (
            "encrypt, hybrid, 3 recipients",
            lambda: encrypt_payload(plaintext, [k.app_id for k in keys]),
        ),
        ("decrypt, single recipient", lambda: decrypt_payload(single, keys[0].secret_key)),
        ("decrypt, hybrid (3rd key entry)", lambda: decrypt_payload(hybrid, keys[2].secret_key)),
    ]
    return [Figure(name, 1 / time_call(fn, min_seconds=0.5), "ops/s") for name, fn in measures]


async def measure(node: RunningSimulator) -> tuple[tuple[Run, Run], tuple[Run, Run]]:
    # One event loop for both runs, and the node stopped while it still runs: grpc.aio's
    # completion queue is bound to the loop it first served.
    raw = await raw_run(node.info())
    sdk = await sdk_run(node.info())
    await asyncio.to_thread(node.stop)
    return raw, sdk


def main() -> None:
    with start_simulator("ensync") as node:
        (raw, raw_latency), (sdk, sdk_latency) = asyncio.run(measure(node))
    sdk_lat, raw_lat = sdk_latency.latencies_ms(), raw_latency.latencies_ms()
    baseline = "raw grpc.aio stub, same RPCs"

    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    figures = [
        Figure(
            f"publish->handler, gRPC, encrypted ({EVENTS} events, {IN_FLIGHT} in flight)",
            sdk.rate(),
            "events/s",
            baseline,
            raw.rate(),
            goal=0.5,
        ),
        Figure(
            "publish->handler latency p50, one at a time",
            pct(sdk_lat, 50),
            "ms",
            baseline,
            pct(raw_lat, 50),
            higher_is_better=False,
        ),
        Figure(
            "publish->handler latency p99, one at a time",
            pct(sdk_lat, 99),
            "ms",
            baseline,
            pct(raw_lat, 99),
            higher_is_better=False,
        ),
        *crypto_figures(),
    ]
    print_figures("ensync-sdk", figures)


if __name__ == "__main__":
    main()
