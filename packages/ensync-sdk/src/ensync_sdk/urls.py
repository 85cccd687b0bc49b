"""The URL rules of the EnSync clients (which transport security and port a URL means)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ensync_core import EnSyncValidationError

__all__ = ["GrpcTarget", "parse_grpc_url", "parse_ws_url"]

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
GRPC_TLS_PORT = 443
GRPC_INSECURE_PORT = 50051


@dataclass(frozen=True, slots=True)
class GrpcTarget:
    """Where a gRPC channel connects (``host:port``) and whether it uses TLS."""

    host: str
    port: int
    secure: bool

    @property
    def target(self) -> str:
        """``host:port`` as grpc expects it (IPv6 hosts bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _split(url: str, default_scheme: str) -> tuple[str, str, int | None, str]:
    if not isinstance(url, str) or not url.strip():
        raise EnSyncValidationError("the EnSync URL is empty; pass e.g. 'grpcs://node.host'")
    text = url.strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise EnSyncValidationError(f"invalid EnSync URL {url!r}: {exc}", cause=exc) from exc
    if not parts.hostname:
        raise EnSyncValidationError(f"invalid EnSync URL {url!r}: no host")
    return parts.scheme.lower(), parts.hostname, port, parts.path


def parse_grpc_url(url: str, *, disable_tls: bool = False) -> GrpcTarget:
    """Apply the gRPC URL rules.

    ``grpcs://h[:p]`` is TLS (default port 443), ``grpc://h[:p]`` insecure (default 50051); a
    bare host means TLS on 443, except ``localhost``/``127.0.0.1`` which mean insecure 50051.
    ``disable_tls`` forces an insecure channel.
    """
    explicit = "://" in url if isinstance(url, str) else False
    scheme, host, port, _path = _split(url, "grpcs")
    if scheme not in ("grpc", "grpcs"):
        raise EnSyncValidationError(
            f"invalid EnSync gRPC URL {url!r}: the scheme must be grpc:// or grpcs://"
        )
    secure = scheme == "grpcs"
    if not explicit and host in _LOCAL_HOSTS:
        secure = False
    if disable_tls:
        secure = False
    if port is None:
        port = GRPC_TLS_PORT if secure else GRPC_INSECURE_PORT
    return GrpcTarget(host, port, secure)


def parse_ws_url(url: str, *, disable_tls: bool = False) -> str:
    """The full WebSocket endpoint (``ws[s]://host[:port]/message``) of an EnSync node URL.

    A bare host means ``wss://``; ``disable_tls`` turns ``wss`` into ``ws``.
    """
    scheme, host, port, path = _split(url, "wss")
    if scheme not in ("ws", "wss"):
        raise EnSyncValidationError(
            f"invalid EnSync WebSocket URL {url!r}: the scheme must be ws:// or wss://"
        )
    if disable_tls:
        scheme = "ws"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    base = path.rstrip("/")
    if not base.endswith("/message"):
        base = f"{base}/message"
    return f"{scheme}://{netloc}{base}"
