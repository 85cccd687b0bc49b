"""EnSync event-streaming client over gRPC and WebSocket with end-to-end encryption."""

from importlib.metadata import version as _version

from ensync_core import (
    EnSyncAuthError,
    EnSyncConnectionError,
    EnSyncDecryptionError,
    EnSyncError,
    EnSyncPublishError,
    EnSyncSubscriptionError,
    EnSyncValidationError,
    generate_key_pair,
)
from ensync_sdk.client import EnSyncClient
from ensync_sdk.engine import ClientStarter, EnSyncEngine, EnSyncWebSocketEngine
from ensync_sdk.events import EnSyncEvent, EventInfo
from ensync_sdk.subscription import Subscription

__all__ = [
    "ClientStarter",
    "EnSyncAuthError",
    "EnSyncClient",
    "EnSyncConnectionError",
    "EnSyncDecryptionError",
    "EnSyncEngine",
    "EnSyncError",
    "EnSyncEvent",
    "EnSyncPublishError",
    "EnSyncSubscriptionError",
    "EnSyncValidationError",
    "EnSyncWebSocketEngine",
    "EventInfo",
    "Subscription",
    "__version__",
    "generate_key_pair",
]

__version__ = _version("ensync-sdk")
