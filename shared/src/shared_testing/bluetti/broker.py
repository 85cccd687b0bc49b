"""Real MQTT brokers for tests and the simulator: mosquitto when installed, else amqtt.

Both listen on loopback, on an ephemeral port chosen once and kept across restarts, so a test
can pull the broker away under a running client and bring it back where the client expects it.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from shared_testing.threads import start_loop_thread

if TYPE_CHECKING:  # typing.Self is new in Python 3.11; shared-testing runs on 3.10 too
    from typing_extensions import Self

__all__ = [
    "AmqttBroker",
    "BrokerKind",
    "MosquittoBroker",
    "MqttBroker",
    "ThreadedBroker",
    "create_broker",
    "free_port",
    "mosquitto_available",
]

logger = logging.getLogger(__name__)

BrokerKind = Literal["auto", "mosquitto", "amqtt"]

_READY_TIMEOUT = 15.0


def mosquitto_available() -> bool:
    """Whether the ``mosquitto`` binary is on PATH."""
    return shutil.which("mosquitto") is not None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_listening(host: str, port: int) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"MQTT broker did not listen on {host}:{port}") from None
            await asyncio.sleep(0.05)
        else:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return


class MqttBroker(abc.ABC):
    """A broker on ``host:port`` that can stop and start again on the same port."""

    kind: str

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.running = False

    @property
    def url(self) -> str:
        """``mqtt://host:port``."""
        return f"mqtt://{self.host}:{self.port}"

    async def start(self) -> None:
        """Start listening (no-op when already running)."""
        if not self.running:
            await self._start()
            self.running = True

    async def stop(self) -> None:
        """Stop and drop every client connection."""
        if self.running:
            self.running = False
            await self._stop()

    async def restart(self) -> None:
        """Stop, then start on the same port."""
        await self.stop()
        await self.start()

    @abc.abstractmethod
    async def _start(self) -> None: ...

    @abc.abstractmethod
    async def _stop(self) -> None: ...


class MosquittoBroker(MqttBroker):
    """The ``mosquitto`` binary with a generated config (anonymous, no persistence).

    ``extra_config`` is appended to the generated file (e.g. a second, TLS listener).
    """

    kind = "mosquitto"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, extra_config: str = "") -> None:
        super().__init__(host=host, port=port)
        self.extra_config = extra_config
        self._process: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None

    def _write_config(self) -> tuple[str, Path]:
        """The mosquitto binary and a fresh directory holding its config (file-system work)."""
        binary = shutil.which("mosquitto")
        if binary is None:
            raise FileNotFoundError("mosquitto is not on PATH (apt-get install mosquitto)")
        directory = Path(tempfile.mkdtemp(prefix="mosquitto-"))
        (directory / "mosquitto.conf").write_text(
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "set_tcp_nodelay true\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n" + self.extra_config
        )
        return binary, directory

    async def _start(self) -> None:
        # Off the loop: finding the binary and writing the config are file-system calls.
        binary, directory = await asyncio.to_thread(self._write_config)
        self._dir = directory
        self._process = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
            [binary, "-c", str(directory / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait_listening(self.host, self.port)
        except BaseException:
            await self._stop()
            raise

    async def _stop(self) -> None:
        process, self._process = self._process, None
        directory, self._dir = self._dir, None
        if process is not None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, 10)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
        if directory is not None:
            await asyncio.to_thread(shutil.rmtree, directory, True)

    def __del__(self) -> None:
        # A broker never stopped: kill its process and leave no directory behind.
        with contextlib.suppress(Exception):
            if self._process is not None:
                self._process.kill()
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)


class AmqttBroker(MqttBroker):
    """An embedded amqtt broker on the current event loop."""

    kind = "amqtt"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._broker: Any = None

    async def _start(self) -> None:
        from amqtt.broker import Broker  # type: ignore[import-untyped]

        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
        broker = Broker(config)
        await broker.start()
        self._broker = broker

    async def _stop(self) -> None:
        broker, self._broker = self._broker, None
        if broker is None:
            return
        shutdown = asyncio.ensure_future(broker.shutdown())
        while not shutdown.done():
            await asyncio.wait({shutdown}, timeout=0.5)
            _cancel_stuck_readers()
        shutdown.result()


def _cancel_stuck_readers() -> None:
    """Cancel again the amqtt connection readers that swallowed their cancellation.

    On Python 3.11, ``asyncio.wait_for`` can lose a cancellation that races with the read it
    wraps; amqtt's shutdown then waits forever for that reader to stop (seen under load when
    the broker restarts while clients talk). A second ``cancel()`` lands on the next await.
    """
    for task in asyncio.all_tasks():
        name = getattr(task.get_coro(), "__qualname__", "")
        if not name.endswith("._reader_loop") or task.done():
            continue
        # Python 3.10 cannot tell a cancelled reader from a live one; during shutdown every
        # reader is meant to stop, so there it cancels each one still running.
        cancelling = getattr(task, "cancelling", None)
        if cancelling is None or cancelling():
            task.cancel()


def create_broker(
    kind: BrokerKind = "auto", *, host: str = "127.0.0.1", port: int = 0
) -> MqttBroker:
    """A mosquitto broker when asked (or ``auto`` and installed), else an embedded amqtt one."""
    if kind == "mosquitto" or (kind == "auto" and mosquitto_available()):
        return MosquittoBroker(host=host, port=port)
    if kind in ("amqtt", "auto"):
        return AmqttBroker(host=host, port=port)
    raise ValueError(f"unknown broker kind {kind!r}; use auto, mosquitto or amqtt")


class ThreadedBroker:
    """A broker served from its own event loop thread, for synchronous test code."""

    def __init__(self, broker: MqttBroker) -> None:
        self.broker = broker
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``mqtt://host:port``."""
        return self.broker.url

    @property
    def kind(self) -> str:
        """``mosquitto`` or ``amqtt``."""
        return self.broker.kind

    @property
    def port(self) -> int:
        """The broker's port."""
        return self.broker.port

    def _run(self, coroutine: Any) -> None:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("the broker's loop thread is not running; call start() first")
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    def start(self) -> Self:
        """Start the loop thread (once) and the broker."""
        if self._loop is None:
            self._loop, self._thread = start_loop_thread("broker")
        self._run(self.broker.start())
        return self

    def stop(self) -> None:
        """Stop the broker (it can be started again)."""
        self._run(self.broker.stop())

    def restart(self) -> None:
        """Stop and start on the same port."""
        self._run(self.broker.restart())

    def close(self) -> None:
        """Stop the broker and its loop thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            self._run(self.broker.stop())
        self._loop = self._thread = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
