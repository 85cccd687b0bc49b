from importlib.metadata import metadata
from pathlib import Path

import ace_skyspark_lib


def test_version_matches_distribution_metadata() -> None:
    assert ace_skyspark_lib.__version__ == metadata("ace-skyspark-lib")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(ace_skyspark_lib.__file__).parent / "py.typed").is_file()
