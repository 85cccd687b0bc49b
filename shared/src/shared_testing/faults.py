"""One fault-injection control shared by every simulator.

Tests (on their own thread) arm faults; the simulator (on its event loop) consumes them at the
start of each request it handles by awaiting :meth:`FaultInjector.apply`. The control therefore
guards its state with a lock and never touches an event loop itself.

The faults every simulator honours:

* ``set_latency(seconds)`` - every request waits this long before it is handled;
* ``fail_next(n, status)`` - the next ``n`` requests are answered with an error ``status``;
* ``drop_next(n)`` - the next ``n`` requests lose their connection without an answer;
* ``expire_sessions()`` - every token or session the simulator has handed out stops working;
* ``restart()`` - the server goes away and comes back on the same address, keeping its state.

What "an error status" or "a dropped connection" means is protocol specific (an HTTP status, a
gRPC status, a Modbus exception, a closed socket); each simulator maps :class:`Fault` to its own
protocol.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Fault", "FaultInjector", "FaultKind"]


class FaultKind(enum.Enum):
    """What an armed fault does to the request that consumes it."""

    ERROR = "error"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault consumed by one request: answer with ``status`` or drop the connection."""

    kind: FaultKind
    status: int | None = None


class FaultInjector:
    """Thread-safe fault control; one instance per simulator.

    Simulators call :meth:`apply` once per request (or per protocol message) and act on the
    returned :class:`Fault`, and register hooks for the faults only they can carry out
    (:meth:`on_expire_sessions`, :meth:`on_restart`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency = 0.0
        self._pending: deque[Fault] = deque()
        self._expire_hooks: list[Callable[[], None]] = []
        self._restart_hook: Callable[[], None] | None = None
        self.requests_seen = 0
        self.faults_applied = 0

    # -- arming (test side) -------------------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds every request currently waits before it is handled."""
        with self._lock:
            return self._latency

    def set_latency(self, seconds: float) -> None:
        """Delay every following request by ``seconds`` (0 turns the delay off)."""
        if seconds < 0:
            raise ValueError(f"latency must be >= 0 seconds, got {seconds}")
        with self._lock:
            self._latency = float(seconds)

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """Answer the next ``count`` requests with the error ``status``."""
        self._arm(count, Fault(FaultKind.ERROR, status))

    def drop_next(self, count: int = 1) -> None:
        """Drop the connection of the next ``count`` requests without answering."""
        self._arm(count, Fault(FaultKind.DROP))

    def expire_sessions(self) -> None:
        """Invalidate every session/token the simulator has issued so far."""
        with self._lock:
            hooks = list(self._expire_hooks)
        if not hooks:
            raise RuntimeError("this simulator registered no session-expiry hook")
        for hook in hooks:
            hook()

    def restart(self) -> None:
        """Stop the simulator and start it again on the same address, keeping its state.

        Blocks until the simulator listens again. Must be called from outside the simulator's
        event loop (tests run on their own thread).
        """
        with self._lock:
            hook = self._restart_hook
        if hook is None:
            raise RuntimeError("restart needs a running simulator (start it with start_simulator)")
        hook()

    def reset(self) -> None:
        """Disarm every pending fault and remove the latency."""
        with self._lock:
            self._latency = 0.0
            self._pending.clear()

    @property
    def pending(self) -> int:
        """Number of armed faults not yet consumed."""
        with self._lock:
            return len(self._pending)

    # -- hooks (simulator side) ---------------------------------------------------------------

    def on_expire_sessions(self, hook: Callable[[], None]) -> None:
        """Register what :meth:`expire_sessions` does for this simulator."""
        with self._lock:
            self._expire_hooks.append(hook)

    def on_restart(self, hook: Callable[[], None] | None) -> None:
        """Register (or clear, with ``None``) what :meth:`restart` does."""
        with self._lock:
            self._restart_hook = hook

    def take(self) -> Fault | None:
        """Consume the next armed fault without waiting (for synchronous protocol handlers)."""
        with self._lock:
            self.requests_seen += 1
            if not self._pending:
                return None
            self.faults_applied += 1
            return self._pending.popleft()

    async def apply(self) -> Fault | None:
        """Wait out the latency, then consume the next armed fault, if any."""
        delay = self.latency
        if delay:
            await asyncio.sleep(delay)
        return self.take()

    def _arm(self, count: int, fault: Fault) -> None:
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        with self._lock:
            self._pending.extend([fault] * count)
