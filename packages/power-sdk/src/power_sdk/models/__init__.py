"""Device models: block groups (:mod:`.types`) and the state of a device (:mod:`.device`)."""

from power_sdk.models.device import DeviceState
from power_sdk.models.types import BlockGroup

__all__ = ["BlockGroup", "DeviceState"]
