"""EnSync event-streaming client over gRPC and WebSocket with end-to-end encryption."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("ensync-sdk")
