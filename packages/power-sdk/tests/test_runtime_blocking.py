"""The runtime CLI polls with the blockbuster detector active in its process.

``python -m shared_testing.blocking`` runs the CLI with every blocking call on its event loop
turned into an error: a device behind a client certificate (the .pfx decoded and written to
temporary files), every kind of sink, one cycle.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import power_sdk.runtime.cli
from shared_testing import RunningSimulator
from shared_testing.blocking import script_command

from .pki import PASSWORD, Pki


def test_once_with_a_certificate_and_every_sink_blocks_nothing(
    mutual_tls: tuple[int, RunningSimulator], pki: Pki, tmp_path: Path
) -> None:
    tls_port, sim = mutual_tls
    plain = sim.info()["broker"]
    device = sim.info()["devices"][0]
    out = tmp_path / "records" / "out.jsonl"
    config = tmp_path / "runtime.yaml"
    config.write_text(
        f"""
version: 1
pipelines:
  p: {{mode: pull, transport: mqtt, vendor: bluetti, protocol: v2}}
defaults:
  transport: {{opts: {{broker: 127.0.0.1, port: {tls_port}, ca_file: "{pki.ca}"}}}}
devices:
  - id: cellar
    pipeline: p
    profile_id: {device["profile"]}
    transport:
      opts:
        device_sn: "{device["serial"]}"
        pfx_cert: "{pki.pfx}"
        cert_password: "${{CELLAR_PW}}"
        groups: [core, battery]
    sinks:
      - {{type: stdout}}
      - {{type: jsonl, path: "{out}"}}
      - {{type: mqtt, broker: "{plain}", topic: "t/{{device_id}}", discovery_prefix: ha}}
"""
    )
    done = subprocess.run(
        script_command(
            power_sdk.runtime.cli.__file__, "runtime", "--config", str(config), "--once"
        ),
        env={**os.environ, "CELLAR_PW": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "BlockingError" not in done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [record["block_id"] for record in printed] == [100, 6000]
    assert len(out.read_text().splitlines()) == 2
    assert PASSWORD not in done.stdout + done.stderr
