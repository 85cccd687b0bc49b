"""The gRPC transport (grpc.aio over the generated ``EnSyncService`` stubs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Generator
from typing import Any, TypeVar

import grpc
import grpc.aio

from ensync_core import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncSubscriptionError,
)
from ensync_sdk._proto import ensync_pb2 as pb
from ensync_sdk._proto import ensync_pb2_grpc as pb_grpc
from ensync_sdk._transport import AckInFlight, Session, SessionLostError, Transport
from ensync_sdk.events import RawMessage
from ensync_sdk.urls import GrpcTarget

__all__ = ["GrpcTransport"]

R = TypeVar("R")

# Codes after which reconnecting (and retrying) is the right move.
_RECONNECTABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.ABORTED,
    }
)

# A stream that ends with these is re-opened after a reconnect; other codes are refusals.
_STREAM_RETRYABLE = _RECONNECTABLE | {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
_REFUSED = frozenset({grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED})


_engine_held = False


def _hold_grpc_engine() -> None:
    """Keep grpc.aio's engine (its completion-queue poller thread) for the life of the process.

    grpc.aio starts the engine with the first channel and stops it when the last one is freed,
    and stopping joins the poller thread: a blocking call, made on the event loop of whichever
    code drops that last reference. Holding one reference of our own means the engine is never
    stopped on a loop; its daemon thread ends with the process.
    """
    global _engine_held
    if not _engine_held:
        grpc.aio.init_grpc_aio()
        _engine_held = True


def _cancelling() -> bool:
    """Whether the current task itself is being cancelled (not just a call under it)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _describe(error: grpc.aio.AioRpcError) -> str:
    return f"{error.code().name}: {error.details() or 'no details'}"


