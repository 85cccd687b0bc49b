"""Mistakes mypy --strict must catch in code using the records (the check can fail)."""

from __future__ import annotations

from pybragerone.models.api import User


def wrong(user: User) -> str:
    return user.objects[0].id  # an int, not a str
