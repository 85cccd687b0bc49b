from importlib.metadata import metadata
from pathlib import Path

import span_panel_api


def test_version_matches_distribution_metadata() -> None:
    assert span_panel_api.__version__ == metadata("span-panel-api")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(span_panel_api.__file__).parent / "py.typed").is_file()
