"""An event loop served on a daemon thread: how simulators and brokers stand apart from tests.

Everything that plays the remote side (a simulator, an embedded MQTT broker) runs on a loop of its
own, started here. :mod:`shared_testing.blocking` recognises that thread by its entry function
and does not hold it to the event-loop rules it enforces on the code under test.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["REMOTE_LOOP_ENTRY", "start_loop_thread"]


def _run_remote_loop(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    loop.run_forever()


#: The function at the bottom of every remote-side thread's stack (see shared_testing.blocking).
REMOTE_LOOP_ENTRY = _run_remote_loop.__name__


def start_loop_thread(name: str) -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    """A new event loop running forever on a daemon thread named ``name``; returns once it runs.

    Stop it with ``loop.call_soon_threadsafe(loop.stop)``, join the thread, then close the loop.
    """
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    thread = threading.Thread(target=_run_remote_loop, args=(loop, ready), name=name, daemon=True)
    thread.start()
    ready.wait()
    return loop, thread
