"""Automatic acknowledgements sent without waiting for their answers (a stub transport).

The delivery loop sends each acknowledgement and goes on; one task per event name checks the
answers in order. These tests drive the answers by hand: a refusal reaches the subscription's
error callbacks with the event, a lost session means reconnect and resend once, a full pipeline
holds up the next delivery, and closing waits (bounded) for the answers.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ensync_core import (
    EnSyncConnectionError,
    EnSyncError,
    EnSyncSubscriptionError,
    encrypt_payload,
    generate_key_pair,
)
from ensync_sdk import EnSyncClient
from ensync_sdk import ack_pipeline as ack_pipeline_module
from ensync_sdk._transport import AckInFlight, Session, SessionLostError, Transport
from ensync_sdk.ack_pipeline import MAX_IN_FLIGHT
from ensync_sdk.events import RawMessage
from ensync_sdk.options import ClientOptions, EngineOptions
from shared_testing.waiting import eventually

KEY = generate_key_pair()
NAME = "meter/reading"


class StubTransport(Transport):
    """Deliveries pushed by the test; every acknowledgement's answer decided by the test."""

    name = "stub"

    def __init__(self) -> None:
        self.deliveries: asyncio.Queue[RawMessage] = asyncio.Queue()
        self.answers: list[tuple[str, asyncio.Future[None]]] = []  # start_ack, in order
        self.resent: list[str] = []  # ack() calls (resends after a reconnect)
        self.resend_error: EnSyncError | None = None
        self.start_error: EnSyncError | None = None  # start_ack raises it (once) before sending
        self.opened = 0
        self.closed = 0

    async def open(self) -> None:
        self.opened += 1

    async def close(self) -> None:
        self.closed += 1

    async def connect(self, access_key: str) -> Session:
        return Session(f"client-{self.opened}", "hash")

    async def heartbeat(self) -> None:
        pass

    async def publish(
        self, name: str, payload: str, delivery_to: str, metadata: str, payload_metadata: str
    ) -> str:
        raise NotImplementedError

    async def open_stream(self, name: str) -> AsyncIterator[RawMessage]:
        async def stream() -> AsyncIterator[RawMessage]:
            while True:
                yield await self.deliveries.get()

        return stream()

    def cancel_stream(self, name: str) -> None:
        pass

    async def unsubscribe(self, name: str) -> None:
        pass

    def start_ack(self, idem: str, name: str, block: int) -> AckInFlight:
        error, self.start_error = self.start_error, None
        if error is not None:
            raise error
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.answers.append((idem, answer))
        return answer

    async def ack(self, idem: str, name: str, block: int) -> None:
        self.resent.append(idem)
        if self.resend_error is not None:
            raise self.resend_error

    async def defer(self, idem: str, name: str, delay_ms: int, reason: str) -> int:
        raise NotImplementedError

    async def discard(self, idem: str, name: str, reason: str) -> None:
        raise NotImplementedError

    async def replay(self, idem: str, name: str) -> RawMessage:
        raise NotImplementedError

    async def pause(self, name: str, reason: str) -> None:
        raise NotImplementedError

    async def resume(self, name: str) -> None:
        raise NotImplementedError

    async def deliver(self) -> tuple[RawMessage, asyncio.Future[None]]:
        """Push one delivery and wait until its acknowledgement went out: (it, its answer)."""
        raw = delivery()
        sent = len(self.answers)
        self.deliveries.put_nowait(raw)
        await eventually(lambda: len(self.answers) > sent)
        return raw, self.answers[sent][1]


_ids = itertools.count(1)


def delivery() -> RawMessage:
    payload = encrypt_payload(b'{"n": 1}', [KEY.app_id])
    return RawMessage(f"evt-{next(_ids)}", NAME, payload, 7, "{}", "sender")


async def started(transport: StubTransport) -> tuple[EnSyncClient, Any, list[Any], list[Any]]:
    """A connected client subscribed to NAME: (client, subscription, handled, errors)."""
    options = EngineOptions.from_mapping({"reconnect_interval": 1, "enableLogging": True})
    client = EnSyncClient(
        transport, "key", options, ClientOptions.from_mapping({"app_secret_key": KEY.secret_key})
    )
    await client._start()
    subscription = await client.subscribe(NAME)
    handled: list[Any] = []
    errors: list[Any] = []
    subscription.on(lambda event: handled.append(event["idem"]))
    subscription.on_error(lambda error, info: errors.append((error, info)))
    return client, subscription, handled, errors


