"""Async client for the SPAN smart electrical panel's local REST API, with a simulation mode."""

from importlib.metadata import version as _version

from span_panel_api.client import SpanPanelClient
from span_panel_api.exceptions import (
    SimulationConfigurationError,
    SpanPanelAPIError,
    SpanPanelAuthError,
    SpanPanelConnectionError,
    SpanPanelError,
    SpanPanelRetriableError,
    SpanPanelServerError,
    SpanPanelSimulationError,
    SpanPanelTimeoutError,
    SpanPanelValidationError,
)
from span_panel_api.simulation import (
    BranchOverride,
    CircuitOverride,
    GlobalOverride,
    SimulationConfig,
    SimulationEngine,
)

__all__ = [
    "BranchOverride",
    "CircuitOverride",
    "GlobalOverride",
    "SimulationConfig",
    "SimulationConfigurationError",
    "SimulationEngine",
    "SpanPanelAPIError",
    "SpanPanelAuthError",
    "SpanPanelClient",
    "SpanPanelConnectionError",
    "SpanPanelError",
    "SpanPanelRetriableError",
    "SpanPanelServerError",
    "SpanPanelSimulationError",
    "SpanPanelTimeoutError",
    "SpanPanelValidationError",
    "__version__",
]

__version__ = _version("span-panel-api")
