"""Brager One heating-controller cloud client: REST, realtime Socket.IO, parameter stores."""

from importlib.metadata import version as _version

from pybragerone.core.client import BragerApiClient
from pybragerone.core.realtime import RealtimeManager
from pybragerone.core.server import BRAGERONE, TISCONNECT, BragerServer
from pybragerone.core.token import Token, TokenStore
from pybragerone.errors import (
    BragerApiError,
    BragerAssetError,
    BragerAuthError,
    BragerCommandTimeoutError,
    BragerConfigError,
    BragerConnectionError,
    BragerError,
    BragerPayloadError,
    BragerRealtimeError,
)
from pybragerone.events import EventBus, Subscription
from pybragerone.gateway import BragerGateway, GatewayStats
from pybragerone.models.param import ParamUpdate
from pybragerone.store.param import ParamStore
from pybragerone.store.state import FamilyState, StateStore

__all__ = [
    "BRAGERONE",
    "TISCONNECT",
    "BragerApiClient",
    "BragerApiError",
    "BragerAssetError",
    "BragerAuthError",
    "BragerCommandTimeoutError",
    "BragerConfigError",
    "BragerConnectionError",
    "BragerError",
    "BragerGateway",
    "BragerPayloadError",
    "BragerRealtimeError",
    "BragerServer",
    "EventBus",
    "FamilyState",
    "GatewayStats",
    "ParamStore",
    "ParamUpdate",
    "RealtimeManager",
    "StateStore",
    "Subscription",
    "Token",
    "TokenStore",
    "__version__",
]

__version__ = _version("pybragerone")
