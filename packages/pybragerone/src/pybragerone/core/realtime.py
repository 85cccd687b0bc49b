"""RealtimeManager: the Socket.IO connection (namespace ``/ws``) with bind, listen, reconnect.

After every (re)connection it binds the socket to the modules with ``POST /modules/connect``
(namespace SID, falling back to the engine SID), emits the listen events, then runs the
``on_connected`` callbacks (the gateway re-primes its snapshot there). A lost connection is
re-established with exponential backoff until :meth:`RealtimeManager.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import socketio  # type: ignore[import-untyped]

from pybragerone.core.client import BragerApiClient
from pybragerone.core.token import Token
from pybragerone.errors import BragerApiError, BragerError, BragerRealtimeError
from pybragerone.protocol.events import (
    ACTIVITY_LISTEN,
    PARAMETERS_CHANGE_EVENTS,
    PARAMETERS_LISTEN,
    SNAPSHOT_EVENT,
    TASK_EVENTS,
)

__all__ = ["RealtimeManager"]


log = logging.getLogger(__name__)
raw_log = logging.getLogger("pybragerone.raw_ws")

ParametersHandler = Callable[[str, Any], None]
TaskHandler = Callable[[str, Any], Any]
ConnectedHandler = Callable[[], Awaitable[None]]


class _Refused(Exception):
    """The server connected but refused the namespace: the token, most likely."""


class RealtimeManager:
    """One Socket.IO session bound to ``modules``; reconnects by itself until stopped."""

    def __init__(
        self,
        api: BragerApiClient,
        modules: Sequence[str] = (),
        *,
        group_id: int | None = None,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
        connect_timeout: float = 10.0,
        listen_ack_timeout: float = 1.0,
    ) -> None:
        self.api = api
        self.modules = list(modules)
        self.group_id = group_id
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self.connect_timeout = connect_timeout
        self.listen_ack_timeout = listen_ack_timeout
        self.namespace = api.server.namespace
        self._client: Any = None
        self._disconnected = asyncio.Event()
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        self._parameter_handlers: list[ParametersHandler] = []
        self._task_handlers: list[TaskHandler] = []
        self._connected_handlers: list[ConnectedHandler] = []
        self.namespace_sid: str | None = None
        self.engine_sid: str | None = None
        self.connects = 0
        self.reconnects = 0
        self.disconnects = 0
        self.last_error: BaseException | None = None

    # -- callbacks ----------------------------------------------------------------------------

    def on_parameters(self, handler: ParametersHandler) -> None:
        """Call ``handler(event_name, payload)`` for snapshot and parameter change events."""
        self._parameter_handlers.append(handler)

    def on_task(self, handler: TaskHandler) -> None:
        """Call ``handler(kind, payload)`` for task events (``created``, ``completed``, ...)."""
        self._task_handlers.append(handler)

    def on_connected(self, handler: ConnectedHandler) -> None:
        """Await ``handler()`` after every connection is bound and listening."""
        self._connected_handlers.append(handler)

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopping

    @property
    def connected(self) -> bool:
        """Whether the socket is connected right now."""
        return self._client is not None and not self._disconnected.is_set()

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, bind and listen; raises :class:`BragerRealtimeError` when that fails.

        Does nothing while already started (until :meth:`stop`).
        """
        if self._supervisor is not None:
            return
        self._stopping = False
        await self._connect_once()
        self._supervisor = asyncio.create_task(self._supervise(), name="brager-realtime")

    async def stop(self) -> None:
        """Disconnect and stop reconnecting."""
        self._stopping = True
        self._disconnected.set()
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_client()

    async def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()

    async def _supervise(self) -> None:
        while not self._stopping:
            await self._disconnected.wait()
            if self.stopping:
                return
            self.disconnects += 1
            log.warning("realtime connection lost; reconnecting")
            await self._close_client()
            delay = self.reconnect_delay
            while not self._stopping:
                await asyncio.sleep(delay)
                try:
                    await self._connect_once()
                except BragerError as exc:
                    self.last_error = exc
                    delay = min(delay * 2, self.max_reconnect_delay)
                    log.warning("reconnect failed (%s); next try in %.1f s", exc, delay)
                    continue
                except Exception as exc:
                    # A bug (here or in an on_connected handler) must not end reconnecting
                    # for good: this task is what keeps a Home Assistant entry alive.
                    self.last_error = exc
                    delay = min(delay * 2, self.max_reconnect_delay)
                    log.exception("reconnect failed unexpectedly; next try in %.1f s", delay)
                    continue
                self.reconnects += 1
                log.info("realtime connection re-established (%d reconnects)", self.reconnects)
                break

    async def _connect_once(self) -> None:
        token = await self.api.ensure_auth()
        try:
            client, disconnected = await self._handshake(token)
        except _Refused:
            # The server refused the token (revoked, or a saved one it forgot): renew it once.
            log.info("Socket.IO handshake refused; logging in again")
            client, disconnected = await self._handshake(await self.api.login(), final=True)
        self._client = client
        self._disconnected = disconnected
        try:
            await self._bind(client)
            for handler in self._connected_handlers:
                await handler()
        except BaseException:
            await self._close_client()
            raise
        self.connects += 1

    async def _handshake(self, token: Token, *, final: bool = False) -> tuple[Any, asyncio.Event]:
        server = self.api.server
        # handle_sigint=False: python-socketio would otherwise take over the process's Ctrl-C
        # (cancelling every task and stopping the loop); a library leaves that to its host.
        client = socketio.AsyncClient(
            reconnection=False, logger=False, engineio_logger=False, handle_sigint=False
        )
        disconnected = asyncio.Event()
        self._register(client, disconnected)
        headers = {**server.headers(), "Authorization": token.authorization}
        try:
            await client.connect(
                server.socket_url,
                headers=headers,
                namespaces=[self.namespace],
                socketio_path=server.socketio_path,
                transports=["websocket"],
                wait_timeout=self.connect_timeout,
            )
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await client.disconnect()
            if not isinstance(exc, socketio.exceptions.ConnectionError):
                raise  # cancelled (stop() during a reconnect) or a bug: never leak the socket
            if not final and "namespace" in str(exc).lower():
                raise _Refused from exc
            raise BragerRealtimeError(
                f"Socket.IO connection to {server.socket_url} failed: {exc}; "
                "check the server URL and credentials"
            ) from exc
        return client, disconnected

    async def _bind(self, client: Any) -> None:
        self.namespace_sid = client.get_sid(self.namespace)
        self.engine_sid = client.eio.sid
        candidates = [s for s in (self.namespace_sid, self.engine_sid) if s]
        if not candidates:
            raise BragerRealtimeError("the Socket.IO server gave no session id to bind")
        for n, sid in enumerate(candidates):
            try:
                await self.api.modules_connect(sid, self.modules, group_id=self.group_id)
                break
            except BragerApiError as exc:
                if n == len(candidates) - 1:
                    raise BragerRealtimeError(
                        f"binding the socket to modules {self.modules} failed: {exc}"
                    ) from exc
                log.debug("binding with the namespace SID failed (%s); trying the engine SID", exc)
        # Servers differ in the key they read; sending both costs nothing.
        payload: dict[str, Any] = {"modules": self.modules, "devids": self.modules}
        if self.group_id is not None:
            payload["group_id"] = self.group_id
        await asyncio.gather(
            self._listen(client, PARAMETERS_LISTEN, payload),
            self._listen(client, ACTIVITY_LISTEN, payload),
        )

    async def _listen(self, client: Any, event: str, payload: dict[str, Any]) -> None:
        # Waiting for the acknowledgement orders "listening" before the snapshot is fetched,
        # so no change can fall between the two; a server that does not acknowledge costs
        # ``listen_ack_timeout`` once per connection.
        if self.listen_ack_timeout <= 0:
            await client.emit(event, payload, namespace=self.namespace)
            return
        try:
            await client.call(
                event, payload, namespace=self.namespace, timeout=self.listen_ack_timeout
            )
        except socketio.exceptions.TimeoutError:
            log.debug(
                "%s not acknowledged within %.1f s; continuing", event, self.listen_ack_timeout
            )
        except socketio.exceptions.SocketIOError as exc:
            raise BragerRealtimeError(f"emitting {event} failed: {exc}") from exc

    # -- incoming events ----------------------------------------------------------------------

    def _register(self, client: Any, disconnected: asyncio.Event) -> None:
        ns = self.namespace

        async def on_disconnect(*_: Any) -> None:
            disconnected.set()

        client.on("disconnect", on_disconnect, namespace=ns)
        for event in (SNAPSHOT_EVENT, *PARAMETERS_CHANGE_EVENTS):
            client.on(event, self._parameters_callback(event), namespace=ns)
        for event, kind in TASK_EVENTS.items():
            client.on(event, self._task_callback(event, kind), namespace=ns)

        async def on_other(event: str, *args: Any) -> None:
            raw_log.debug("%s %r", event, args[0] if args else None)

        client.on("*", on_other, namespace=ns)

    def _parameters_callback(self, event: str) -> Callable[..., Awaitable[None]]:
        async def callback(*args: Any) -> None:
            payload = args[0] if args else None
            raw_log.debug("%s %r", event, payload)
            for handler in self._parameter_handlers:
                try:
                    handler(event, payload)
                except Exception:
                    log.exception("parameter handler failed on %s; event skipped", event)

        return callback

    def _task_callback(self, event: str, kind: str) -> Callable[..., Awaitable[None]]:
        async def callback(*args: Any) -> None:
            payload = args[0] if args else None
            raw_log.debug("%s %r", event, payload)
            for handler in self._task_handlers:
                try:
                    result = handler(kind, payload)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("task handler failed on %s; event skipped", event)

        return callback
