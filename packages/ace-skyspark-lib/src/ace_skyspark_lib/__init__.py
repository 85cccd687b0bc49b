"""Async SkySpark / Project Haystack client: SCRAM auth, Zinc, entity CRUD and history."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("ace-skyspark-lib")
