"""``python -m pybragerone`` is ``pybragerone-cli``."""

from pybragerone.cli import _entry

_entry()
