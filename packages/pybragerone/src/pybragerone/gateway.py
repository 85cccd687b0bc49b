"""BragerGateway: login, realtime binding, snapshot priming and change streaming in one place.

``start()`` logs in if needed, connects the socket, binds it to the modules, primes the
snapshot (every cell published on the bus, then the ``on_snapshot`` callbacks once the stores
took it in) and then streams every change to the :class:`~pybragerone.events.EventBus`. After
any reconnect it primes again, so stores fed by the bus converge to the server's state.
Malformed payloads are logged, counted in :attr:`BragerGateway.stats` and skipped; they never
stop the gateway.

:func:`flatten_parameters` (also ``BragerGateway.flatten_parameters``) turns a snapshot or
change payload into ``(key, value, meta, devid)`` tuples.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from pybragerone.core.client import BragerApiClient
from pybragerone.core.realtime import RealtimeManager
from pybragerone.errors import BragerPayloadError
from pybragerone.events import EventBus
from pybragerone.models.api import CommandResult
from pybragerone.protocol.events import SNAPSHOT_EVENT
from pybragerone.protocol.payloads import (
    FlatCell,
    flatten_parameters,
    parse_parameters,
    values_of,
)

__all__ = ["BragerGateway", "GatewayStats", "flatten_parameters"]

log = logging.getLogger(__name__)

#: ``{devid: {"P4.v1": value, ...}}``: what snapshot callbacks receive
FlatSnapshot = dict[str, dict[str, Any]]
#: ``callback(source, snapshot)`` (``source`` is ``"prime"`` or ``"snapshot"``), or
#: ``callback(snapshot)``
SnapshotCallback = Callable[[str, FlatSnapshot], Any] | Callable[[FlatSnapshot], Any]
TaskCallback = Callable[[str, Any], Any]

_LOG_FIRST = 20
_LOG_EVERY = 1000


def _wants_source(callback: Callable[..., Any]) -> bool:
    """Whether a snapshot callback takes ``(source, snapshot)`` rather than ``(snapshot)``."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):  # no signature to read (some builtins): the old form
        return False
    required = 0
    variadic = False
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            variadic = True
        elif (
            parameter.kind
            in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            and parameter.default is inspect.Parameter.empty
        ):
            required += 1
    return required >= 2 or (variadic and required == 0)


def _worth_logging(before: int, after: int) -> bool:
    """The first few problems of a kind, then one per thousand: never silent, never a flood."""
    return before < _LOG_FIRST or before // _LOG_EVERY != after // _LOG_EVERY


@dataclass(slots=True)
class GatewayStats:
    """Counters of what the gateway received and what it had to skip."""

    events: int = 0
    updates: int = 0
    bad_payloads: int = 0
    skipped_cells: int = 0
    primes: int = 0
    task_events: int = 0


