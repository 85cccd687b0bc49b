"""Device model: profiles, block groups and per-device state."""

from power_sdk.device.profiles import PROFILES, BlockGroup, DeviceProfile, get_profile
from power_sdk.device.state import DeviceState

__all__ = ["PROFILES", "BlockGroup", "DeviceProfile", "DeviceState", "get_profile"]
