"""Device profiles of the supported models (:mod:`power_sdk.devices.profiles`)."""

from power_sdk.devices.profiles import PROFILES, DeviceProfile, get_profile

__all__ = ["PROFILES", "DeviceProfile", "get_profile"]
