from importlib.metadata import metadata
from pathlib import Path

import ensync_sdk


def test_version_matches_distribution_metadata() -> None:
    assert ensync_sdk.__version__ == metadata("ensync-sdk")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(ensync_sdk.__file__).parent / "py.typed").is_file()
