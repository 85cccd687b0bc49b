"""The load of driver.py through the published ensync-sdk 0.4.4 (run with its own venv's python).

Only that release's documented API: ``EnSyncEngine(url)`` is its gRPC client, handlers attach
with the ``@client.subscribe(name).handler`` decorator before ``create_client`` connects, and the
secret key is passed as ``appSecretKey`` (0.4.4 reads no other spelling). Its handlers
auto-acknowledge each event.
"""

from __future__ import annotations

import asyncio
from typing import Any

import driver

from ensync_sdk import EnSyncEngine  # the published 0.4.4, not ours

NAME = "bench/published"


async def main() -> None:
    info, events, warmup, in_flight = driver.arguments()
    publisher_app, subscriber_app = info["apps"][:2]
    tally = driver.Tally()
    publisher = EnSyncEngine(info["grpc_url"])
    subscriber = EnSyncEngine(info["grpc_url"])

    @subscriber.subscribe(NAME).handler
    async def handle(message: dict[str, Any]) -> None:
        tally.got(message["payload"]["seq"])

    await publisher.create_client(publisher_app["access_key"])
    await subscriber.create_client(
        subscriber_app["access_key"], {"appSecretKey": subscriber_app["secret_key"]}
    )
    recipient = [subscriber_app["app_id"]]

    async def publish(seq: int) -> None:
        await publisher.publish(NAME, recipient, {**driver.PAYLOAD, "seq": seq})

    result = await driver.measure(tally, publish, events=events, warmup=warmup, in_flight=in_flight)
    await publisher.close()
    await subscriber.close()
    driver.report(result)


if __name__ == "__main__":
    asyncio.run(main())
