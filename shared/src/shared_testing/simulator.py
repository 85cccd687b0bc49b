"""The simulator contract, and a runner that hosts one on its own thread and event loop.

A simulator is a real server on loopback. It owns its state (which survives :meth:`restart`),
its :class:`~shared_testing.faults.FaultInjector`, and the address it listens on. Tests and
the standalone CLI host it with :class:`RunningSimulator`, which gives the simulator an event
loop of its own on a background thread: the test's own event loop (or a synchronous client)
stays independent of the server, as it would against a real remote system.
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from shared_testing.faults import FaultInjector
from shared_testing.threads import start_loop_thread

if TYPE_CHECKING:  # typing.Self is new in Python 3.11; shared-testing runs on 3.10 too
    from typing_extensions import Self

__all__ = ["RunningSimulator", "Simulator"]

T = TypeVar("T")

_START_TIMEOUT = 30.0


class Simulator(abc.ABC):
    """Base of every simulator.

    Subclasses implement :meth:`_start` (bind, then record the actual port in ``self.port``)
    and :meth:`_stop`, and describe themselves with :meth:`info` - the JSON line printed by
    ``python -m shared_testing serve``.
    """

    system: ClassVar[str]

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.faults = FaultInjector()
        self.running = False

    async def start(self) -> None:
        """Start listening; with ``port=0`` an ephemeral port is chosen and kept for restarts."""
        if self.running:
            raise RuntimeError(f"{self.system} simulator is already running")
        await self._start()
        self.running = True

    async def stop(self) -> None:
        """Stop listening and close every open connection; state is kept."""
        if not self.running:
            return
        self.running = False
        await self._stop()

    async def restart(self) -> None:
        """Go away and come back on the same address with the same state."""
        await self.stop()
        await self.start()

    @abc.abstractmethod
    async def _start(self) -> None: ...

    @abc.abstractmethod
    async def _stop(self) -> None: ...

    @abc.abstractmethod
    def info(self) -> dict[str, Any]:
        """Describe how to reach the simulator (URL and credentials)."""


class RunningSimulator:
    """A simulator served on a private event loop in a daemon thread.

    Use as a context manager (``with RunningSimulator(sim) as running: ...``) or call
    :meth:`start`/:meth:`stop`. :meth:`call` runs a coroutine function on the simulator's loop
    and returns its result, for tests that inspect or change simulator state safely.
    """

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def faults(self) -> FaultInjector:
        """The simulator's fault control."""
        return self.simulator.faults

    def info(self) -> dict[str, Any]:
        """The simulator's connection info (see :meth:`Simulator.info`)."""
        return self.simulator.info()

    def start(self) -> Self:
        """Start the loop thread and the simulator; returns once it is listening."""
        if self._thread is not None:
            raise RuntimeError("simulator runner already started")
        self._loop, self._thread = start_loop_thread(f"sim-{self.simulator.system}")
        try:
            self.call(self.simulator.start, timeout=_START_TIMEOUT)
        except BaseException:
            self._shutdown_loop()
            raise
        self.simulator.faults.on_restart(lambda: self.call(self.simulator.restart))
        return self

    def stop(self) -> None:
        """Stop the simulator and its loop thread."""
        if self._loop is None:
            return
        self.simulator.faults.on_restart(None)
        try:
            self.call(self.simulator.stop, timeout=_START_TIMEOUT)
        finally:
            self._shutdown_loop()

    def restart(self) -> None:
        """Restart the simulator on the same address (see :meth:`FaultInjector.restart`)."""
        self.simulator.faults.restart()

    def call(self, fn: Callable[[], Awaitable[T]], *, timeout: float | None = 60.0) -> T:
        """Run ``fn()`` on the simulator's loop and wait for its result."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("simulator is not running")

        async def runner() -> T:
            return await fn()

        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(runner(), loop)
        return future.result(timeout)

    async def acall(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Await ``fn()`` run on the simulator's loop, from a test's own event loop.

        Unlike :meth:`call`, the caller's loop keeps running meanwhile (its clients stay
        responsive), which is what async tests need. Bound it with ``asyncio.timeout``.
        """
        loop = self._loop
        if loop is None:
            raise RuntimeError("simulator is not running")

        async def runner() -> T:
            return await fn()

        future = asyncio.run_coroutine_threadsafe(runner(), loop)
        return await asyncio.wrap_future(future)

    def _shutdown_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return

        async def cancel_rest() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await loop.shutdown_asyncgens()

        asyncio.run_coroutine_threadsafe(cancel_rest(), loop).result(_START_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(_START_TIMEOUT)
        loop.close()

    def __enter__(self) -> Self:
        # start_simulator() hands out runners that already run; entering them only scopes them.
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
