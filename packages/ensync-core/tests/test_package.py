from importlib.metadata import metadata
from pathlib import Path

import ensync_core


def test_version_matches_distribution_metadata() -> None:
    assert ensync_core.__version__ == metadata("ensync-core")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(ensync_core.__file__).parent / "py.typed").is_file()
