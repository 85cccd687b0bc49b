"""Splitting a fleet between runtimes: ``power-sdk runtime --shard K/N``.

Every runtime reads the same config and polls only the devices whose id falls in its shard.
Which shard owns a device is a pure function of the device id and N (rendezvous hashing over
BLAKE2b, never Python's per-process ``hash()``), so N runtimes on any machines, started in any
order, cover the fleet exactly once without talking to each other. Growing from N to N + 1
shards moves only the devices the new shard takes over (about 1 / (N + 1) of them); every
other device stays where it was.
"""

from __future__ import annotations

import hashlib
import re

import attrs

from power_sdk.errors import ConfigError
from power_sdk.runtime.config import RuntimeConfig

__all__ = ["Shard", "shard_of"]

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def _weight(device_id: str, shard: int) -> int:
    digest = hashlib.blake2b(f"{shard}/{device_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def shard_of(device_id: str, count: int) -> int:
    """The shard (1 to ``count``) that owns ``device_id`` when the fleet is split ``count`` ways."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"a fleet is split into 1 or more shards, got {count!r}")
    return max(range(1, count + 1), key=lambda shard: _weight(device_id, shard))


@attrs.frozen
class Shard:
    """Shard ``index`` of ``count`` (1-based, as ``--shard 2/3`` writes it)."""

    index: int
    count: int

    def __attrs_post_init__(self) -> None:
        for name in ("index", "count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"shard {name} must be an integer, got {value!r}")
        if not 1 <= self.index <= self.count:
            raise ConfigError(
                f"shard {self.index}/{self.count} does not exist: K/N needs 1 <= K <= N"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/3"`` -> ``Shard(2, 3)``; anything else is a :class:`ConfigError`."""
        match = _SPEC.fullmatch(text)
        if match is None:
            raise ConfigError(
                f"a shard is written K/N, e.g. 2/3 (the second of three), got {text!r}"
            )
        return cls(int(match[1]), int(match[2]))

    def owns(self, device_id: str) -> bool:
        """Whether this shard polls ``device_id``."""
        return shard_of(device_id, self.count) == self.index

    def select(self, config: RuntimeConfig) -> RuntimeConfig:
        """``config`` with only the devices this shard owns (possibly none)."""
        return attrs.evolve(config, devices=[d for d in config.devices if self.owns(d.id)])

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
