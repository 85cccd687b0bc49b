"""Async SkySpark / Project Haystack client: SCRAM auth, Zinc, entity CRUD and history."""

from importlib.metadata import version as _version

from ace_skyspark_lib.client import HistoryRange, ProgressCallback, SkysparkClient
from ace_skyspark_lib.exceptions import (
    AuthenticationError,
    CommitError,
    FilterSyntaxError,
    HaysonEncodeError,
    HaysonParseError,
    InvalidInputError,
    ServerError,
    SkysparkConnectionError,
    SkysparkError,
    SkysparkTimeoutError,
    TagNotFoundError,
    UnknownKeywordError,
    ZincEncodeError,
    ZincParseError,
)
from ace_skyspark_lib.filter import parse_filter
from ace_skyspark_lib.kinds import NA, Coord, Grid, Marker, Number, Ref, Remove, Symbol, Uri, XStr
from ace_skyspark_lib.models import (
    Equipment,
    HistorySample,
    HistorySeries,
    Point,
    Site,
    WriteResult,
)

__all__ = [
    "NA",
    "AuthenticationError",
    "CommitError",
    "Coord",
    "Equipment",
    "FilterSyntaxError",
    "Grid",
    "HaysonEncodeError",
    "HaysonParseError",
    "HistoryRange",
    "HistorySample",
    "HistorySeries",
    "InvalidInputError",
    "Marker",
    "Number",
    "Point",
    "ProgressCallback",
    "Ref",
    "Remove",
    "ServerError",
    "Site",
    "SkysparkClient",
    "SkysparkConnectionError",
    "SkysparkError",
    "SkysparkTimeoutError",
    "Symbol",
    "TagNotFoundError",
    "UnknownKeywordError",
    "Uri",
    "WriteResult",
    "XStr",
    "ZincEncodeError",
    "ZincParseError",
    "__version__",
    "parse_filter",
]

__version__ = _version("ace-skyspark-lib")
