"""Bluetti devices. ``power_sdk.plugins.bluetti.v2`` is the V2 protocol (Elite V2 series)."""