class GrpcTransport(Transport):
    """One grpc.aio channel to an EnSync node."""

    name = "grpc"

    def __init__(self, target: GrpcTarget, *, request_timeout: float) -> None:
        self._target = target
        self._timeout = request_timeout
        self._channel: grpc.aio.Channel | None = None
        self._stub: pb_grpc.EnSyncServiceAsyncStub | None = None
        self._client_id = ""
        self._streams: dict[
            str, grpc.aio.UnaryStreamCall[pb.SubscribeRequest, pb.MessageStreamResponse]
        ] = {}

    @property
    def _api(self) -> pb_grpc.EnSyncServiceAsyncStub:
        if self._stub is None:
            raise SessionLostError("the gRPC channel is closed; create the client again")
        return self._stub

    async def open(self) -> None:
        await self.close()
        _hold_grpc_engine()
        options = [
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            # The client re-sends after a reconnect itself; gRPC's transparent retries would
            # only repeat that, buffering every call's messages to be able to.
            ("grpc.enable_retries", 0),
        ]
        if self._target.secure:
            channel = grpc.aio.secure_channel(
                self._target.target, grpc.ssl_channel_credentials(), options=options
            )
        else:
            channel = grpc.aio.insecure_channel(self._target.target, options=options)
        self._channel = channel
        self._stub = pb_grpc.EnSyncServiceStub(channel)

    async def close(self) -> None:
        channel, self._channel, self._stub = self._channel, None, None
        self._streams.clear()
        if channel is not None:
            await channel.close(grace=None)

    def _lost(self, error: grpc.aio.AioRpcError, what: str) -> EnSyncError:
        return SessionLostError(
            f"{what} failed, the connection to {self._target.target} was lost ({_describe(error)})",
            cause=error,
        )

    def _failed(
        self, error: grpc.aio.AioRpcError, what: str, kind: type[EnSyncError]
    ) -> EnSyncError:
        if error.code() in _RECONNECTABLE:
            return self._lost(error, what)
        return kind(f"{what} failed: the node answered {_describe(error)}", cause=error)

    async def _unary(self, call: Awaitable[R], what: str, kind: type[EnSyncError]) -> R:
        try:
            return await call
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, what, kind) from exc
        except asyncio.CancelledError:
            if _cancelling():
                raise
            # Another task re-opened the channel under this call: retry on the new one.
            raise SessionLostError(f"{what} was interrupted by a reconnect") from None

    async def connect(self, access_key: str) -> Session:
        try:
            reply = await self._unary(
                self._api.Connect(pb.ConnectRequest(access_key=access_key), timeout=self._timeout),
                "connecting",
                EnSyncConnectionError,  # a node error is not the key's fault; refusals below
            )
        except EnSyncError as exc:
            error = exc.cause
            if isinstance(error, grpc.aio.AioRpcError) and error.code() in _REFUSED:
                raise EnSyncAuthError(
                    f"the node refused the access key ({_describe(error)}); check the app key",
                    cause=error,
                ) from error
            raise
        if not reply.success:
            raise EnSyncAuthError(
                f"the node refused the access key: {reply.error_message or 'no reason given'}; "
                f"check the app key"
            )
        if not reply.client_id:
            raise EnSyncConnectionError(
                "the node accepted the access key but sent no client id; is this an EnSync node?"
            )
        self._client_id = reply.client_id
        return Session(reply.client_id, reply.client_hash, dict(reply.server_config))

    async def heartbeat(self) -> None:
        reply = await self._unary(
            self._api.Heartbeat(
                pb.HeartbeatRequest(client_id=self._client_id), timeout=self._timeout
            ),
            "heartbeat",
            EnSyncConnectionError,
        )
        if not reply.success:
            raise SessionLostError("the node no longer knows this client (heartbeat refused)")

    async def publish(
        self, name: str, payload: str, delivery_to: str, metadata: str, payload_metadata: str
    ) -> str:
        request = pb.PublishMessageRequest(
            client_id=self._client_id,
            message_name=name,
            payload=payload,
            delivery_to=delivery_to,
            metadata=metadata,
            payload_metadata=payload_metadata,
        )
        # The hot path: the call awaited here directly (no _unary frame per event).
        call = self._api.PublishMessage(request, timeout=self._timeout)
        try:
            reply = await call
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, f"publishing {name!r}", EnSyncPublishError) from exc
        except asyncio.CancelledError:
            if _cancelling():
                raise
            raise SessionLostError(f"publishing {name!r} was interrupted by a reconnect") from None
        if not reply.success:
            raise EnSyncPublishError(
                f"the node refused to publish {name!r}: {reply.error_message or 'no reason given'}"
            )
        return reply.message_idem

    async def open_stream(self, name: str) -> AsyncIterator[RawMessage]:
        call = self._api.Subscribe(
            pb.SubscribeRequest(client_id=self._client_id, message_name=name)
        )
        self._streams[name] = call
        return self._iterate(name, call)

    async def _iterate(
        self,
        name: str,
        call: grpc.aio.UnaryStreamCall[pb.SubscribeRequest, pb.MessageStreamResponse],
    ) -> AsyncIterator[RawMessage]:
        try:
            async for item in call:
                yield RawMessage(
                    idem=item.message_idem,
                    name=item.message_name or name,
                    payload=item.payload,
                    block=item.partition_block,
                    metadata=item.metadata,
                    sender=item.sender,
                )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.CANCELLED and self._streams.get(name) is not call:
                return  # we cancelled it: unsubscribed or closed
            what = f"the subscription to {name!r}"
            if exc.code() in _STREAM_RETRYABLE:
                raise self._lost(exc, what) from exc
            raise EnSyncSubscriptionError(
                f"{what} was refused by the node ({_describe(exc)})", cause=exc
            ) from exc
        except asyncio.CancelledError:
            if _cancelling():
                raise
            raise SessionLostError(
                f"the subscription stream of {name!r} was closed by a reconnect"
            ) from None
        finally:
            if self._streams.get(name) is call:
                del self._streams[name]
            call.cancel()
        raise SessionLostError(f"the node ended the subscription stream of {name!r}")

    def cancel_stream(self, name: str) -> None:
        call = self._streams.pop(name, None)
        if call is not None:
            call.cancel()

    def _check(self, success: bool, message: str, what: str) -> None:
        if not success:
            raise EnSyncSubscriptionError(f"{what} failed: {message or 'the node refused'}")

    async def unsubscribe(self, name: str) -> None:
        self.cancel_stream(name)
        what = f"unsubscribing from {name!r}"
        reply = await self._unary(
            self._api.Unsubscribe(
                pb.UnsubscribeRequest(client_id=self._client_id, message_name=name),
                timeout=self._timeout,
            ),
            what,
            EnSyncSubscriptionError,
        )
        self._check(reply.success, reply.message, what)

    def _ack_call(
        self, idem: str, name: str, block: int
    ) -> grpc.aio.UnaryUnaryCall[pb.AcknowledgeRequest, pb.AcknowledgeResponse]:
        request = pb.AcknowledgeRequest(
            client_id=self._client_id, message_idem=idem, message_name=name, partition_block=block
        )
        return self._api.AcknowledgeMessage(request, timeout=self._timeout)

    def _ack_answer(
        self,
        call: grpc.aio.UnaryUnaryCall[pb.AcknowledgeRequest, pb.AcknowledgeResponse],
        idem: str,
    ) -> Generator[Any, None, None]:
        """Await ``call`` and check the answer (a generator: no coroutine frames per event)."""
        try:
            reply = yield from call.__await__()
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, f"acknowledging {idem!r}", EnSyncSubscriptionError) from exc
        except asyncio.CancelledError:
            if _cancelling():
                raise
            raise SessionLostError(
                f"acknowledging {idem!r} was interrupted by a reconnect"
            ) from None
        if not reply.success:
            self._check(False, reply.message, f"acknowledging {idem!r}")

    async def ack(self, idem: str, name: str, block: int) -> None:
        await _AckCall(self, self._ack_call(idem, name, block), idem)

    def start_ack(self, idem: str, name: str, block: int) -> AckInFlight:
        # grpc.aio starts the call in its own task: no task of ours is needed to send it.
        return _AckCall(self, self._ack_call(idem, name, block), idem)

    async def defer(self, idem: str, name: str, delay_ms: int, reason: str) -> int:
        what = f"deferring {idem!r}"
        request = pb.DeferRequest(
            client_id=self._client_id,
            message_idem=idem,
            message_name=name,
            delay_ms=delay_ms,
            reason=reason,
        )
        reply = await self._unary(
            self._api.DeferMessage(request, timeout=self._timeout), what, EnSyncSubscriptionError
        )
        self._check(reply.success, reply.message, what)
        return reply.delivery_time

    async def discard(self, idem: str, name: str, reason: str) -> None:
        what = f"discarding {idem!r}"
        request = pb.DiscardRequest(
            client_id=self._client_id, message_idem=idem, message_name=name, reason=reason
        )
        reply = await self._unary(
            self._api.DiscardMessage(request, timeout=self._timeout), what, EnSyncSubscriptionError
        )
        self._check(reply.success, reply.message, what)

    async def replay(self, idem: str, name: str) -> RawMessage:
        what = f"replaying {idem!r}"
        request = pb.ReplayRequest(client_id=self._client_id, message_idem=idem, message_name=name)
        reply = await self._unary(
            self._api.ReplayMessage(request, timeout=self._timeout), what, EnSyncSubscriptionError
        )
        self._check(reply.success, reply.message, what)
        return RawMessage(idem, name, reply.message_data, 0, {}, "")

    async def pause(self, name: str, reason: str) -> None:
        what = f"pausing {name!r}"
        request = pb.PauseRequest(client_id=self._client_id, message_name=name, reason=reason)
        reply = await self._unary(
            self._api.PauseMessages(request, timeout=self._timeout), what, EnSyncSubscriptionError
        )
        self._check(reply.success, reply.message, what)

    async def resume(self, name: str) -> None:
        what = f"resuming {name!r}"
        request = pb.ContinueRequest(client_id=self._client_id, message_name=name)
        reply = await self._unary(
            self._api.ContinueMessages(request, timeout=self._timeout),
            what,
            EnSyncSubscriptionError,
        )
        self._check(reply.success, reply.message, what)


class _AckCall:
    """An acknowledgement on the wire; awaiting it checks the node's answer."""

    __slots__ = ("_call", "_idem", "_transport")

    def __init__(
        self,
        transport: GrpcTransport,
        call: grpc.aio.UnaryUnaryCall[pb.AcknowledgeRequest, pb.AcknowledgeResponse],
        idem: str,
    ) -> None:
        self._transport = transport
        self._call = call
        self._idem = idem

    def __await__(self) -> Generator[Any, None, None]:
        return self._transport._ack_answer(self._call, self._idem)

    def cancel(self) -> bool:
        return self._call.cancel()
