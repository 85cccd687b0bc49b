"""EnSync core: end-to-end encryption envelopes, keys and errors shared by EnSync clients."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("ensync-core")
