"""Brager One heating-controller cloud client: REST, realtime Socket.IO, parameter stores."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("pybragerone")
