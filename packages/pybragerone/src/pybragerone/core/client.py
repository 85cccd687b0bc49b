"""BragerApiClient: the REST API of Brager One (and compatible clouds) over aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from pydantic import BaseModel, ValidationError

from pybragerone.assets.catalog import AssetCatalog
from pybragerone.core.server import BRAGERONE, BragerServer
from pybragerone.core.token import Token, TokenStore
from pybragerone.errors import (
    BragerApiError,
    BragerAuthError,
    BragerCommandTimeoutError,
    BragerConfigError,
    BragerConnectionError,
)
from pybragerone.models.api import (
    BragerObject,
    CommandResult,
    Module,
    ModuleCard,
    ModulePage,
    User,
)
from pybragerone.protocol.payloads import parse_parameter_key

__all__ = ["BragerApiClient"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

_LOGIN_RETRIES = 3
_LOGIN_BACKOFF = 0.25


def _message(body: Any, fallback: str) -> tuple[str, str | None]:
    if isinstance(body, dict):
        code = body.get("status") if isinstance(body.get("status"), str) else None
        message = body.get("message") or body.get("error") or code or fallback
        return str(message), code
    return fallback, None


class BragerApiClient:
    """Async client of the Brager One REST API.

    ``api = BragerApiClient()`` then ``await api.login(email, password)``, or
    ``async with BragerApiClient(email, password, server=...) as api:`` which logs in on first
    use. The client keeps the token with its expiry, logs in again (once per request) when the
    server answers 401, and persists tokens through an optional :class:`TokenStore` (called on a
    worker thread, never on the event loop: it may use files or a keyring). Pass
    ``session`` to share an aiohttp session (it is then not closed by :meth:`close`).
    """

    def __init__(
        self,
        email: str | None = None,
        password: str | None = None,
        *,
        server: BragerServer = BRAGERONE,
        session: aiohttp.ClientSession | None = None,
        token_store: TokenStore | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.server = server
        self._email = email
        self._password = password
        self._session = session
        self._own_session = session is None
        self._token_store = token_store
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Token | None = None
        self._login_lock = asyncio.Lock()
        self._token_listeners: list[Callable[[Token | None], None]] = []
        self.logins = 0
        # The store is read on first use, off the event loop (see _load_stored_token).
        self._token_loaded = token_store is None
        self._token_changes = 0

    # -- session and token --------------------------------------------------------------------

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session (created on first use)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._own_session = True
        return self._session

    @property
    def token(self) -> Token | None:
        """The current token, if logged in (a :class:`TokenStore`'s token once first used)."""
        return self._token

    def on_token_change(self, listener: Callable[[Token | None], None]) -> None:
        """Call ``listener`` with the new token after every login and logout."""
        self._token_listeners.append(listener)

    async def _load_stored_token(self) -> None:
        """Take the token store's token, once; the store is read on a worker thread.

        A store may read a file or a keyring: that must not stall the event loop.
        """
        store = self._token_store
        if self._token_loaded or store is None:
            return
        changes = self._token_changes
        loaded = await asyncio.to_thread(self._store_call, store.load, "load")
        if self._token_changes != changes:  # a login or logout meanwhile: its token is newer
            return
        self._token_loaded = True
        if loaded is not None and not isinstance(loaded, Token):
            log.warning("token store load gave a %s, not a Token; ignored", type(loaded).__name__)
            loaded = None
        self._token = loaded

    async def _set_token(self, token: Token | None) -> None:
        self._token = token
        self._token_loaded = True
        self._token_changes += 1
        store = self._token_store
        if store is not None:  # on a worker thread, as _load_stored_token reads it
            if token is None:
                await asyncio.to_thread(self._store_call, store.clear, "clear")
            else:
                await asyncio.to_thread(self._store_call, lambda: store.save(token), "save")
        for listener in self._token_listeners:
            try:
                listener(token)
            except Exception:  # a listener's bug must not fail the login that called it
                log.exception("token listener failed")

    @staticmethod
    def _store_call(fn: Callable[[], Any], what: str) -> Any:
        try:
            return fn()
        except Exception as exc:  # a broken store must not break the client
            log.warning("token store %s failed: %s", what, type(exc).__name__)
            return None

    def _headers(self, *, auth: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", **self.server.headers()}
        if auth and self._token is not None:
            headers["Authorization"] = self._token.authorization
        return headers

    async def close(self) -> None:
        """Close the session if this client created it (a shared session is left alone).

        The client stays usable: its next request opens a new session.
        """
        if self._own_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- transport ----------------------------------------------------------------------------

    async def _send(
        self, method: str, path: str, *, json: Any = None, params: Any = None, auth: bool = True
    ) -> tuple[int, Any]:
        url = path if path.startswith("http") else f"{self.server.api_url}{path}"
        try:
            async with self.session.request(
                method, url, json=json, params=params, headers=self._headers(auth=auth)
            ) as response:
                try:
                    body: Any = await response.json(content_type=None)
                except (ValueError, RecursionError):  # not JSON, or nested beyond reason
                    body = None
                return response.status, body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise BragerConnectionError(
                f"{method} {path} to {self.server.name} failed: {type(exc).__name__}: {exc}; "
                "check the network and the server URL"
            ) from exc

    async def _request(
        self, method: str, path: str, *, json: Any = None, params: Any = None
    ) -> Any:
        sent_with = await self.ensure_auth()
        status, body = await self._send(method, path, json=json, params=params)
        if status == 401:
            log.info("%s %s answered 401; logging in again", method, path)
            await self._renew(sent_with)
            status, body = await self._send(method, path, json=json, params=params)
            if status == 401:
                raise BragerAuthError(
                    f"{method} {path} is still unauthorized after logging in again; "
                    "the account may lack access"
                )
        dispatch_timeout = (
            isinstance(body, dict) and body.get("status") == "E_DISPATCH_EVENT_TIMEOUT"
        )
        if status == 408 and (dispatch_timeout or path.startswith("/module/command")):
            # On a command any 408 means the same: sent, but not confirmed in time.
            message, code = _message(body, "device did not confirm")
            raise BragerCommandTimeoutError(
                f"{method} {path}: the device did not confirm in time ({message}); "
                "the write may still apply, read the parameter back before retrying",
                status=status,
                code=code,
            )
        if status >= 400:
            message, code = _message(body, f"HTTP {status}")
            raise BragerApiError(
                f"{method} {path} failed with {status}: {message}", status=status, code=code
            )
        return body

    # -- auth ---------------------------------------------------------------------------------

    async def ensure_auth(self) -> Token:
        """Log in when there is no token or it expired; return the valid token."""
        await self._load_stored_token()
        token = self._token
        if token is None or token.is_expired():
            return await self.login()
        return token

    async def login(self, email: str | None = None, password: str | None = None) -> Token:
        """``POST /auth/user``; raises :class:`BragerAuthError` on bad credentials."""
        if email is not None:
            self._email = email
        if password is not None:
            self._password = password
        return await self._renew(self._token)

    async def _renew(self, rejected: Token | None) -> Token:
        # One login for many concurrent 401s: a request whose token was already replaced
        # (by another task's login) retries with the new token instead of logging in again.
        async with self._login_lock:
            if self._token is not None and self._token is not rejected:
                return self._token
            return await self._login()

    async def _login(self) -> Token:
        if not self._email or not self._password:
            raise BragerAuthError("no e-mail/password given; pass them to BragerApiClient()")
        creds = {"email": self._email, "password": self._password}
        for attempt in range(1, _LOGIN_RETRIES + 1):
            status, body = await self._send("POST", "/auth/user", json=creds, auth=False)
            if status == 200:
                token = Token.from_login(body)
                self.logins += 1
                await self._set_token(token)
                log.debug("logged in to %s", self.server.name)
                return token
            message, _ = _message(body, f"HTTP {status}")
            transient = status == 500 and (
                "er_dup_entry" in message.lower() or "duplicate entry" in message.lower()
            )
            if transient and attempt < _LOGIN_RETRIES:
                await asyncio.sleep(_LOGIN_BACKOFF * attempt)
                continue
            if status in (400, 401, 403):
                raise BragerAuthError(
                    f"login to {self.server.name} was refused ({status}: {message}); "
                    "check the e-mail and password"
                )
            raise BragerAuthError(
                f"login to {self.server.name} failed with {status}: {message}; try again later"
            )
        raise BragerAuthError("login kept failing with transient errors; try again later")

    async def revoke(self) -> None:
        """``POST /auth/revoke``: end the session and forget the token."""
        await self._load_stored_token()
        if self._token is not None:
            try:
                status, _ = await self._send("POST", "/auth/revoke")
                if status >= 400:
                    log.info("revoke answered %d; forgetting the token anyway", status)
            finally:
                await self._set_token(None)

    # -- account and installations ------------------------------------------------------------

    async def get_version(self) -> dict[str, Any]:
        """``GET /system/version`` (no login needed)."""
        status, body = await self._send(
            "GET",
            "/system/version",
            params={"container": self.server.container, "platform": "0"},
            auth=False,
        )
        if status >= 400 or not isinstance(body, dict):
            raise BragerApiError(f"GET /system/version failed with {status}", status=status)
        version = body.get("version", body)
        return version if isinstance(version, dict) else {"version": version}

    async def get_user(self) -> User:
        """``GET /user``, with the account's objects from ``GET /objects``.

        The cloud's ``/user`` answer holds no objects; a second call fetches them, so both
        ``user["objects"][0]["id"]`` and ``user.objects[0].id`` work.
        """
        body = await self._request("GET", "/user")
        raw = body.get("user") if isinstance(body, dict) else None
        user = self._model(User, raw, "/user")
        if not (isinstance(raw, dict) and "objects" in raw):
            user.objects = await self.get_objects()
        return user

    async def get_user_permissions(self) -> list[str]:
        """``GET /user/permissions``."""
        return self._strings(await self._request("GET", "/user/permissions"), "permissions")

    async def get_objects(self) -> list[BragerObject]:
        """``GET /objects``: the user's installations."""
        return self._models(BragerObject, await self._request("GET", "/objects"), "/objects")

    async def get_object(self, object_id: int) -> BragerObject:
        """``GET /objects/{id}``."""
        body = await self._request("GET", f"/objects/{object_id}")
        raw = body.get("object", body.get("data", body)) if isinstance(body, dict) else None
        return self._model(BragerObject, raw, f"/objects/{object_id}")

    async def get_object_permissions(self, object_id: int) -> list[str]:
        """``GET /objects/{id}/permissions``."""
        body = await self._request("GET", f"/objects/{object_id}/permissions")
        return self._strings(body, "permissions")

    async def modules_list(self, object_id: int, *, page: int = 1, limit: int = 999) -> ModulePage:
        """``GET /modules?page=&limit=&group_id=``: one page of an object's modules.

        ``mods["data"]`` (or ``mods.data``) is the list of :class:`Module` records.
        """
        params = {"page": str(page), "limit": str(limit), "group_id": str(object_id)}
        body = await self._request("GET", "/modules", params=params)
        if isinstance(body, list):  # a bare list is the same page without its wrapper
            body = {"data": body}
        return self._model(ModulePage, body, "/modules")

    async def get_modules(self, object_id: int) -> list[Module]:
        """Every module of one object (the ``data`` of :meth:`modules_list`)."""
        return (await self.modules_list(object_id)).data

    async def get_module_card(self, devid: str) -> ModuleCard:
        """``GET /modules/{devid}/card``: the installer's card of the module's client."""
        body = await self._request("GET", f"/modules/{devid}/card")
        return self._model(ModuleCard, body, f"/modules/{devid}/card")

    async def get_device_menu(
        self, manufacturer: str | int, device: str | int, firmware: str | int
    ) -> dict[str, Any]:
        """``GET /manufacturers/{m}/devices/{d}/menu/{fw}``."""
        body = await self._request(
            "GET", f"/manufacturers/{manufacturer}/devices/{device}/menu/{firmware}"
        )
        return body if isinstance(body, dict) else {}

    # -- realtime binding, snapshots, activity ------------------------------------------------

    async def modules_connect(
        self, wsid: str, modules: Sequence[str], *, group_id: int | None = None
    ) -> None:
        """``POST /modules/connect``: bind the realtime socket ``wsid`` to ``modules``."""
        body: dict[str, Any] = {"wsid": wsid, "modules": list(modules)}
        if group_id is not None:
            body["group_id"] = group_id
        await self._request("POST", "/modules/connect", json=body)

    async def get_parameters(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/parameters``: the raw snapshot of every parameter of ``modules``."""
        body = await self._request("POST", "/modules/parameters", json={"modules": list(modules)})
        if not isinstance(body, dict):
            raise BragerApiError("parameter snapshot is not an object", status=200)
        return body

    async def get_activity_quantity(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/activity/quantity``."""
        return await self._post_modules("/modules/activity/quantity", modules)

    async def get_activity(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/activity``."""
        return await self._post_modules("/modules/activity", modules)

    async def get_alarms(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/alarms``."""
        return await self._post_modules("/modules/alarms", modules)

    async def get_alarms_quantity(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/alarms/quantity``."""
        return await self._post_modules("/modules/alarms/quantity", modules)

    async def get_alarms_history(self, modules: Iterable[str]) -> dict[str, Any]:
        """``POST /modules/alarms/history``."""
        return await self._post_modules("/modules/alarms/history", modules)

    async def _post_modules(self, path: str, modules: Iterable[str]) -> dict[str, Any]:
        body = await self._request("POST", path, json={"modules": list(modules)})
        return body if isinstance(body, dict) else {"data": body}

    # -- commands -----------------------------------------------------------------------------

    async def module_command(self, devid: str, parameter: str, value: float | int) -> CommandResult:
        """Write ``value`` to ``parameter`` (``P6.v1``) of module ``devid``.

        Sent as the web app sends it: ``{devid, pool: "P6", parameter: "v1", value}``. Raises
        :class:`BragerConfigError` for a parameter that is not ``P<n>.<channel><index>``,
        :class:`BragerCommandTimeoutError` when the device does not confirm in time (HTTP
        408), :class:`BragerApiError` when the server refuses the write.
        """
        parsed = parse_parameter_key(parameter)
        if parsed is None:
            raise BragerConfigError(
                f"parameter must look like 'P6.v1' (pool.channel+index), got {parameter!r}"
            )
        pool, chan, idx = parsed
        body = await self._request(
            "POST",
            "/module/command",
            json={"devid": devid, "pool": pool, "parameter": f"{chan}{idx}", "value": value},
        )
        return self._model(CommandResult, body, "/module/command")

    async def module_command_raw(
        self, devid: str, command: str, value: Any = None
    ) -> CommandResult:
        """``POST /module/command/raw``: send a named command (``MODULE_RESTART``, ...)."""
        payload: dict[str, Any] = {"devid": devid, "command": command}
        if value is not None:
            payload["value"] = value
        body = await self._request("POST", "/module/command/raw", json=payload)
        return self._model(CommandResult, body, "/module/command/raw")

    # -- assets -------------------------------------------------------------------------------

    async def get_asset(self, path: str) -> str:
        """The text of a web-app asset under ``server.assets_url`` (no login needed)."""
        url = f"{self.server.assets_url.rstrip('/')}/{path.lstrip('/')}"
        try:
            async with self.session.get(url, headers=self.server.headers()) as response:
                if response.status >= 400:
                    raise BragerApiError(
                        f"asset {path} answered {response.status}", status=response.status
                    )
                return await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise BragerConnectionError(f"asset {path} could not be fetched: {exc}") from exc

    async def load_catalog(
        self,
        lang: str = "en",
        *,
        bundles: Sequence[str] = ("js/parameters.js",),
        menu: str | None = "js/module.menu.js",
    ) -> AssetCatalog:
        """Fetch and parse the assets into an :class:`AssetCatalog`.

        Paths are relative to ``server.assets_url``; an asset that cannot be fetched or parsed
        is logged and skipped (counted in ``catalog.skipped_assets``).
        """
        missing = 0

        async def fetch(path: str) -> str | None:
            nonlocal missing
            try:
                return await self.get_asset(path)
            except (BragerApiError, BragerConnectionError) as exc:
                missing += 1
                log.warning("skipping asset %s: %s", path, exc)
                return None

        texts = [await fetch(p) for p in bundles]
        catalog = AssetCatalog.from_sources(
            parameters_json=await fetch(f"languages/{lang}/parameters.json"),
            units_json=await fetch(f"languages/{lang}/units.json"),
            bundles=[t for t in texts if t is not None],
            menu_js=await fetch(menu) if menu else None,
        )
        catalog.skipped_assets += missing
        return catalog

    # -- decoding helpers ---------------------------------------------------------------------

    @staticmethod
    def _model(model: type[M], raw: Any, what: str) -> M:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            raise BragerApiError(
                f"{what} answered an unexpected shape ({exc.error_count()} problems); "
                "the server may have changed",
                status=200,
            ) from exc

    @classmethod
    def _models(cls, model: type[M], body: Any, what: str) -> list[M]:
        items = body.get("data") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise BragerApiError(f"{what} answered no list of items", status=200)
        return [cls._model(model, item, what) for item in items]

    @staticmethod
    def _strings(body: Any, key: str) -> list[str]:
        items = body.get(key) if isinstance(body, dict) else body
        return [str(item) for item in items] if isinstance(items, list) else []
