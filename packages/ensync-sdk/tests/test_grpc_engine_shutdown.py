"""The process's only gRPC channel, freed on the event loop, never makes the loop wait.

grpc.aio stops its engine when its last channel is freed, joining its poller thread: a blocking
call on whichever loop drops the reference. The SDK keeps the engine for the process's life, so
a program whose only channel fails and goes away runs clean under blockbuster (a child process:
no simulator there keeps the engine alive, as in the test process).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from shared_testing.blocking import script_command

PROGRAM = """
import asyncio, gc, sys
from ensync_sdk import EnSyncConnectionError, EnSyncEngine

caught = []
sys.unraisablehook = lambda unraisable: caught.append(repr(unraisable.exc_value))

async def main():
    for _ in range(2):
        try:
            engine = EnSyncEngine("grpc://127.0.0.1:9", {"request_timeout": 2000})
            await engine.create_client("ak-x")
        except EnSyncConnectionError:
            pass
        gc.collect()  # the failed client's channel is freed here, on the loop
    await asyncio.sleep(0)

asyncio.run(main())
print("unraisable:", caught)
sys.exit(1 if caught else 0)
"""


def test_the_last_channel_freed_on_the_loop_blocks_nothing(tmp_path: Path) -> None:
    script = tmp_path / "lonely_channel.py"
    script.write_text(PROGRAM)
    done = subprocess.run(
        script_command(script),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unraisable: []" in done.stdout
