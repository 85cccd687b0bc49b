"""The floor of a Python gRPC EnSync node: a grpc.aio servicer that only routes.

``python routing_node.py '<simulator JSON line>'`` serves Connect, Publish (straight into an
in-memory queue per recipient and name), Subscribe (straight out of it) and Acknowledge (always
yes) with the apps of that line, then prints the line with its own ``grpc_url``. No sessions,
faults, timers, redelivery or checks: whatever CPU it spends per event is grpc.aio's own. The
bench runs the raw client against it beside the simulator to show how much of the node's cost
is the simulator's logic and how much is the gRPC machinery any Python node pays.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import grpc.aio

from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


class RoutingOnly(pb_grpc.EnSyncServiceServicer):
    def __init__(self, apps: dict[str, str]) -> None:
        self.apps = apps  # access key (used as the client id) -> app id
        self.queues: collections.defaultdict[tuple[str, str], asyncio.Queue[Any]] = (
            collections.defaultdict(asyncio.Queue)
        )
        self.ids = itertools.count(1)

    async def Connect(self, request: Any, context: Context) -> Any:
        return pb.ConnectResponse(success=True, client_id=request.access_key, client_hash="-")

    async def Heartbeat(self, request: Any, context: Context) -> Any:
        return pb.HeartbeatResponse(success=True)

    async def PublishMessage(self, request: Any, context: Context) -> Any:
        idem = f"evt-{next(self.ids)}"
        self.queues[(request.delivery_to, request.message_name)].put_nowait(
            pb.MessageStreamResponse(
                message_idem=idem,
                message_name=request.message_name,
                payload=request.payload,
                partition_block=1,
                metadata=request.metadata,
                sender=self.apps.get(request.client_id, ""),
            )
        )
        return pb.PublishMessageResponse(success=True, message_idem=idem)

    async def Subscribe(self, request: Any, context: Context) -> AsyncIterator[Any]:
        queue = self.queues[(self.apps[request.client_id], request.message_name)]
        while True:
            yield await queue.get()

    async def AcknowledgeMessage(self, request: Any, context: Context) -> Any:
        return pb.AcknowledgeResponse(success=True)


async def main(info: dict[str, Any]) -> None:
    server = grpc.aio.server()
    apps = {app["access_key"]: app["app_id"] for app in info["apps"]}
    pb_grpc.add_EnSyncServiceServicer_to_server(RoutingOnly(apps), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(json.dumps({**info, "grpc_url": f"grpc://127.0.0.1:{port}"}), flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