async def test_deliveries_are_handled_while_acknowledgements_are_unanswered() -> None:
    transport = StubTransport()
    client, _, handled, errors = await started(transport)
    raws = [delivery() for _ in range(3)]
    for raw in raws:
        transport.deliveries.put_nowait(raw)
    await eventually(lambda: len(handled) == 3)
    # all three handled and their acknowledgements sent, none of them answered yet
    assert [idem for idem, _ in transport.answers] == [r.idem for r in raws]
    assert not any(answer.done() for _, answer in transport.answers)
    for _, answer in transport.answers:
        answer.set_result(None)
    await eventually(lambda: len(client._feeds[NAME].acks) == 0)
    assert errors == []
    await client.close()


async def test_a_refused_acknowledgement_reaches_the_error_callbacks_with_its_event() -> None:
    transport = StubTransport()
    client, _, handled, errors = await started(transport)
    first, second = delivery(), delivery()
    transport.deliveries.put_nowait(first)
    transport.deliveries.put_nowait(second)
    await eventually(lambda: len(transport.answers) == 2)
    refusal = EnSyncSubscriptionError(f"acknowledging {first.idem!r} failed: no such event")
    transport.answers[0][1].set_exception(refusal)
    transport.answers[1][1].set_result(None)
    await eventually(lambda: len(errors) == 1 and len(client._feeds[NAME].acks) == 0)
    error, info = errors[0]
    assert error is refusal
    assert info == {"idem": first.idem, "eventName": NAME, "block": 7, "sender": "sender"}
    assert handled == [first.idem, second.idem]
    await client.close()


async def test_answers_are_logged_only_once_they_came(caplog: pytest.LogCaptureFixture) -> None:
    transport = StubTransport()
    client, _, _, _ = await started(transport)
    with caplog.at_level(logging.DEBUG, logger="ensync_sdk"):
        raw, answer = await transport.deliver()
        await asyncio.sleep(0.01)
        assert f"acknowledged {raw.idem}" not in caplog.text
        answer.set_result(None)
        await eventually(lambda: f"acknowledged {raw.idem}" in caplog.text)
    await client.close()


async def test_a_lost_session_reconnects_and_sends_the_acknowledgement_again() -> None:
    transport = StubTransport()
    client, _, _, errors = await started(transport)
    raw, answer = await transport.deliver()
    answer.set_exception(SessionLostError("connection reset"))
    await eventually(lambda: transport.resent == [raw.idem])
    assert transport.opened == 2  # reconnected once before sending again
    assert errors == []
    await client.close()


async def test_an_acknowledgement_that_could_not_start_is_sent_after_reconnecting() -> None:
    # Over gRPC the call is made at once: with the channel down (a reconnect closing it), making
    # it raises SessionLostError right there. It is retried as an answer saying so would be.
    transport = StubTransport()
    transport.start_error = SessionLostError("the gRPC channel is closed")
    client, _, handled, errors = await started(transport)
    raw = delivery()
    transport.deliveries.put_nowait(raw)
    await eventually(lambda: transport.resent == [raw.idem])
    assert handled == [raw.idem]
    assert transport.answers == []  # never on the wire the first time
    assert transport.opened == 2  # reconnected once before sending again
    assert errors == []
    await client.close()


async def test_a_failed_resend_is_reported() -> None:
    transport = StubTransport()
    transport.resend_error = EnSyncSubscriptionError("acknowledging failed: unknown event")
    client, _, _, errors = await started(transport)
    raw, answer = await transport.deliver()
    answer.set_exception(SessionLostError("connection reset"))
    await eventually(lambda: len(errors) == 1)
    assert errors[0][0] is transport.resend_error
    assert errors[0][1]["idem"] == raw.idem
    await client.close()


