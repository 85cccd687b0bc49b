"""The Brager One cloud's state: users, objects (installations), modules and their parameters.

Pure data and rules, no I/O: the server in :mod:`shared_testing.brager.server` renders this
state as REST answers and Socket.IO events. Parameters live per module in pools (``P4``,
``P5``, ``P6``) as cells named channel letter + index (``v1`` value, ``u1`` unit code,
``s1`` status, ``n1`` minimum, ``x1`` maximum).
"""

from __future__ import annotations

import itertools
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from shared_testing.brager.records import ACCEPTED_AT, object_record, user_record

__all__ = ["Account", "BragerState", "CommandError", "Module", "Token"]

VIEWER_EMAIL = "viewer@example.com"
VIEWER_PASSWORD = "viewer-password"  # a second, read-only demo account

Cell = tuple[str, str]  # (pool, "v1")
Changes = dict[str, dict[str, dict[str, Any]]]  # devid -> pool -> cell -> value

# Unit codes the simulated devices use (see pybragerone.assets.units for their meaning).
UNIT_CELSIUS = 1
UNIT_PERCENT = 2
UNIT_BAR = 3
UNIT_KW = 4


@dataclass
class Module:
    """One controller module (a boiler controller) attached to an object.

    :func:`shared_testing.brager.records.module_record` renders it as the cloud does.
    """

    id: int
    devid: str
    code: str
    name: str
    object_id: int
    online: bool = True
    title: str = "Brager boiler controller"
    address: str = ""
    firmware: str = "2.08"
    manufacturer: int = 1
    device_code: int = 52
    device_menu: int = 0
    permissions: tuple[str, ...] = ("DISPLAY_MENU_BOILER", "PARAM_WRITE")
    connected_at: int = ACCEPTED_AT + 3600
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Account:
    """A user of the cloud, with the objects (installations) it may see."""

    user: dict[str, Any]
    password: str
    permissions: list[str]
    object_ids: set[int]

    def objects(self, state: BragerState) -> list[dict[str, Any]]:
        """The account's objects."""
        return [o for oid, o in state.objects.items() if oid in self.object_ids]


@dataclass
class Token:
    """An access token and when it stops working (epoch seconds)."""

    value: str
    user_id: int
    expires_at: float


