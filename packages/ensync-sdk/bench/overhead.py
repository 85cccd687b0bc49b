"""What our SDK adds over the floor of a grpc.aio client, measured in one process.

``overhead.py '<simulator JSON line>' BATCH ROUNDS IN_FLIGHT``. Separate processes see the
machine's load change between runs; here three clients run in the same process, in alternating
batches of ``BATCH`` events: our SDK (gRPC); the bare stub with pipelined acknowledgements
(our_client.py ``raw-pipelined``, ``stub``); and that stub sealing every payload with a fresh
ephemeral key and opening every delivery (``stub_crypto``: the least a client doing the required
work can spend). Each round also times one event's cryptography alone (``crypto``;
``floor`` = stub + crypto). ``sdk_own`` = ours - stub_crypto: the CPU our SDK's own code costs
per event. Prints one JSON line with the medians.
"""

from __future__ import annotations

import asyncio
import collections
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import driver
import grpc.aio

from ensync_core import DecryptionKey, decrypt_payload, encrypt_payload
from ensync_sdk import EnSyncEngine, EnSyncEvent
from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc

Publish = Callable[[int], Awaitable[Any]]
WARMUP = 32  # events before each measured batch (not counted)


async def ours(info: dict[str, Any]) -> tuple[driver.Tally, Publish, EnSyncEngine]:
    publisher_app, subscriber_app = info["apps"][:2]
    tally = driver.Tally()
    engine = EnSyncEngine(info["grpc_url"])
    publisher = await engine.create_client(publisher_app["access_key"])
    subscriber = await engine.create_client(
        subscriber_app["access_key"], {"app_secret_key": subscriber_app["secret_key"]}
    )

    def handle(event: EnSyncEvent) -> None:
        tally.got(event["payload"]["seq"])

    (await subscriber.subscribe("bench/overhead-ours")).on(handle)
    recipient = [subscriber_app["app_id"]]

    async def publish(seq: int) -> None:
        await publisher.publish("bench/overhead-ours", recipient, {**driver.PAYLOAD, "seq": seq})

    return tally, publish, engine


async def stub(
    info: dict[str, Any], channel: grpc.aio.Channel, *, crypto: bool
) -> tuple[driver.Tally, Publish, list[asyncio.Task[None]]]:
    """The bare stub; with ``crypto`` it also seals each payload and opens each delivery."""
    name = "bench/overhead-stub-crypto" if crypto else "bench/overhead-stub"
    publisher_app, subscriber_app = info["apps"][:2]
    recipient = [subscriber_app["app_id"]]
    key = DecryptionKey.from_secret(subscriber_app["secret_key"])
    ready_made = encrypt_payload(json.dumps(driver.PAYLOAD).encode(), recipient)
    tally = driver.Tally()
    api: Any = pb_grpc.EnSyncServiceStub(channel)
    publisher = await api.Connect(pb.ConnectRequest(access_key=publisher_app["access_key"]))
    subscriber = await api.Connect(pb.ConnectRequest(access_key=subscriber_app["access_key"]))
    answers = driver.Answers()

    async def consume() -> None:
        request = pb.SubscribeRequest(client_id=subscriber.client_id, message_name=name)
        async for message in api.Subscribe(request):
            answers.add(
                api.AcknowledgeMessage(
                    pb.AcknowledgeRequest(
                        client_id=subscriber.client_id,
                        message_idem=message.message_idem,
                        message_name=name,
                        partition_block=message.partition_block,
                    )
                )
            )
            if crypto:
                json.loads(decrypt_payload(message.payload, key))
            tally.got(int(message.metadata))

    async def publish(seq: int) -> None:
        plaintext = json.dumps({**driver.PAYLOAD, "seq": seq}).encode()
        payload = encrypt_payload(plaintext, recipient) if crypto else ready_made
        await api.PublishMessage(
            pb.PublishMessageRequest(
                client_id=publisher.client_id,
                message_name=name,
                payload=payload,
                delivery_to=subscriber_app["app_id"],
                metadata=str(seq),
            )
        )

    tasks = [asyncio.create_task(consume()), asyncio.create_task(answers.check())]
    return tally, publish, tasks


def crypto_cpu(info: dict[str, Any], events: int) -> float:
    """CPU microseconds of one event's cryptography (seal for one recipient, then open)."""
    subscriber_app = info["apps"][1]
    key = DecryptionKey.from_secret(subscriber_app["secret_key"])
    plaintext = json.dumps(driver.PAYLOAD).encode()
    start = time.process_time()
    for _ in range(events):
        decrypt_payload(encrypt_payload(plaintext, [subscriber_app["app_id"]]), key)
    return (time.process_time() - start) / events * 1e6


async def main(info: dict[str, Any], batch: int, rounds: int, in_flight: int) -> dict[str, float]:
    our_tally, our_publish, engine = await ours(info)
    async with grpc.aio.insecure_channel(info["grpc_url"].removeprefix("grpc://")) as channel:
        stub_tally, stub_publish, tasks = await stub(info, channel, crypto=False)
        crypto_tally, crypto_publish, crypto_tasks = await stub(info, channel, crypto=True)
        tasks += crypto_tasks
        clients = {
            "ours": (our_tally, our_publish),
            "stub": (stub_tally, stub_publish),
            "stub_crypto": (crypto_tally, crypto_publish),
        }
        for tally, publish in clients.values():  # warm up
            await driver.measure(tally, publish, events=batch, warmup=WARMUP, in_flight=in_flight)
        figures: dict[str, list[float]] = collections.defaultdict(list)
        for _ in range(rounds):
            for name, (tally, publish) in clients.items():
                result = await driver.measure(
                    tally, publish, events=batch, warmup=WARMUP, in_flight=in_flight
                )
                figures[name].append(result["cpu_us_per_event"])
            figures["crypto"].append(crypto_cpu(info, batch // 2))
            figures["floor"].append(figures["stub"][-1] + figures["crypto"][-1])
            figures["sdk_own"].append(figures["ours"][-1] - figures["stub_crypto"][-1])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await engine.close()
    return {name: statistics.median(values) for name, values in figures.items()}


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    line, batch, rounds, in_flight = sys.argv[1], *map(int, sys.argv[2:])
    driver.report(asyncio.run(main(json.loads(line), batch, rounds, in_flight)))
