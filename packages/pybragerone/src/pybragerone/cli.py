"""``pybragerone-cli``: log in, pick an object and modules, show live parameters or dump them.

Exit status: 0 on success, 1 on a failure talking to the server, 2 when login is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO, TypeVar

from pybragerone import __version__
from pybragerone.assets.catalog import AssetCatalog
from pybragerone.core.client import BragerApiClient
from pybragerone.core.server import BRAGERONE, BragerServer
from pybragerone.errors import BragerAuthError, BragerError
from pybragerone.gateway import BragerGateway
from pybragerone.models.api import BragerObject, Module
from pybragerone.models.param import ParamUpdate
from pybragerone.store.param import ParamStore
from pybragerone.store.state import StateStore

__all__ = ["main"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pybragerone-cli", description="Brager One cloud: live parameters and snapshots."
    )
    parser.add_argument(
        "--email", default=os.environ.get("PYBRAGERONE_EMAIL"), help="account e-mail"
    )
    parser.add_argument(
        "--password",
        default=os.environ.get("PYBRAGERONE_PASSWORD"),
        help="account password (or set PYBRAGERONE_PASSWORD)",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("PYBRAGERONE_SERVER"),
        help="REST base URL, e.g. http://127.0.0.1:8080/v1, or set PYBRAGERONE_SERVER "
        "(default: the BragerOne cloud)",
    )
    parser.add_argument("--object", type=int, default=None, help="object (installation) id")
    parser.add_argument(
        "--module", action="append", default=[], metavar="DEVID", help="module devid (repeatable)"
    )
    parser.add_argument("--lang", default="en", help="language of labels (default: en)")
    parser.add_argument("--no-assets", action="store_true", help="do not load labels and units")
    parser.add_argument(
        "--once", action="store_true", help="print the snapshot as JSON and exit (non-interactive)"
    )
    parser.add_argument(
        "--duration", type=float, default=None, help="stop the live view after this many seconds"
    )
    parser.add_argument("--debug", action="store_true", help="debug logging")
    parser.add_argument("--raw-ws", action="store_true", help="log every raw Socket.IO event")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _interactive(args: argparse.Namespace) -> bool:
    return not args.once and sys.stdin.isatty()


async def _ask(prompt: str) -> str:
    # Waiting for the user happens on a worker thread: the event loop (the socket's keepalive,
    # the HTTP session) keeps running meanwhile.
    return (await asyncio.to_thread(input, prompt)).strip()


def _numbered(items: Sequence[T], answer: str) -> T:
    """The item the user numbered ``answer`` (from 1); ``ValueError`` for any other answer.

    ``0`` or ``-1`` would index from the end of the list: a wrong pick, not a choice.
    """
    number = int(answer)
    if not 1 <= number <= len(items):
        raise ValueError(f"{number} is not in 1..{len(items)}")
    return items[number - 1]


async def _choose_object(objects: list[BragerObject], args: argparse.Namespace) -> BragerObject:
    if not objects:
        raise BragerError("this account has no objects (installations)")
    if args.object is not None:
        for obj in objects:
            if obj.id == args.object:
                return obj
        known = ", ".join(str(o.id) for o in objects)
        raise BragerError(f"object {args.object} is not on this account; known: {known}")
    if len(objects) == 1 or not _interactive(args):
        return objects[0]
    for n, obj in enumerate(objects, start=1):
        print(f"  {n}) {obj.id}  {obj.name}")
    answer = await _ask("object number [1]: ") or "1"
    try:
        return _numbered(objects, answer)
    except ValueError:
        raise BragerError(f"no object number {answer!r}") from None


async def _choose_modules(modules: list[Module], args: argparse.Namespace) -> list[str]:
    known = {m.devid for m in modules}
    if args.module:
        unknown = [d for d in args.module if d not in known]
        if unknown:
            raise BragerError(f"modules {unknown} are not in this object; known: {sorted(known)}")
        return list(args.module)
    if not _interactive(args) or len(modules) <= 1:
        return [m.devid for m in modules]
    for n, mod in enumerate(modules, start=1):
        state = "online" if mod.online else "offline"
        print(f"  {n}) {mod.devid}  {mod.name} ({state})")
    answer = await _ask("module numbers, comma separated [all]: ")
    if not answer:
        return [m.devid for m in modules]
    try:
        return [_numbered(modules, part).devid for part in answer.split(",")]
    except ValueError:
        raise BragerError(f"bad module selection {answer!r}") from None


def _format_update(update: ParamUpdate, states: StateStore) -> str:
    family = states.family(update.devid, update.family)
    label = family.label if family else update.family
    unit = f" {family.unit}" if family and family.unit and update.chan == "v" else ""
    stamp = time.strftime("%H:%M:%S")
    return f"{stamp} {update.devid} {update.key} = {update.value!r}{unit}  ({label})"


def _print_families(states: StateStore, devids: list[str], out: TextIO) -> None:
    for devid in devids:
        for family in sorted(states.families(devid), key=lambda f: (f.pool, f.index)):
            unit = f" {family.unit}" if family.unit else ""
            out.write(f"{devid}  {family.name:<6} {family.label} = {family.value!r}{unit}\n")


async def _run(args: argparse.Namespace, out: TextIO) -> int:
    server = BRAGERONE if args.server is None else BragerServer.from_url(args.server)
    async with BragerApiClient(args.email, args.password, server=server) as api:
        await api.login()
        obj = await _choose_object(await api.get_objects(), args)
        modules = await api.get_modules(obj.id)
        devids = await _choose_modules(modules, args)
        catalog = AssetCatalog() if args.no_assets else await api.load_catalog(args.lang)
        gateway = BragerGateway(api, obj.id, devids)
        params, states = ParamStore(), StateStore(catalog)
        tasks = [
            asyncio.create_task(params.run(gateway.bus)),
            asyncio.create_task(states.run(gateway.bus)),
        ]
        live = None if args.once else gateway.bus.subscribe(name="cli")
        try:
            await gateway.start()
            await gateway.wait_primed()
            primed = gateway.bus.last_seq
            await params.wait_until(primed)
            await states.wait_until(primed)
            if args.once:
                dump = {
                    "server": server.api_url,
                    "object": obj.to_dict(),
                    "modules": devids,
                    "parameters": params.snapshot(),
                    "families": states.flatten(),
                    "stats": {"events": gateway.stats.events, "primes": gateway.stats.primes},
                }
                out.write(json.dumps(dump, ensure_ascii=False, default=str) + "\n")
                out.flush()
                return 0
            assert live is not None
            _print_families(states, devids, out)
            out.write(
                f"watching {len(devids)} module(s) of object {obj.id} ({obj.name}); Ctrl-C stops\n"
            )
            deadline = None if args.duration is None else time.monotonic() + args.duration
            while True:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    update = await asyncio.wait_for(live.get(), timeout)
                except (TimeoutError, StopAsyncIteration):
                    return 0
                # the snapshot was shown as a table; after a reconnect only show real changes
                if update.seq > primed and update.value is not None:
                    out.write(_format_update(update, states) + "\n")
                    out.flush()
        finally:
            await gateway.stop()
            await asyncio.gather(*tasks, return_exceptions=True)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Entry point of ``pybragerone-cli``; returns the exit status."""
    args = _parser().parse_args(argv)
    if not args.email or not args.password:
        print("error: --email and --password are required", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.raw_ws:
        # Records of a DEBUG logger reach the root handler whatever the root's own level.
        logging.getLogger("pybragerone.raw_ws").setLevel(logging.DEBUG)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(_run(args, out or sys.stdout))
        return 0
    except BragerAuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BragerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _entry() -> None:
    sys.exit(main())
