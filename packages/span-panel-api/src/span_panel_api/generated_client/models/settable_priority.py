from enum import StrEnum


class SettablePriority(StrEnum):
    MUST_HAVE = "MUST_HAVE"
    NICE_TO_HAVE = "NICE_TO_HAVE"
    NON_ESSENTIAL = "NON_ESSENTIAL"

    def __str__(self) -> str:
        return str(self.value)