class CommandError(Exception):
    """A command the simulated cloud refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _temperature_pool() -> dict[str, Any]:
    pool: dict[str, Any] = {}
    for idx, (value, low, high) in enumerate(
        [(54.5, 0, 95), (21.3, -40, 60), (45.0, 0, 90), (38.2, 0, 90), (1.6, 0, 4)], start=1
    ):
        pool[f"v{idx}"] = value
        pool[f"u{idx}"] = UNIT_BAR if idx == 5 else UNIT_CELSIUS
        pool[f"s{idx}"] = 0
        pool[f"n{idx}"] = low
        pool[f"x{idx}"] = high
    return pool


def _status_pool() -> dict[str, Any]:
    pool: dict[str, Any] = {}
    for idx, value in enumerate([1, 0, 1, 0], start=1):  # pumps: CH, DHW, floor, circulation
        pool[f"v{idx}"] = value
        pool[f"s{idx}"] = 0
    pool["v5"] = 37  # burner modulation in %
    pool["u5"] = UNIT_PERCENT
    pool["v6"] = 12.4  # output power
    pool["u6"] = UNIT_KW
    return pool


def _settings_pool() -> dict[str, Any]:
    pool: dict[str, Any] = {}
    for idx, (value, low, high) in enumerate([(55, 30, 80), (60, 40, 85), (21, 5, 30)], start=1):
        pool[f"v{idx}"] = value
        pool[f"u{idx}"] = UNIT_CELSIUS
        pool[f"n{idx}"] = low
        pool[f"x{idx}"] = high
    return pool


class BragerState:
    """Everything the simulated cloud knows; survives server restarts."""

    def __init__(
        self, *, email: str, password: str, token_ttl: float = 3600.0, seed: int = 0
    ) -> None:
        self.token_ttl = token_ttl
        self.accounts: dict[int, Account] = {}
        for account in (
            Account(
                user=user_record(7, "Demo", email, "en"),
                password=password,
                permissions=[
                    "DISPLAY_MENU_BOILER",
                    "DISPLAY_MENU_DHW",
                    "PARAM_READ",
                    "PARAM_WRITE",
                ],
                object_ids={439, 440},
            ),
            Account(
                user=user_record(8, "Viewer", VIEWER_EMAIL, "pl"),
                password=VIEWER_PASSWORD,
                permissions=["DISPLAY_MENU_BOILER", "PARAM_READ"],
                object_ids={440},
            ),
        ):
            self.accounts[account.user["id"]] = account
        self.objects: dict[int, dict[str, Any]] = {
            439: object_record(
                439, "Dom", city="Kraków", post_code="30-001", street="Floriańska", number="12"
            ),
            440: object_record(
                440, "Garage", city="Kraków", post_code="30-001", street="Floriańska", number="12A"
            ),
        }
        self.modules: dict[str, Module] = {}
        for module in [
            Module(1, "FTTCTBSLCE", "1001", "Boiler", 439, title="HT DasPell GL 25kW"),
            Module(2, "FTTCTBSLCF", "1002", "Buffer", 439, title="Buffer controller"),
            Module(3, "OFFLINE001", "1003", "Garage heater", 440, online=False),
        ]:
            module.address = f"192.0.2.{10 + module.id}"  # documentation range: data only
            module.parameters = {
                "P4": _temperature_pool(),
                "P5": _status_pool(),
                "P6": _settings_pool(),
            }
            self.modules[module.devid] = module
        self.tokens: dict[str, Token] = {}
        self.logins = 0
        self.commands: list[dict[str, Any]] = []
        self._random = random.Random(seed)
        self._task_ids = itertools.count(1)
        self._burst_counter = itertools.count(1)

    # -- auth ---------------------------------------------------------------------------------

    @property
    def primary(self) -> Account:
        """The demo account the JSON line names."""
        return self.accounts[7]

    @property
    def email(self) -> str:
        """The demo account's e-mail."""
        return str(self.primary.user["email"])

    @property
    def password(self) -> str:
        """The demo account's password."""
        return self.primary.password

    def login(self, email: str, password: str) -> Token | None:
        """Issue a token for the right credentials, ``None`` otherwise."""
        for account in self.accounts.values():
            if secrets.compare_digest(email, str(account.user["email"])) and (
                secrets.compare_digest(password, account.password)
            ):
                break
        else:
            return None
        self.logins += 1
        token = Token(secrets.token_urlsafe(24), account.user["id"], time.time() + self.token_ttl)
        self.tokens[token.value] = token
        return token

    def check_token(self, value: str) -> Token | None:
        """The token behind ``value`` when it exists and has not expired."""
        token = self.tokens.get(value)
        if token is None or token.expires_at <= time.time():
            return None
        return token

    def revoke(self, value: str) -> None:
        """Forget one token."""
        self.tokens.pop(value, None)

    def expire_tokens(self) -> None:
        """Every issued token stops working."""
        self.tokens.clear()

    # -- parameters ---------------------------------------------------------------------------

    def modules_of(self, object_id: int) -> list[Module]:
        """The modules attached to an object."""
        return [m for m in self.modules.values() if m.object_id == object_id]

    def parameters_view(self, devids: list[str] | None = None) -> Changes:
        """A deep copy of the parameters: devid -> pool -> cell -> value."""
        chosen = self.modules if devids is None else {d: self.modules[d] for d in devids}
        return {
            devid: {pool: dict(cells) for pool, cells in module.parameters.items()}
            for devid, module in chosen.items()
        }

    def apply(self, changes: Changes) -> None:
        """Store ``changes`` (devid -> pool -> cell -> value)."""
        for devid, pools in changes.items():
            module = self.modules[devid]
            for pool, cells in pools.items():
                module.parameters.setdefault(pool, {}).update(cells)

    def drift(self) -> Changes:
        """One tick of life: temperatures drift a little, a pump may switch."""
        changes: Changes = {}
        for module in self.modules.values():
            if not module.online:
                continue
            pools: dict[str, dict[str, Any]] = {}
            temps = module.parameters["P4"]
            idx = self._random.randint(1, 4)
            step = self._random.choice([-0.1, 0.1, 0.2, -0.2])
            pools["P4"] = {f"v{idx}": round(float(temps[f"v{idx}"]) + step, 1)}
            if self._random.random() < 0.3:
                pump = self._random.randint(1, 4)
                pools["P5"] = {f"v{pump}": 1 - int(module.parameters["P5"][f"v{pump}"])}
            changes[module.devid] = pools
        self.apply(changes)
        return changes

    def burst_changes(self, count: int, devid: str | None = None) -> list[Changes]:
        """``count`` deterministic single-cell changes (cycling over P4 temperatures)."""
        targets = [devid] if devid else [m.devid for m in self.modules.values() if m.online]
        result: list[Changes] = []
        for _ in range(count):
            n = next(self._burst_counter)
            target = targets[n % len(targets)]
            idx = 1 + n % 4
            value = round(20.0 + (n % 500) / 10, 1)
            change: Changes = {target: {"P4": {f"v{idx}": value}}}
            self.apply(change)
            result.append(change)
        return result

    def write(
        self, devid: str, pool: str, cell: str, value: Any, *, user_id: int = 7
    ) -> tuple[int, Changes]:
        """Write one parameter as ``user_id``; returns the task id and the resulting change."""
        module = self.modules.get(devid)
        if module is None:
            raise CommandError(404, "E_MODULE_NOT_FOUND", f"unknown module {devid!r}")
        if not module.online:
            raise CommandError(
                408, "E_DISPATCH_EVENT_TIMEOUT", f"module {devid} did not confirm in time"
            )
        cells = module.parameters.get(pool)
        if cells is None or cell not in cells:
            raise CommandError(400, "E_UNKNOWN_PARAMETER", f"unknown parameter {pool}.{cell}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise CommandError(400, "E_INVALID_VALUE", f"value must be a number, got {value!r}")
        idx = cell[1:]
        low, high = cells.get(f"n{idx}"), cells.get(f"x{idx}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise CommandError(
                400, "E_VALUE_OUT_OF_RANGE", f"{pool}.{cell} must be in [{low}, {high}]"
            )
        previous = cells[cell]
        change: Changes = {devid: {pool: {cell: value}}}
        self.apply(change)
        task_id = next(self._task_ids)
        self.commands.append(
            {
                "task": task_id,
                "module": devid,
                "module_id": module.id,
                "pool": pool,
                "cell": cell,
                "value": value,
                "previous": previous,
                "unit": cells.get(f"u{idx}"),
                "user_id": user_id,
                "at": time.time(),
            }
        )
        return task_id, change

    def set_online(self, devid: str, online: bool) -> Module:
        """Connect or disconnect a module from the cloud (``connectedAt`` follows)."""
        module = self.modules[devid]
        if online and not module.online:
            module.connected_at = int(time.time())
        module.online = online
        return module
