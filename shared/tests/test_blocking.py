"""The blocking-call detector: what it catches, where, and the one list of exemptions."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest

from shared_testing.blocking import EXEMPTIONS, BlockingError, main, no_blocking, script_command
from shared_testing.docs import QuickstartFailed, run_quickstart
from shared_testing.simulator import RunningSimulator

pytest_plugins = ["pytester"]


def test_a_sleep_on_a_running_loop_is_caught() -> None:
    async def sleeps() -> None:
        time.sleep(0.001)  # noqa: ASYNC251

    with no_blocking(), pytest.raises(BlockingError, match=r"time\.sleep"):
        asyncio.run(sleeps())


def test_a_file_read_on_a_running_loop_is_caught(tmp_path: Path) -> None:
    target = tmp_path / "data.txt"
    target.write_text("x")

    async def reads() -> str:
        return target.read_text()

    with no_blocking(), pytest.raises(BlockingError):
        asyncio.run(reads())


def test_the_same_calls_off_the_loop_are_fine(tmp_path: Path) -> None:
    target = tmp_path / "data.txt"
    target.write_text("x")

    async def in_executor() -> str:
        return await asyncio.to_thread(target.read_text)

    with no_blocking():
        time.sleep(0.001)  # no loop runs in this thread: nothing to block
        assert asyncio.run(in_executor()) == "x"


def test_detection_ends_with_the_block() -> None:
    async def sleeps() -> None:
        time.sleep(0.001)  # noqa: ASYNC251

    with no_blocking():
        pass
    asyncio.run(sleeps())  # would raise if the detector were still active


async def test_async_tests_run_with_the_detector_active() -> None:
    with pytest.raises(BlockingError):
        time.sleep(0.001)  # noqa: ASYNC251


async def test_a_simulators_own_loop_is_exempt(echo_sim: RunningSimulator) -> None:
    async def blocks_on_the_simulator_loop() -> str:
        time.sleep(0.001)  # noqa: ASYNC251 - the remote side's loop: not the code under test
        return "done"

    assert await echo_sim.acall(blocks_on_the_simulator_loop) == "done"


def test_every_exemption_is_justified() -> None:
    assert EXEMPTIONS
    for exemption in EXEMPTIONS:
        assert exemption.functions
        assert len(exemption.reason) > 40, exemption


def test_plugin_marks_and_opt_out(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time

        import pytest

        async def test_async_blocks():
            time.sleep(0.001)

        @pytest.mark.no_blocking
        def test_marked_sync_test_running_a_loop():
            async def blocks():
                time.sleep(0.001)
            asyncio.run(blocks())

        def test_unmarked_sync_test_running_a_loop():
            async def blocks():
                time.sleep(0.001)
            asyncio.run(blocks())

        @pytest.mark.allow_blocking(reason="exercises the opt-out")
        async def test_opted_out():
            time.sleep(0.001)

        @pytest.mark.allow_blocking
        async def test_opt_out_without_reason():
            pass
        """
    )
    result = pytester.runpytest(
        "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function", "-rfE"
    )
    result.assert_outcomes(passed=2, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "FAILED *::test_async_blocks*",
            "FAILED *::test_marked_sync_test_running_a_loop*",
            "ERROR *::test_opt_out_without_reason*",
        ],
        consecutive=False,
    )
    output = result.stdout.str()
    # Count the traceback's "E" lines: the short summary repeats the message or truncates it,
    # depending on the terminal's width.
    raised = [
        line
        for line in result.stdout.lines
        if line.startswith("E ") and "BlockingError: Blocking call to time.sleep" in line
    ]
    assert len(raised) == 2, raised
    assert "allow_blocking needs a reason" in output


def test_a_quickstart_that_blocks_its_loop_fails(tmp_path: Path) -> None:
    script = tmp_path / "quickstart.py"
    script.write_text(
        "import asyncio, sys, time\n"
        "async def main():\n"
        "    time.sleep(0.001)\n"
        "    print('slept')\n"
        "asyncio.run(main())\n"
    )
    with pytest.raises(QuickstartFailed, match="BlockingError"):
        run_quickstart(script, {"url": "http://127.0.0.1:1"})


def test_a_quickstart_gets_its_argument_and_its_own_directory_on_the_path(
    tmp_path: Path,
) -> None:
    (tmp_path / "sibling.py").write_text("VALUE = 'from the sibling module'\n")
    script = tmp_path / "quickstart.py"
    script.write_text(
        "import asyncio, json, sys\n"
        "import sibling\n"
        "async def main():\n"
        "    await asyncio.sleep(0)\n"
        "    print(json.loads(sys.argv[1])['url'], sibling.VALUE)\n"
        "asyncio.run(main())\n"
    )
    assert run_quickstart(script, {"url": "http://x"}) == "http://x from the sibling module"


async def test_waiting_for_a_quickstart_on_the_loop_is_caught(tmp_path: Path) -> None:
    # run_quickstart waits for a process: fine in a synchronous test, a stalled loop in an
    # async one, so no exemption covers it
    script = tmp_path / "quickstart.py"
    await asyncio.to_thread(script.write_text, "print('never waited for')\n")
    with pytest.raises(BlockingError):
        run_quickstart(script, {"url": "http://x"})


def test_the_runner_without_a_script_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_the_runner_command_puts_interpreter_options_first() -> None:
    assert script_command("s.py", "a", python_options=["-X", "dev"])[1:] == [
        "-X",
        "dev",
        "-m",
        "shared_testing.blocking",
        "s.py",
        "a",
    ]


def test_the_runner_keeps_the_scripts_exit_status(tmp_path: Path) -> None:
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(3)\n")
    done = subprocess.run(script_command(script), check=False)
    assert done.returncode == 3