async def test_an_unexpected_failure_is_reported_as_a_subscription_error() -> None:
    transport = StubTransport()
    client, _, _, errors = await started(transport)
    _, answer = await transport.deliver()
    answer.set_exception(KeyError("bug"))
    await eventually(lambda: len(errors) == 1)
    error = errors[0][0]
    assert isinstance(error, EnSyncSubscriptionError)
    assert "failed unexpectedly" in str(error)
    assert isinstance(error.cause, KeyError)
    await client.close()


async def test_a_full_pipeline_holds_up_the_next_delivery() -> None:
    assert MAX_IN_FLIGHT >= 2
    transport = StubTransport()
    client, _, handled, _ = await started(transport)
    client._feeds[NAME].acks.limit = 2
    raws = [delivery() for _ in range(4)]
    for raw in raws:
        transport.deliveries.put_nowait(raw)
    await eventually(lambda: len(transport.answers) == 2)
    await asyncio.sleep(0.05)
    assert handled == [raws[0].idem, raws[1].idem]  # the third waits for room
    transport.answers[0][1].set_result(None)
    transport.answers[1][1].set_result(None)
    await eventually(lambda: len(handled) == 4)
    for _, answer in transport.answers[2:]:
        answer.set_result(None)
    await client.close()


async def test_close_waits_for_outstanding_answers_before_closing_the_transport() -> None:
    transport = StubTransport()
    client, _, _, errors = await started(transport)
    _, answer = await transport.deliver()
    closing = asyncio.create_task(client.close())
    await asyncio.sleep(0.05)
    assert not closing.done()
    assert transport.closed == 0  # the answer can still arrive
    answer.set_result(None)
    await closing
    assert transport.closed == 1
    assert errors == []


async def test_close_abandons_answers_that_never_come(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ack_pipeline_module, "_FLUSH_GRACE", 0.05)
    transport = StubTransport()
    client, _, _, errors = await started(transport)
    _, answer = await transport.deliver()
    with caplog.at_level(logging.WARNING, logger="ensync_sdk"):
        await client.close()
    assert "1 acknowledgements of 'meter/reading' got no answer" in caplog.text
    assert answer.cancelled()
    assert transport.closed == 1
    assert errors == []


async def test_a_session_lost_while_closing_is_logged_not_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = StubTransport()
    client, _, _, errors = await started(transport)
    raw, answer = await transport.deliver()
    with caplog.at_level(logging.WARNING, logger="ensync_sdk"):
        closing = asyncio.create_task(client.close())
        await asyncio.sleep(0.01)
        answer.set_exception(SessionLostError("connection reset"))
        await closing
    assert f"the acknowledgement of {raw.idem} was cut off by closing" in caplog.text
    assert transport.resent == []
    assert transport.opened == 1
    assert errors == []


async def test_an_acknowledgement_of_a_closed_client_is_reported_at_once() -> None:
    transport = StubTransport()
    client, subscription, _, errors = await started(transport)
    feed = client._feeds[NAME]
    await client.close()
    with pytest.raises(EnSyncConnectionError, match="client is closed"):
        feed.acks.send(subscription, delivery())
    assert transport.answers == []
    assert errors == []


async def test_a_delivery_arriving_during_unsubscribe_never_reaches_its_handlers() -> None:
    # Two subscriptions, so the first handles in a loop of its own; the second leaves. While the
    # first's unsubscribe waits for that loop to stop, a delivery comes in: it is not handled.
    transport = StubTransport()
    client, first, handled, _ = await started(transport)
    second = await client.subscribe(NAME)
    second.on(lambda event: None)
    release = asyncio.Event()

    async def slow(event: Any) -> None:
        await release.wait()

    first.on(slow)
    early, late = delivery(), delivery()
    transport.deliveries.put_nowait(early)
    await eventually(lambda: handled == [early.idem])  # `slow` now holds the first's loop
    await second.unsubscribe()
    leaving = asyncio.create_task(first.unsubscribe())
    await asyncio.sleep(0)  # the unsubscribe stopped the loop and waits for it
    transport.deliveries.put_nowait(late)
    await leaving
    await asyncio.sleep(0.05)
    assert late.idem not in handled
    assert not first.active
    await client.close()
