"""Printing benchmark figures the same way for every package (``nox -s bench``).

A :class:`Figure` is one measured rate or cost; when a baseline was measured in the same run it
carries the baseline's value too, and the printed ratio says how the package compares
(``higher_is_better`` decides the direction: rates yes, latencies no).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Figure", "format_figures", "print_figures", "time_call"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One benchmark result, optionally beside a baseline measured in the same run."""

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline_value: float | None = None
    goal: float | None = None
    higher_is_better: bool = True

    @property
    def ratio(self) -> float | None:
        """Package vs baseline, > 1 meaning the package is better."""
        if self.baseline_value is None or self.value == 0 or self.baseline_value == 0:
            return None
        if self.higher_is_better:
            return self.value / self.baseline_value
        return self.baseline_value / self.value

    @property
    def meets_goal(self) -> bool | None:
        """Whether the ratio reaches the goal (``None`` when there is no goal or ratio)."""
        ratio = self.ratio
        if self.goal is None or ratio is None:
            return None
        return ratio >= self.goal


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def format_figures(package: str, figures: Iterable[Figure]) -> str:
    """Render the figures of ``package`` as an aligned text table."""
    rows = [("figure", "value", "baseline", "baseline value", "ratio", "goal")]
    for fig in figures:
        ratio = fig.ratio
        goal = (
            "" if fig.goal is None else f">= {fig.goal:g} ({'met' if fig.meets_goal else 'MISSED'})"
        )
        rows.append(
            (
                fig.name,
                f"{_number(fig.value)} {fig.unit}",
                fig.baseline_name or "",
                "" if fig.baseline_value is None else f"{_number(fig.baseline_value)} {fig.unit}",
                "" if ratio is None else f"{ratio:.2f}x",
                goal,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"== {package} =="]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def print_figures(package: str, figures: Iterable[Figure]) -> None:
    """Print :func:`format_figures` to stdout."""
    print(format_figures(package, figures), flush=True)


def time_call(fn: Callable[[], object], *, min_seconds: float = 1.0, min_runs: int = 3) -> float:
    """Seconds per call of ``fn``, run until ``min_seconds`` passed and ``min_runs`` were made."""
    runs = 0
    start = time.perf_counter()
    elapsed = 0.0
    while runs < min_runs or elapsed < min_seconds:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
    return elapsed / runs
