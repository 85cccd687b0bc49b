"""The node's gRPC face: ``ensync.EnSyncService`` on grpc.aio over :class:`NodeState`.

The stubs are the ones generated into ensync-sdk (one copy per process: two generated modules
defining ``ensync.*`` would collide in protobuf's descriptor pool).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import NoReturn

import grpc
import grpc.aio

from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc
from shared_testing.ensync.state import (
    NodeState,
    Refused,
    StreamClosed,
    StreamReset,
    UnknownClient,
)
from shared_testing.faults import FaultInjector, FaultKind

__all__ = ["EnSyncServicer", "status_for"]

Context = grpc.aio.ServicerContext[object, object]

_STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


def status_for(http_status: int | None) -> grpc.StatusCode:
    """The gRPC status an injected error ``http_status`` maps to."""
    return _STATUS.get(http_status or 503, grpc.StatusCode.INTERNAL)


class EnSyncServicer(pb_grpc.EnSyncServiceServicer):
    """Every RPC of the service; faults are applied at the start of each call."""

    def __init__(
        self, state: NodeState, faults: FaultInjector, reset_streams: Callable[[], object]
    ) -> None:
        self.state = state
        self.faults = faults
        self._reset_streams = reset_streams

    async def _gate(self, context: Context) -> None:
        faults = self.faults
        # Without latency there is nothing to wait for: take the fault without a coroutine hop.
        fault = await faults.apply() if faults.latency else faults.take()
        if fault is None:
            return
        if fault.kind is FaultKind.ERROR:
            await context.abort(status_for(fault.status), f"injected fault ({fault.status})")
        self._reset_streams()
        await context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped (injected fault)")

    async def _unknown(self, context: Context, error: UnknownClient) -> NoReturn:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, str(error))
        raise AssertionError("unreachable")  # abort always raises

    async def Connect(self, request: pb.ConnectRequest, context: Context) -> pb.ConnectResponse:
        """Open a session for an access key."""
        await self._gate(context)
        try:
            client_id, client_hash = self.state.connect(request.access_key)
        except Refused as exc:
            return pb.ConnectResponse(success=False, error_message=str(exc))
        config = {
            "heartbeat_interval_ms": "30000",
            "ack_timeout_ms": str(int(self.state.ack_timeout * 1000)),
        }
        return pb.ConnectResponse(
            success=True, client_id=client_id, client_hash=client_hash, server_config=config
        )

    async def Heartbeat(
        self, request: pb.HeartbeatRequest, context: Context
    ) -> pb.HeartbeatResponse:
        """Keep a session alive."""
        await self._gate(context)
        return pb.HeartbeatResponse(success=self.state.heartbeat(request.client_id))

    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: Context
    ) -> pb.PublishMessageResponse:
        """Store and route one message."""
        await self._gate(context)
        try:
            event = self.state.publish(
                request.client_id,
                request.message_name,
                request.payload,
                request.delivery_to,
                request.metadata,
                request.payload_metadata,
            )
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            return pb.PublishMessageResponse(success=False, error_message=str(exc))
        return pb.PublishMessageResponse(success=True, message_idem=event.idem)

    async def Subscribe(
        self, request: pb.SubscribeRequest, context: Context
    ) -> AsyncIterator[pb.MessageStreamResponse]:
        """Stream the partition's deliveries until unsubscribed, reset or cancelled."""
        await self._gate(context)
        try:
            handle = self.state.open_stream(request.client_id, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            await context.send_initial_metadata(())
            while True:
                try:
                    event = await self.state.next_event(handle)
                except StreamClosed:
                    return
                except StreamReset:
                    await context.abort(grpc.StatusCode.UNAVAILABLE, "stream reset by the node")
                yield pb.MessageStreamResponse(
                    message_idem=event.idem,
                    message_name=event.name,
                    payload=event.payload,
                    partition_block=event.block,
                    metadata=event.metadata,
                    sender=event.sender,
                )
        finally:
            self.state.close_stream(handle)

    async def Unsubscribe(
        self, request: pb.UnsubscribeRequest, context: Context
    ) -> pb.UnsubscribeResponse:
        """Close the caller's streams of one message name."""
        await self._gate(context)
        try:
            self.state.unsubscribe(request.client_id, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        return pb.UnsubscribeResponse(success=True, message="unsubscribed")

    async def AcknowledgeMessage(
        self, request: pb.AcknowledgeRequest, context: Context
    ) -> pb.AcknowledgeResponse:
        """Mark a delivery done."""
        await self._gate(context)
        try:
            self.state.ack(
                request.client_id,
                request.message_idem,
                request.message_name,
                request.partition_block,
            )
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            return pb.AcknowledgeResponse(success=False, message=str(exc))
        return pb.AcknowledgeResponse(success=True, message="acknowledged")

    async def DeferMessage(self, request: pb.DeferRequest, context: Context) -> pb.DeferResponse:
        """Redeliver a message after a delay."""
        await self._gate(context)
        try:
            when = self.state.defer(
                request.client_id, request.message_idem, request.message_name, request.delay_ms
            )
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            return pb.DeferResponse(success=False, message=str(exc))
        return pb.DeferResponse(success=True, message="deferred", delivery_time=when)

    async def DiscardMessage(
        self, request: pb.DiscardRequest, context: Context
    ) -> pb.DiscardResponse:
        """Drop a message for good."""
        await self._gate(context)
        try:
            self.state.discard(request.client_id, request.message_idem, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            return pb.DiscardResponse(success=False, message=str(exc))
        return pb.DiscardResponse(success=True, message="discarded")

    async def ReplayMessage(self, request: pb.ReplayRequest, context: Context) -> pb.ReplayResponse:
        """Return a stored (encrypted) payload again."""
        await self._gate(context)
        try:
            event = self.state.replay(request.client_id, request.message_idem, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        except Refused as exc:
            return pb.ReplayResponse(success=False, message=str(exc))
        return pb.ReplayResponse(
            success=True, message=json.dumps({"block": event.block}), message_data=event.payload
        )

    async def PauseMessages(self, request: pb.PauseRequest, context: Context) -> pb.PauseResponse:
        """Hold a message name's deliveries."""
        await self._gate(context)
        try:
            self.state.pause(request.client_id, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        return pb.PauseResponse(success=True, message="paused")

    async def ContinueMessages(
        self, request: pb.ContinueRequest, context: Context
    ) -> pb.ContinueResponse:
        """Continue a message name's deliveries."""
        await self._gate(context)
        try:
            self.state.resume(request.client_id, request.message_name)
        except UnknownClient as exc:
            await self._unknown(context, exc)
        return pb.ContinueResponse(success=True, message="continued")
