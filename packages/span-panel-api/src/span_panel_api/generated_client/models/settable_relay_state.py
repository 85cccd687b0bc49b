from enum import StrEnum


class SettableRelayState(StrEnum):
    CLOSED = "CLOSED"
    OPEN = "OPEN"

    def __str__(self) -> str:
        return str(self.value)