class BragerGateway:
    """Realtime parameters of ``modules`` (devids) of installation ``object_id``.

    Pass an empty ``modules`` list to use every module of the object. Updates go to
    :attr:`bus`; run stores with ``asyncio.create_task(store.run(gateway.bus))``.
    """

    def __init__(
        self,
        api: BragerApiClient,
        object_id: int,
        modules: Sequence[str] = (),
        *,
        bus: EventBus | None = None,
        reconnect_delay: float = 0.5,
        snapshot_timeout: float = 10.0,
    ) -> None:
        self.api = api
        self.object_id = object_id
        self.modules = list(modules)
        self.bus = bus or EventBus()
        self.stats = GatewayStats()
        self.realtime = RealtimeManager(
            api, self.modules, group_id=object_id, reconnect_delay=reconnect_delay
        )
        self.realtime.on_parameters(self._on_parameters)
        self.realtime.on_task(self._on_task)
        self.realtime.on_connected(self._prime)
        self.snapshot_timeout = snapshot_timeout
        self._snapshot_callbacks: list[tuple[Callable[..., Any], bool]] = []
        self._task_callbacks: list[TaskCallback] = []
        self._background: set[asyncio.Task[None]] = set()
        self._priming: set[tuple[str, str]] | None = None
        self._primed = asyncio.Event()
        self._running = False

    @staticmethod
    def flatten_parameters(payload: Any) -> list[FlatCell]:
        """Every cell of a snapshot or change payload as ``(key, value, meta, devid)``.

        ``key`` is ``"P4.v1"``; see :func:`pybragerone.gateway.flatten_parameters`.
        Raises :class:`~pybragerone.errors.BragerPayloadError` if it is not an object.
        """
        return flatten_parameters(payload)

    def on_snapshot(self, callback: SnapshotCallback) -> None:
        """Call ``callback`` after every snapshot: each priming and each pushed ``snapshot``.

        Priming happens at :meth:`start` and after every reconnect. A callback taking two
        arguments gets ``(source, snapshot)``: ``source`` is ``"prime"`` or ``"snapshot"``,
        ``snapshot`` is ``{devid: {"P4.v1": value, ...}}``; a callback taking one argument
        gets ``snapshot`` alone. Either may be a coroutine function. It runs once the stores
        started on :attr:`bus` (``ParamStore``, ``StateStore``) took the snapshot in (waiting
        at most :attr:`snapshot_timeout` seconds), so they already hold every primed device.
        A callback that raises is logged with its traceback and the others still run.
        """
        self._snapshot_callbacks.append((callback, _wants_source(callback)))

    def on_task(self, callback: TaskCallback) -> None:
        """Call ``callback(kind, payload)`` for command task events."""
        self._task_callbacks.append(callback)

    @property
    def connected(self) -> bool:
        """Whether the realtime socket is up (False while it reconnects): entity availability."""
        return self._running and self.realtime.connected

    @property
    def running(self) -> bool:
        """Whether :meth:`start` succeeded and :meth:`stop` was not called."""
        return self._running

    async def start(self) -> None:
        """Log in if needed, connect, bind, prime the snapshot, then stream changes.

        Calling it again while running does nothing.
        """
        if self._running:
            return
        await self.api.ensure_auth()
        if not self.modules:
            self.modules = [m.devid for m in await self.api.get_modules(self.object_id)]
            self.realtime.modules = list(self.modules)
        await self.realtime.start()
        self._running = True

    async def stop(self, *, close_bus: bool = True) -> None:
        """Disconnect and release the network.

        The socket closes, and so does the HTTP session the API client made for itself (a
        session passed to the client is left open); the client stays usable and opens a new
        session on its next call. With ``close_bus`` the bus ends every subscription, which
        ends the stores' ``run``.
        """
        self._running = False
        await self.realtime.stop()
        background, self._background = self._background, set()
        for task in background:
            task.cancel()
        if background:
            await asyncio.gather(*background, return_exceptions=True)
        await self.api.close()
        if close_bus:
            self.bus.close()

    async def wait_primed(self) -> None:
        """Wait until the first snapshot was published."""
        await self._primed.wait()

    async def write(self, devid: str, parameter: str, value: float | int) -> CommandResult:
        """Write a parameter (``P6.v1``) through the REST API; the change arrives as an event."""
        return await self.api.module_command(devid, parameter, value)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- priming and streaming ----------------------------------------------------------------

    async def _prime(self) -> None:
        self._priming = set()
        try:
            raw = await self.api.get_parameters(self.modules)
            result = parse_parameters(raw)
            self._count_skips("snapshot", result.skipped)
            changed = self._priming
            # A change that arrived while the snapshot was in flight is at least as new.
            updates = [u for u in result.updates if (u.devid, u.key) not in changed]
            self.bus.publish_many(updates)
        finally:
            self._priming = None
        self.stats.primes += 1
        self._primed.set()
        if self._snapshot_callbacks:
            await self._notify_snapshot("prime", values_of(result.updates))

    async def _notify_snapshot(self, source: str, snapshot: FlatSnapshot) -> None:
        try:
            async with asyncio.timeout(self.snapshot_timeout):
                await self.bus.wait_for_consumers()
        except TimeoutError:
            log.warning(
                "the stores on the bus did not take the %s in within %.1f s; "
                "calling on_snapshot callbacks anyway",
                source,
                self.snapshot_timeout,
            )
        for callback, wants_source in list(self._snapshot_callbacks):
            try:
                result = callback(source, snapshot) if wants_source else callback(snapshot)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("on_snapshot callback failed (%r)", callback)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _count_skips(self, where: str, skipped: list[str]) -> None:
        if not skipped:
            return
        before = self.stats.skipped_cells
        self.stats.skipped_cells += len(skipped)
        if _worth_logging(before, self.stats.skipped_cells):
            log.warning(
                "%s: skipped %d malformed part(s) (%d so far): %s",
                where,
                len(skipped),
                self.stats.skipped_cells,
                skipped[:5],
            )

    def _on_parameters(self, event: str, payload: Any) -> None:
        self.stats.events += 1
        try:
            result = parse_parameters(payload)
        except BragerPayloadError as exc:
            self.stats.bad_payloads += 1
            bad = self.stats.bad_payloads
            if _worth_logging(bad - 1, bad):
                log.warning("skipping malformed %s event (%d so far): %s", event, bad, exc)
            return
        self._count_skips(event, result.skipped)
        updates = result.updates
        if self._priming is not None:
            # Only a new value beats the snapshot's: a metadata-only frame carries none.
            self._priming.update(
                (u.devid, u.key) for u in updates if u.value is not None or u.meta is None
            )
        self.stats.updates += len(updates)
        self.bus.publish_many(updates)
        if event == SNAPSHOT_EVENT and self._snapshot_callbacks:
            self._spawn(self._notify_snapshot(event, values_of(updates)))

    async def _on_task(self, kind: str, payload: Any) -> None:
        self.stats.task_events += 1
        for callback in self._task_callbacks:
            try:
                result = callback(kind, payload)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("on_task callback failed")
