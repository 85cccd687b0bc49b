from enum import StrEnum


class DoorState(StrEnum):
    CLOSED = "CLOSED"
    OPEN = "OPEN"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)
