"""Async client for the SPAN smart electrical panel's local REST API, with a simulation mode."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("span-panel-api")
