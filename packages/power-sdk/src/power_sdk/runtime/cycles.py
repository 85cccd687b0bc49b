"""What one poll cycle of the fleet did: the summary line the runtime logs after each cycle."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = ["CycleSummary", "name_devices"]

#: device ids named in one line before the rest is counted ("+12 more")
NAMED = 10


def name_devices(ids: Sequence[str], limit: int = NAMED) -> str:
    """``a, b, c`` or ``a, b, c, +12 more``."""
    shown = ", ".join(ids[:limit])
    return f"{shown}, +{len(ids) - limit} more" if len(ids) > limit else shown


@attrs.frozen
class CycleSummary:
    """One cycle of the devices polled every ``interval`` seconds.

    ``polled`` devices were asked this cycle, ``failed`` (ids) of them did not answer every
    block; ``busy`` (ids) were skipped because their poll from an earlier cycle still runs
    (one request in flight per device). ``seconds`` runs from the cycle's start to the end
    of its last poll.
    """

    number: int
    interval: float
    devices: int
    polled: int
    failed: tuple[str, ...]
    busy: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> int:
        """Devices that answered every block this cycle."""
        return self.polled - len(self.failed)

    def line(self) -> str:
        """The log line: devices polled, failed (named), busy, and the cycle time."""
        text = (
            f"cycle {self.number} (every {self.interval:g} s): {self.ok} of {self.devices} "
            f"devices polled, {len(self.failed)} failed"
        )
        if self.failed:
            text += f" ({name_devices(self.failed)})"
        if self.busy:
            text += (
                f", {len(self.busy)} still busy from an earlier cycle ({name_devices(self.busy)})"
            )
        return f"{text}, cycle time {self.seconds:.3f} s"
