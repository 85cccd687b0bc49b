"""Generated fleets: ``serve bluetti --devices N`` makes N devices with serials of their own.

Serials are 13 digits like the real ones and follow from the device's position alone, so the
same command always serves the same fleet (a script can keep its config between runs). They
start with ``2439``, a prefix no default or example device uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared_testing.bluetti.registers import PROFILES

__all__ = ["FLEET_PREFIX", "MAX_FLEET", "fleet_devices", "fleet_serial"]

FLEET_PREFIX = "2439"
#: the serial has 9 digits for the position
MAX_FLEET = 999_999_999


def fleet_serial(number: int) -> str:
    """The serial of the ``number``-th generated device (1-based)."""
    if not 1 <= number <= MAX_FLEET:
        raise ValueError(f"fleet device numbers run from 1 to {MAX_FLEET}, got {number}")
    return f"{FLEET_PREFIX}{number:09d}"


def fleet_devices(count: int, profiles: Sequence[str] = ()) -> list[dict[str, str]]:
    """``count`` device specs (``serial``, ``profile``); profiles repeat in the order given.

    Without ``profiles`` the fleet mixes every simulated model in turn.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_FLEET:
        raise ValueError(f"a fleet has 1 to {MAX_FLEET} devices, got {count!r}")
    models = list(profiles) or list(PROFILES)
    unknown = [p for p in models if p not in PROFILES]
    if unknown:
        raise ValueError(f"unknown profile {unknown[0]!r}; known: {', '.join(PROFILES)}")
    return [
        {"serial": fleet_serial(n), "profile": models[(n - 1) % len(models)]}
        for n in range(1, count + 1)
    ]
