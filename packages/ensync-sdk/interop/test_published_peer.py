"""Our SDK and the published ensync-sdk 0.4.4 exchange events through our node simulator.

Single-recipient envelopes both ways: 0.4.4 publishes, our SDK receives and decrypts; our SDK
publishes, 0.4.4 receives and decrypts. Each party runs in its own process (0.4.4 in its venv);
every check is on what a client got, and the node's queues are checked empty afterwards (both
clients acknowledged what they handled).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ensync_sdk import EnSyncEngine, EnSyncEvent
from shared_testing.interop import published_command
from shared_testing.standalone import serve

PEER = Path(__file__).with_name("published_peer.py")
COUNT = 3
TO_OURS = "interop/published-to-ours"
TO_PUBLISHED = "interop/ours-to-published"


@pytest.fixture(scope="module")
def node() -> Iterator[dict[str, Any]]:
    """The standalone node, its JSON line parsed."""
    with serve("ensync") as served:
        yield served.info


@pytest.fixture(scope="module")
def peer() -> list[str]:
    """The command prefix running the published peer script with 0.4.4's python."""
    return published_command(PEER)


async def run_peer(peer: list[str], *args: str) -> dict[str, Any]:
    """Run the published peer without blocking the loop; its JSON answer."""
    process = await asyncio.create_subprocess_exec(
        *peer, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return result


async def test_published_publishes_and_ours_receives(node: dict[str, Any], peer: list[str]) -> None:
    """0.4.4 encrypts for our app; our SDK decrypts what it sent, with its ids and sender."""
    publisher, ours = node["apps"][0], node["apps"][1]
    sent = await run_peer(peer, "publish", json.dumps(node), ours["app_id"], str(COUNT))
    assert len(sent["ids"]) == COUNT
    assert all(isinstance(idem, str) and idem and "," not in idem for idem in sent["ids"])

    engine = EnSyncEngine(node["grpc_url"])
    received: asyncio.Queue[EnSyncEvent] = asyncio.Queue()
    async with engine.create_client(
        ours["access_key"], {"app_secret_key": ours["secret_key"]}
    ) as client:
        (await client.subscribe(TO_OURS)).on(received.put)
        events = [await asyncio.wait_for(received.get(), 20) for _ in range(COUNT)]
    assert [e["idem"] for e in events] == sent["ids"]
    assert [e["payload"] for e in events] == [{"n": n, "from": "0.4.4"} for n in range(COUNT)]
    assert {e["sender"] for e in events} == {publisher["app_id"]}
    assert all(e["metadata"] == {"via": "published"} for e in events)


async def test_ours_publishes_and_published_receives(node: dict[str, Any], peer: list[str]) -> None:
    """Our SDK encrypts for 0.4.4's app; 0.4.4 decrypts it and acknowledges it."""
    theirs, ours = node["apps"][0], node["apps"][1]
    engine = EnSyncEngine(node["grpc_url"])
    async with engine.create_client(ours["access_key"]) as client:
        ids = [
            await client.publish(
                TO_PUBLISHED, [theirs["app_id"]], {"n": n, "from": "ours"}, {"k": n}
            )
            for n in range(COUNT)
        ]
    got = await run_peer(peer, "receive", json.dumps(node), str(COUNT))
    events = got["events"]
    assert [e["idem"] for e in events] == ids
    assert [e["payload"] for e in events] == [{"n": n, "from": "ours"} for n in range(COUNT)]
    assert {e["sender"] for e in events} == {ours["app_id"]}
    assert [e["metadata"] for e in events] == [{"k": n} for n in range(COUNT)]

    # 0.4.4 acknowledged each one: a new subscriber of its app gets nothing more.
    engine = EnSyncEngine(node["grpc_url"])
    leftovers: asyncio.Queue[EnSyncEvent] = asyncio.Queue()
    async with engine.create_client(
        theirs["access_key"], {"app_secret_key": theirs["secret_key"]}
    ) as client:
        (await client.subscribe(TO_PUBLISHED)).on(leftovers.put)
        await asyncio.sleep(0.5)
    assert leftovers.empty()
