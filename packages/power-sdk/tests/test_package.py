from importlib.metadata import metadata
from pathlib import Path

import power_sdk


def test_version_matches_distribution_metadata() -> None:
    assert power_sdk.__version__ == metadata("power-sdk")["Version"]


def test_package_is_marked_typed() -> None:
    assert (Path(power_sdk.__file__).parent / "py.typed").is_file()


def test_cli_script_and_builtin_plugin_are_declared() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts["power-sdk"] == "power_sdk.runtime.cli:main"
    plugins = {e.name: e.value for e in entry_points(group="power_sdk.plugins")}
    assert plugins["bluetti_v2"] == "power_sdk.plugins.bluetti_v2:register"
