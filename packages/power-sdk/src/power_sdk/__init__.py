"""Device runtime for power stations; Bluetti V2 over MQTT with Modbus framing and a YAML runtime."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("power-sdk")
