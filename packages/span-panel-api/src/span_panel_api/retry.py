"""How many times, and how long apart, failed requests are tried again."""

from __future__ import annotations

import math

from span_panel_api.exceptions import SpanPanelValidationError

__all__ = ["RetryPolicy"]


class RetryPolicy:
    """``retries`` extra attempts; the n-th waits ``retry_timeout * multiplier ** (n - 1)``.

    All three values can be changed while the client is in use; each is checked when set.
    """

    def __init__(self, retries: int, retry_timeout: float, retry_backoff_multiplier: float) -> None:
        self.retries = retries
        self.retry_timeout = retry_timeout
        self.retry_backoff_multiplier = retry_backoff_multiplier

    @property
    def retries(self) -> int:
        """Extra attempts after the first (0: a single attempt)."""
        return self._retries

    @retries.setter
    def retries(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SpanPanelValidationError(f"retries must be an integer >= 0, got {value!r}")
        self._retries = value

    @property
    def retry_timeout(self) -> float:
        """Seconds before the first retry."""
        return self._retry_timeout

    @retry_timeout.setter
    def retry_timeout(self, value: float) -> None:
        self._retry_timeout = _non_negative("retry_timeout", value)

    @property
    def retry_backoff_multiplier(self) -> float:
        """Factor applied to the delay after every retry."""
        return self._multiplier

    @retry_backoff_multiplier.setter
    def retry_backoff_multiplier(self, value: float) -> None:
        checked = _non_negative("retry_backoff_multiplier", value)
        if checked < 1:
            raise SpanPanelValidationError(f"retry_backoff_multiplier must be >= 1, got {value!r}")
        self._multiplier = checked

    @property
    def attempts(self) -> int:
        """Total attempts per call."""
        return self._retries + 1

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        return float(self._retry_timeout * self._multiplier ** (retry - 1))


def _non_negative(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpanPanelValidationError(f"{name} must be a finite number, got {value!r}")
    if value < 0:
        raise SpanPanelValidationError(f"{name} must be >= 0, got {value!r}")
    return float(value)
