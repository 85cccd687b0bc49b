"""``power-sdk runtime --config FILE [--dry-run | --once] [--shard K/N]``.

Exit status: 0 on success (and after Ctrl-C), 1 when ``--once`` saw a device fail (they are
named on stderr) or no device could be opened at all, 2 for a configuration error.
``--dry-run`` and ``--once`` run the same offline checks first, so both refuse the same
configurations (with 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from power_sdk import __version__
from power_sdk.errors import ConfigError, PowerSdkError
from power_sdk.runtime.checks import (
    CERTIFICATE,
    CERTIFICATE_PASSWORD,
    check_devices,
    device_options,
    effective_config,
    validate_plugins,
)
from power_sdk.runtime.config import RuntimeConfig, load_config
from power_sdk.runtime.cycles import name_devices
from power_sdk.runtime.executor import Executor
from power_sdk.runtime.registry import PluginRegistry, default_registry
from power_sdk.runtime.shard import Shard

__all__ = ["PASSWORD_ENV", "main", "resolve_pfx_password"]

PASSWORD_ENV = "POWER_SDK_PFX_PASSWORD"

logger = logging.getLogger("power_sdk.runtime")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="power-sdk", description="Power station device runtime.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    runtime = commands.add_parser("runtime", help="poll the devices of a runtime.yaml")
    runtime.add_argument("--config", required=True, help="the runtime YAML file")
    mode = runtime.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the resolved config, no I/O")
    mode.add_argument("--once", action="store_true", help="run one poll cycle and exit")
    runtime.add_argument(
        "--cert-password",
        "--pfx-password",
        dest="cert_password",
        help=f"password of the PKCS#12 certificate (else ${PASSWORD_ENV}, else a prompt)",
    )
    runtime.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="poll only shard K of N: N runtimes with the same config, anywhere, poll every "
        "device exactly once",
    )
    runtime.add_argument(
        "--log-level", default="INFO", help="logging level (stderr); INFO shows one line per cycle"
    )
    return parser


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def resolve_pfx_password(
    config: RuntimeConfig,
    cli_value: str | None,
    env: Mapping[str, str],
    prompt: Callable[[str], str | None] | None,
    registry: PluginRegistry | None = None,
) -> str | None:
    """The certificate password: CLI flag > config/env var > interactive prompt.

    Returns ``None`` when no device uses a ``pfx_cert`` or every such device has its own
    ``cert_password`` (or when ``prompt`` answers ``None``: ``--dry-run`` does not ask).
    """
    registry = registry or default_registry()
    options = [device_options(config, i, registry) for i in range(len(config.devices))]
    needing = [
        device.id
        for device, opts in zip(config.devices, options, strict=True)
        if opts.get(CERTIFICATE) and not opts.get(CERTIFICATE_PASSWORD)
    ]
    if cli_value:
        return cli_value
    if not needing:
        return None
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if prompt is None:
        raise ConfigError(
            f"device {needing[0]} uses a PKCS#12 certificate but no password was given; "
            f"pass --cert-password, set {PASSWORD_ENV}, or run in a terminal to be prompted"
        )
    return prompt("PKCS#12 certificate password: ")


def _nothing_to_poll(executor: Executor) -> bool:
    if executor.config.devices or executor.shard is None:
        return False
    # a small fleet split many ways leaves some shards empty: not an error
    logger.warning(
        "shard %s owns none of the %d devices of the config; nothing to poll",
        executor.shard,
        executor.fleet_size,
    )
    return True


def _not_asked(_label: str) -> None:
    """``--dry-run`` in a terminal: ``--once`` would prompt, so nothing to refuse yet."""
    return


async def _run(executor: Executor, once: bool) -> int:
    if executor.shard is not None:
        logger.info(
            "shard %s: polling %d of the %d devices of the config",
            executor.shard,
            len(executor.config.devices),
            executor.fleet_size,
        )
    if _nothing_to_poll(executor):
        return 0
    if once:
        async with executor:
            reports = await executor.run_once()
        failed = [r for r in reports if not r.ok]
        for report in failed:
            logger.warning("device %s: %s", report.device_id, "; ".join(report.errors))
        if failed:
            print(
                f"power-sdk: {len(failed)} of {len(reports)} devices failed: "
                f"{name_devices([r.device_id for r in failed], limit=len(failed))}",
                file=sys.stderr,
            )
            return 1
        return 0
    executor.open()
    if not executor.devices:  # polling nothing forever would hide the mistake
        logger.error("no device could be opened; nothing to poll")
        await executor.close()
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await executor.run(stop)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``power-sdk`` command."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        config = load_config(args.config)
        registry = default_registry()
        validate_plugins(config, registry)
        interactive = sys.stdin.isatty()
        prompt: Callable[[str], str | None] | None = None
        if interactive:
            prompt = _not_asked if args.dry_run else getpass.getpass
        # from here on only this shard's devices: other shards' certificates need not be here
        mine = config if args.shard is None else args.shard.select(config)
        password = resolve_pfx_password(mine, args.cert_password, os.environ, prompt, registry)
        given: dict[str, Any] = {} if password is None else {CERTIFICATE_PASSWORD: password}
        # the flag beats a device's own cert_password; the env var and the prompt do not
        overrides = given if args.cert_password else None
        fallbacks = None if args.cert_password else given
        # the same offline checks in both modes: --dry-run refuses what --once would
        check_devices(mine, registry, overrides=overrides, fallbacks=fallbacks)
        if args.dry_run:
            print(json.dumps(effective_config(mine, registry), indent=2, ensure_ascii=False))
            return 0
        executor = Executor(
            config,
            registry=registry,
            overrides=overrides,
            fallbacks=fallbacks,
            shard=args.shard,
        )
    except PowerSdkError as exc:
        print(f"power-sdk: error: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(executor, args.once))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
