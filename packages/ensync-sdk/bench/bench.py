"""ensync-sdk benchmark: publish -> handler with encryption, ours beside the published 0.4.4.

Each client runs in a process of its own against the standalone simulated node (another
process), so the CPU time a client spends is measured on the client alone: publisher and
subscriber live in that process, one recipient, ``IN_FLIGHT`` publishes outstanding, every event
decrypted, handled and acknowledged. The clients:

* ours over gRPC (the default engine), and ours over WebSocket;
* the published ensync-sdk 0.4.4 with ensync-core 0.1.2, run by the python named in
  ``INTEROP_PYTHON`` (``nox -s bench`` makes that venv, as for ``nox -s interop``); without it
  the bench stops;
* a bare grpc.aio stub sending the same RPCs with a ready-made ciphertext (no SDK, no crypto),
  awaiting each acknowledgement (``raw``) or checking the answers apart as our SDK does
  (``raw-pipelined``): the least CPU any Python grpc.aio client spends on these RPCs.

Every round starts a fresh node and runs each client once, then measures the CPU one event's
cryptography costs (one seal with a fresh ephemeral key, one open: what every client must do per
event); the figures are the medians of ``ROUNDS`` rounds (the machine is shared: single runs are
noisy). The floor of a grpc.aio client is then raw-pipelined + that cryptography: its ratio to
the published SDK is the best any client built on grpc.aio can show here. The node's CPU time
per event (from /proc) says how many events per second it could carry at most: when it is below
the client's, the clients, not the node, set the pace. The raw client also runs against
``routing_node.py``, a grpc.aio servicer that only routes: the CPU any Python gRPC node spends
per event, beside which the simulator's own share shows. ``overhead.py`` then runs ours and the
bare stub (also one that seals and opens every payload) alternating in one process, which the
machine's changing load affects less: the difference is what our SDK's own code costs. Then
single and hybrid encryption ops/s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ensync_core import DecryptionKey, decrypt_payload, encrypt_payload, generate_key_pair
from shared_testing.bench import Figure, print_figures, time_call
from shared_testing.interop import InteropError, published_python
from shared_testing.standalone import serve

HERE = Path(__file__).resolve().parent
EVENTS = 2000
WARMUP = 200
IN_FLIGHT = 32
ROUNDS = 3


def _node_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client(python: str, script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [python, str(HERE / script), *args], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise SystemExit(f"{script} {args[:1]} failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measured(pid: int, python: str, script: str, *args: str) -> dict[str, float]:
    """Run one client; add the CPU the node ``pid`` spent per event meanwhile."""
    before = _node_cpu_seconds(pid)
    result = _client(python, script, *args)
    result["node_cpu_us_per_event"] = (_node_cpu_seconds(pid) - before) / (EVENTS + WARMUP) * 1e6
    return result


def _routing_node_round(line: str) -> dict[str, float]:
    """The raw client against the routing-only grpc.aio node (the floor of a Python node)."""
    node = subprocess.Popen(
        [sys.executable, str(HERE / "routing_node.py"), line], stdout=subprocess.PIPE, text=True
    )
    try:
        assert node.stdout is not None
        routed = node.stdout.readline().strip()
        args = ("raw", routed, str(EVENTS), str(WARMUP), str(IN_FLIGHT))
        return _measured(node.pid, sys.executable, "our_client.py", *args)
    finally:
        node.terminate()
        node.wait(10)


def _round(published: str) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with serve("ensync") as node:
        line = node.line
        common = (line, str(EVENTS), str(WARMUP), str(IN_FLIGHT))
        clients: dict[str, tuple[str, str, tuple[str, ...]]] = {
            "raw": (sys.executable, "our_client.py", ("raw", *common)),
            "raw-pipelined": (sys.executable, "our_client.py", ("raw-pipelined", *common)),
            "ours": (sys.executable, "our_client.py", ("sdk", *common)),
            "ours-ws": (sys.executable, "our_client.py", ("sdk-ws", *common)),
            "published": (published, "published_client.py", common),
        }
        for name, (python, script, args) in clients.items():
            results[name] = _measured(node.process.pid, python, script, *args)
        results["raw-routing-node"] = _routing_node_round(line)
    results["crypto"] = {"cpu_us_per_event": crypto_cpu_per_event()}
    return results


def crypto_cpu_per_event(events: int = 400) -> float:
    """CPU microseconds of one event's cryptography: a seal for one recipient, then its open.

    A fresh ephemeral key per message, as every client does: one Curve25519 base-point
    multiplication (the key pair) and two variable-base ones (sealing, opening).
    """
    pair = generate_key_pair()
    key = DecryptionKey.from_secret(pair.secret_key)
    plaintext = json.dumps({"meter": "m-1", "kwh": 12.75, "seq": 1}).encode()
    start = time.process_time()
    for _ in range(events):
        decrypt_payload(encrypt_payload(plaintext, [pair.app_id]), key)
    return (time.process_time() - start) / events * 1e6


def _sdk_overhead() -> dict[str, float]:
    """overhead.py against a fresh node: ours and the bare stubs alternating in one process."""
    with serve("ensync") as node:
        return _client(sys.executable, "overhead.py", node.line, "400", "8", str(IN_FLIGHT))


def _median(rounds: list[dict[str, dict[str, float]]], client: str, key: str) -> float:
    return statistics.median(r[client][key] for r in rounds)


def crypto_figures() -> list[Figure]:
    keys = [generate_key_pair() for _ in range(3)]
    plaintext = json.dumps({"meter": "m-1", "kwh": 12.75, "seq": 1}).encode()
    single = encrypt_payload(plaintext, [keys[0].app_id])
    hybrid = encrypt_payload(plaintext, [k.app_id for k in keys])
    measures = [
        ("encrypt, single recipient", lambda: encrypt_payload(plaintext, [keys[0].app_id])),
        (
            "encrypt, hybrid, 3 recipients",
            lambda: encrypt_payload(plaintext, [k.app_id for k in keys]),
        ),
        ("decrypt, single recipient", lambda: decrypt_payload(single, keys[0].secret_key)),
        ("decrypt, hybrid (3rd key entry)", lambda: decrypt_payload(hybrid, keys[2].secret_key)),
    ]
    return [Figure(name, 1 / time_call(fn, min_seconds=0.5), "ops/s") for name, fn in measures]


def main() -> None:
    try:
        published = str(published_python())
    except InteropError as exc:
        raise SystemExit(f"{exc} (a venv with ensync-sdk==0.4.4 and ensync-core==0.1.2)") from None
    rounds = [_round(published) for _ in range(ROUNDS)]
    overhead = _sdk_overhead()

    def rate(client: str) -> float:
        return _median(rounds, client, "rate")

    def cpu(client: str) -> float:
        return _median(rounds, client, "cpu_us_per_event")

    def node(client: str) -> float:
        return _median(rounds, client, "node_cpu_us_per_event")

    label = f"{EVENTS} events, {IN_FLIGHT} in flight, one recipient, medians of {ROUNDS}"
    floor = statistics.median(
        r["raw-pipelined"]["cpu_us_per_event"] + r["crypto"]["cpu_us_per_event"] for r in rounds
    )
    figures = [
        Figure(
            f"client CPU per event, ours gRPC ({label})",
            cpu("ours"),
            "us",
            "published ensync-sdk 0.4.4",
            cpu("published"),
            goal=1.5,  # ours <= 0.67x the published SDK's CPU per event
            higher_is_better=False,
        ),
        Figure(
            "client CPU per event, ours WebSocket",
            cpu("ours-ws"),
            "us",
            "published ensync-sdk 0.4.4 (gRPC)",
            cpu("published"),
            higher_is_better=False,
        ),
        Figure(
            "client CPU per event, ours gRPC",
            cpu("ours"),
            "us",
            "raw grpc.aio stub, same RPCs, no crypto",
            cpu("raw"),
            higher_is_better=False,
        ),
        Figure(
            "client CPU per event, ours gRPC",
            cpu("ours"),
            "us",
            "floor: raw stub, acks pipelined + crypto",
            floor,
            higher_is_better=False,
        ),
        Figure(
            "floor of a grpc.aio client: raw pipelined + crypto",
            floor,
            "us",
            "published ensync-sdk 0.4.4",
            cpu("published"),
            higher_is_better=False,
        ),
        Figure(
            "client CPU per event, raw stub, acks pipelined (no crypto)",
            cpu("raw-pipelined"),
            "us",
            "published ensync-sdk 0.4.4",
            cpu("published"),
            higher_is_better=False,
        ),
        Figure(
            "client CPU per event, ours gRPC (one process, alternating 8 x 400 events)",
            overhead["ours"],
            "us",
            "raw stub, acks pipelined, sealing + opening",
            overhead["stub_crypto"],
            higher_is_better=False,
        ),
        Figure("our SDK's own CPU per event (the difference, median)", overhead["sdk_own"], "us"),
        Figure(
            "CPU of one event's crypto (seal with a fresh ephemeral key + open)",
            statistics.median(r["crypto"]["cpu_us_per_event"] for r in rounds),
            "us",
        ),
        Figure(
            "publish->handler, ours gRPC",
            rate("ours"),
            "events/s",
            "raw grpc.aio stub, same RPCs",
            rate("raw"),
            goal=0.5,
        ),
        Figure(
            "publish->handler, ours gRPC",
            rate("ours"),
            "events/s",
            "published ensync-sdk 0.4.4",
            rate("published"),
        ),
        Figure(
            "publish->handler, ours WebSocket",
            rate("ours-ws"),
            "events/s",
            "published ensync-sdk 0.4.4 (gRPC)",
            rate("published"),
        ),
        Figure(
            "node CPU per event, our simulator (raw client)",
            node("raw"),
            "us",
            "routing-only grpc.aio node (the floor)",
            node("raw-routing-node"),
            higher_is_better=False,
        ),
        *(
            Figure(
                f"node CPU per event, serving {who}",
                node(client),
                "us",
                f"client CPU per event ({who})",
                cpu(client),
                higher_is_better=False,
            )
            for client, who in (
                ("ours", "ours gRPC"),
                ("ours-ws", "ours WebSocket"),
                ("published", "published 0.4.4"),
                ("raw", "raw grpc.aio"),
                ("raw-pipelined", "raw grpc.aio, acks pipelined"),
            )
        ),
        *crypto_figures(),
    ]
    print_figures("ensync-sdk", figures)
    print(
        "node CPU < client CPU (ratio > 1.00x) means the node could carry more than the client "
        "sends: the client sets the pace.\nThe floor (raw pipelined + crypto) is the least CPU "
        "per event a grpc.aio client with a fresh ephemeral key per message can spend here; "
        "the ratio of ours to it is what the SDK itself adds.\nper round:",
        json.dumps(
            [{k: {m: round(v) for m, v in r.items()} for k, r in rnd.items()} for rnd in rounds]
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
