from importlib.metadata import metadata
from pathlib import Path

import pybragerone


def test_version_matches_distribution_metadata() -> None:
    assert pybragerone.__version__ == metadata("pybragerone")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(pybragerone.__file__).parent / "py.typed").is_file()


def test_the_extras_of_the_readme_exist() -> None:
    extras = set(metadata("pybragerone").get_all("Provides-Extra") or [])
    assert {"core", "cli", "ha", "all"} <= extras
