"""The two engines: gRPC (default) and WebSocket, with the same client API."""

from __future__ import annotations

import abc
from collections.abc import Generator, Mapping
from types import TracebackType
from typing import Any

from ensync_sdk._checks import check_text
from ensync_sdk._grpc_transport import GrpcTransport
from ensync_sdk._transport import Transport
from ensync_sdk._ws_transport import WebSocketTransport
from ensync_sdk.client import EnSyncClient
from ensync_sdk.console import enable_console_logging
from ensync_sdk.options import ClientOptions, EngineOptions
from ensync_sdk.urls import parse_grpc_url, parse_ws_url

__all__ = ["ClientStarter", "EnSyncEngine", "EnSyncWebSocketEngine"]


class ClientStarter:
    """What ``create_client`` returns: ``await`` it, or use it with ``async with``."""

    def __init__(self, engine: _Engine, client: EnSyncClient) -> None:
        self._engine = engine
        self._client = client

    async def _start(self) -> EnSyncClient:
        await self._client._start()
        self._engine._clients.append(self._client)
        return self._client

    def __await__(self) -> Generator[Any, None, EnSyncClient]:
        return self._start().__await__()

    async def __aenter__(self) -> EnSyncClient:
        return await self._start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.close()


class _Engine(abc.ABC):
    def __init__(self, url: str, options: Mapping[str, Any] | None = None) -> None:
        self.options = EngineOptions.from_mapping(options)
        if self.options.enable_logging:
            enable_console_logging()
        self.url = url
        self._clients: list[EnSyncClient] = []

    @abc.abstractmethod
    def _transport(self) -> Transport: ...

    def create_client(
        self, app_key: str, options: Mapping[str, Any] | None = None
    ) -> ClientStarter:
        """Connect with the access key ``app_key``; ``options``: ``{"app_secret_key": ...}``.

        ``client = await engine.create_client(...)`` or
        ``async with engine.create_client(...) as client:``.
        """
        check_text(app_key, "the app (access) key", secret=True)
        client_options = ClientOptions.from_mapping(options)
        transport = self._transport()
        transport.validate({"ACCESS_KEY": app_key})
        return ClientStarter(self, EnSyncClient(transport, app_key, self.options, client_options))

    async def close(self) -> None:
        """Close every client this engine created."""
        clients, self._clients = self._clients, []
        for client in clients:
            await client.close()


class EnSyncEngine(_Engine):
    """EnSync over gRPC (the default transport).

    URL rules: ``grpcs://host[:port]`` TLS (port 443 by default), ``grpc://host[:port]``
    insecure (50051); a bare host is TLS on 443, except ``localhost``/``127.0.0.1`` which are
    insecure on 50051.
    """

    def __init__(self, url: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(url, options)
        self.target = parse_grpc_url(url, disable_tls=self.options.disable_tls)

    def _transport(self) -> Transport:
        return GrpcTransport(self.target, request_timeout=self.options.request_timeout / 1000)


class EnSyncWebSocketEngine(_Engine):
    """EnSync over WebSocket (``ws[s]://host[:port]``; the endpoint is ``<url>/message``)."""

    def __init__(self, url: str, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(url, options)
        self.endpoint = parse_ws_url(url, disable_tls=self.options.disable_tls)

    def _transport(self) -> Transport:
        return WebSocketTransport(
            self.endpoint,
            request_timeout=self.options.request_timeout / 1000,
            heartbeat=self.options.heartbeat_interval / 1000,
        )
