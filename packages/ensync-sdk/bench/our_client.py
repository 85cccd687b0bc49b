"""The load of driver.py through our ensync-sdk, or through a bare grpc.aio stub (``raw``).

``our_client.py sdk|sdk-ws|raw|raw-pipelined '<simulator JSON line>' EVENTS WARMUP IN_FLIGHT``.
The SDK runs (gRPC, WebSocket) encrypt, decrypt and parse every payload and acknowledge each
event after its handler; the raw runs send the same RPCs (publish, stream, acknowledge) with one
ready-made ciphertext and no SDK: ``raw`` awaits each acknowledgement before reading the next
delivery, ``raw-pipelined`` sends it and reads on (as the SDK does), checking the answers in
order from a second task: the least CPU a Python grpc.aio client can spend on these RPCs.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import driver
import grpc.aio

from ensync_core import encrypt_payload
from ensync_sdk import EnSyncEngine, EnSyncEvent, EnSyncWebSocketEngine
from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc


async def sdk(
    info: dict[str, Any], events: int, warmup: int, in_flight: int, *, websocket: bool = False
) -> dict[str, float]:
    name = "bench/ours"
    publisher_app, subscriber_app = info["apps"][:2]
    tally = driver.Tally()
    engine = EnSyncWebSocketEngine(info["ws_url"]) if websocket else EnSyncEngine(info["grpc_url"])
    publisher = await engine.create_client(publisher_app["access_key"])
    subscriber = await engine.create_client(
        subscriber_app["access_key"], {"app_secret_key": subscriber_app["secret_key"]}
    )

    def handle(event: EnSyncEvent) -> None:
        tally.got(event["payload"]["seq"])

    (await subscriber.subscribe(name)).on(handle)
    recipient = [subscriber_app["app_id"]]

    async def publish(seq: int) -> None:
        await publisher.publish(name, recipient, {**driver.PAYLOAD, "seq": seq})

    result = await driver.measure(tally, publish, events=events, warmup=warmup, in_flight=in_flight)
    await engine.close()
    return result


async def sdk_ws(
    info: dict[str, Any], events: int, warmup: int, in_flight: int
) -> dict[str, float]:
    return await sdk(info, events, warmup, in_flight, websocket=True)


async def raw(
    info: dict[str, Any], events: int, warmup: int, in_flight: int, *, pipelined: bool = False
) -> dict[str, float]:
    name = "bench/raw-pipelined" if pipelined else "bench/raw"
    publisher_app, subscriber_app = info["apps"][:2]
    payload = encrypt_payload(json.dumps(driver.PAYLOAD).encode(), [subscriber_app["app_id"]])
    tally = driver.Tally()
    async with grpc.aio.insecure_channel(info["grpc_url"].removeprefix("grpc://")) as channel:
        stub: Any = pb_grpc.EnSyncServiceStub(channel)  # type: ignore[misc]

        async def connect(app: dict[str, str]) -> str:
            reply = await stub.Connect(pb.ConnectRequest(access_key=app["access_key"]))
            return str(reply.client_id)

        publisher, subscriber = await connect(publisher_app), await connect(subscriber_app)

        answers = driver.Answers()

        async def consume() -> None:
            stream = stub.Subscribe(pb.SubscribeRequest(client_id=subscriber, message_name=name))
            async for message in stream:
                ack = stub.AcknowledgeMessage(
                    pb.AcknowledgeRequest(
                        client_id=subscriber,
                        message_idem=message.message_idem,
                        message_name=name,
                        partition_block=message.partition_block,
                    )
                )
                if pipelined:
                    answers.add(ack)
                else:
                    await ack
                tally.got(int(message.metadata))

        async def publish(seq: int) -> None:
            await stub.PublishMessage(
                pb.PublishMessageRequest(
                    client_id=publisher,
                    message_name=name,
                    payload=payload,
                    delivery_to=subscriber_app["app_id"],
                    metadata=str(seq),
                )
            )

        tasks = [asyncio.create_task(consume()), asyncio.create_task(answers.check())]
        result = await driver.measure(
            tally, publish, events=events, warmup=warmup, in_flight=in_flight
        )
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return result


async def raw_pipelined(
    info: dict[str, Any], events: int, warmup: int, in_flight: int
) -> dict[str, float]:
    return await raw(info, events, warmup, in_flight, pipelined=True)


if __name__ == "__main__":
    mode = sys.argv.pop(1) if len(sys.argv) > 1 else ""
    runs = {"sdk": sdk, "sdk-ws": sdk_ws, "raw": raw, "raw-pipelined": raw_pipelined}
    if mode not in runs:
        raise SystemExit(__doc__)
    driver.report(asyncio.run(runs[mode](*driver.arguments())))
