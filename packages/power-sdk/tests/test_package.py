from importlib.metadata import metadata
from pathlib import Path

import power_sdk


def test_version_matches_distribution_metadata() -> None:
    assert power_sdk.__version__ == metadata("power-sdk")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(power_sdk.__file__).parent / "py.typed").is_file()
