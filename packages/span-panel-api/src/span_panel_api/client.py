"""The public async client.

:class:`SpanPanelClient` checks arguments, keeps a :class:`~span_panel_api.cache.TimeWindowCache`
of answers, adds the unmapped-tab circuits, and sends every request either through
:class:`~span_panel_api.transport.HttpTransport` (the generated API over httpx, with retries
and error mapping) or - in simulation mode - to a
:class:`~span_panel_api.simulation.SimulationEngine` answering in the panel's wire format.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import cattrs

from span_panel_api.cache import TimeWindowCache
from span_panel_api.const import HTTP_NOT_FOUND
from span_panel_api.exceptions import (
    SpanPanelAPIError,
    SpanPanelSimulationError,
    SpanPanelValidationError,
)
from span_panel_api.generated_client.api.auth import (
    delete_client,
    get_all_clients,
    get_client,
    register_client,
)
from span_panel_api.generated_client.api.circuits import (
    get_circuit_state,
    get_circuits,
    set_circuit_state,
)
from span_panel_api.generated_client.api.panel import (
    get_islanding_state,
    get_main_relay_state,
    get_panel_meter,
    get_panel_power,
    get_panel_state,
    set_main_relay_state,
)
from span_panel_api.generated_client.api.status import get_status
from span_panel_api.generated_client.api.storage import (
    get_storage_nice_to_have_threshold,
    get_storage_soe,
    set_storage_nice_to_have_threshold,
)
from span_panel_api.generated_client.models import (
    AuthIn,
    AuthOut,
    BatteryStorage,
    Circuit,
    CircuitsOut,
    CircuitStateIn,
    Clients,
    IslandingState,
    NiceToHaveThreshold,
    PanelMeter,
    PanelPower,
    PanelState,
    Priority,
    PriorityIn,
    RelayState,
    RelayStateIn,
    RelayStateOut,
    SettablePriority,
    SettableRelayState,
    StateOfEnergy,
    StatusOut,
)
from span_panel_api.generated_client.models import Client as ClientInfo
from span_panel_api.retry import RetryPolicy
from span_panel_api.simulation import (
    BranchOverride,
    CircuitOverride,
    GlobalOverride,
    SimulationConfig,
    SimulationEngine,
    SimulationNotFoundError,
)
from span_panel_api.simulation.config import describe_structure_error
from span_panel_api.transport import HttpTransport, Model, Request
from span_panel_api.unmapped import add_unmapped_tab_circuits, is_unmapped_circuit_id

__all__ = ["SpanPanelClient"]

_LOGGER = logging.getLogger(__name__)

Json = dict[str, Any]


M = TypeVar("M", bound=Model)

_SETTABLE_RELAY = tuple(SettableRelayState)
_SETTABLE_PRIORITY = tuple(SettablePriority)

# Cache keys, one window per endpoint.
_STATUS, _PANEL, _CIRCUITS, _STORAGE = "status", "panel_state", "circuits", "storage"


def _checked_host(host: object) -> str:
    """``host`` as a bare name or address (brackets of an IPv6 literal removed)."""
    if not isinstance(host, str) or not host:
        raise SpanPanelValidationError(f"host must be a non-empty string, got {host!r}")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    problem = next((c for c in bare if c.isspace() or c in "/?#@[]" or not c.isprintable()), None)
    if not bare or problem is not None:
        raise SpanPanelValidationError(
            f"host must be a host name or IP address without scheme, port or path, got {host!r}"
        )
    if ":" in bare:
        try:
            ipaddress.IPv6Address(bare)
        except ValueError as exc:
            raise SpanPanelValidationError(
                f"host {host!r} is neither a host name nor an IP address "
                "(give the port as port=...)"
            ) from exc
    return bare


def _check_name(value: object, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise SpanPanelValidationError(f"{what} must be a non-empty string, got {value!r}")


def _choice(value: object, allowed: tuple[Any, ...], what: str, kind: type[Any]) -> Any:
    names = [member.value for member in allowed]
    raw = value.value if isinstance(value, RelayState | Priority | kind) else value
    if isinstance(raw, str) and raw in names:
        return kind(raw)
    raise SpanPanelValidationError(f"invalid {what} {value!r}; expected one of {', '.join(names)}")


class SpanPanelClient:
    """Async client of a SPAN panel's local v1 API.

    Use it as an async context manager, or keep one instance for the life of an integration
    and call :meth:`close` when done. Everything the panel answers is returned as the
    generated attrs models (``span_panel_api.generated_client.models``).

    Args:
        host: The panel's address (ignored in simulation mode except for display).
        port: The panel's HTTP port.
        timeout: Seconds allowed for each request.
        use_ssl: Use ``https`` instead of ``http``.
        retries: Extra attempts after a connection error, a timeout or HTTP 502/503/504.
        retry_timeout: Seconds before the first retry.
        retry_backoff_multiplier: Factor applied to the delay after each retry.
        cache_window: Seconds a successful status, panel, circuits or storage answer is
            reused without network I/O; 0 disables the cache.
        simulation_mode: Serve simulated data instead of talking to a panel.
        simulation_config: A YAML path, a mapping or a
            :class:`~span_panel_api.simulation.SimulationConfig` (default: the packaged one).

    """

    def __init__(
        self,
        host: str,
        port: int = 80,
        timeout: float = 30.0,
        use_ssl: bool = False,
        retries: int = 0,
        retry_timeout: float = 0.5,
        retry_backoff_multiplier: float = 2.0,
        cache_window: float = 1.0,
        simulation_mode: bool = False,
        simulation_config: SimulationConfig | str | Path | Mapping[str, Any] | None = None,
    ) -> None:
        host = _checked_host(host)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise SpanPanelValidationError(f"port must be an integer 1..65535, got {port!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise SpanPanelValidationError(f"timeout must be a number > 0, got {timeout!r}")
        if (
            isinstance(cache_window, bool)
            or not isinstance(cache_window, int | float)
            or cache_window < 0
        ):
            raise SpanPanelValidationError(
                f"cache_window must be a number >= 0, got {cache_window!r}"
            )
        if simulation_config is not None and not simulation_mode:
            raise SpanPanelValidationError(
                "simulation_config was given without simulation_mode=True"
            )
        self._host = host
        self._port = port
        self._use_ssl = use_ssl
        self._retry = RetryPolicy(retries, retry_timeout, retry_backoff_multiplier)
        self._cache = TimeWindowCache(float(cache_window))
        self._transport = HttpTransport(self.base_url, float(timeout), self._retry)
        self._engine: SimulationEngine | None = (
            SimulationEngine(simulation_config) if simulation_mode else None
        )

    # -- settings -----------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The panel's address."""
        return self._host

    @property
    def port(self) -> int:
        """The panel's HTTP port."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http(s)://host:port`` of the panel."""
        scheme = "https" if self._use_ssl else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{scheme}://{host}:{self._port}"

    @property
    def simulation_mode(self) -> bool:
        """Whether this client serves simulated data."""
        return self._engine is not None

    @property
    def retries(self) -> int:
        """Extra attempts after a retriable failure (settable)."""
        return self._retry.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self._retry.retries = value

    @property
    def retry_timeout(self) -> float:
        """Seconds before the first retry (settable)."""
        return self._retry.retry_timeout

    @retry_timeout.setter
    def retry_timeout(self, value: float) -> None:
        self._retry.retry_timeout = value

    @property
    def retry_backoff_multiplier(self) -> float:
        """Factor applied to the delay after each retry (settable)."""
        return self._retry.retry_backoff_multiplier

    @retry_backoff_multiplier.setter
    def retry_backoff_multiplier(self, value: float) -> None:
        self._retry.retry_backoff_multiplier = value

    def set_access_token(self, token: str) -> None:
        """Use ``token`` (from an earlier :meth:`authenticate`) for every following request."""
        if not isinstance(token, str) or not token:
            raise SpanPanelValidationError("the access token must be a non-empty string")
        if not all("!" <= char <= "~" for char in token):
            # Never echo the token: it is a secret, even when malformed.
            raise SpanPanelValidationError(
                "the access token must be printable ASCII without spaces; pass the "
                "accessToken from authenticate() unchanged"
            )
        self._transport.set_token(token)

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool; the client reconnects if it is used again."""
        await self._transport.close()

    # -- the request path ---------------------------------------------------------------------

    async def _fetch(
        self,
        operation: str,
        model: type[M],
        http: Request,
        simulated: Callable[[SimulationEngine], Json],
    ) -> M:
        if self._engine is None:
            return await self._transport.call(operation, model, http)
        try:
            data = simulated(self._engine)
        except SimulationNotFoundError as exc:
            raise SpanPanelAPIError(
                f"{operation} failed with HTTP {HTTP_NOT_FOUND}: {exc}", HTTP_NOT_FOUND
            ) from exc
        return model.from_dict(data)

    async def _fetch_cached(
        self,
        key: str,
        operation: str,
        model: type[M],
        http: Request,
        simulated: Callable[[SimulationEngine], Json],
    ) -> M:
        cached = self._cache.get(key, model)
        if cached is not None:
            return cached
        generation = self._cache.generation
        result = await self._fetch(operation, model, http, simulated)
        self._cache.put(key, result, generation)
        return result

    # -- authentication -----------------------------------------------------------------------

    async def authenticate(self, name: str, description: str = "") -> AuthOut:
        """Register this client with the panel and use the token it returns from now on.

        The panel accepts registration only while it is in pairing mode (open and close its
        door three times). Store ``AuthOut.access_token`` and pass it to
        :meth:`set_access_token` next time instead of registering again.
        """
        if not isinstance(name, str) or not name:
            raise SpanPanelValidationError("authenticate() needs a non-empty client name")
        if not isinstance(description, str):
            raise SpanPanelValidationError(
                f"authenticate() needs a string description, got {type(description).__name__}"
            )
        body = AuthIn(name=name, description=description)
        result = await self._fetch(
            "authenticate",
            AuthOut,
            lambda c: register_client.asyncio_detailed(client=c, body=body),
            lambda e: e.register_client(name, description),
        )
        self.set_access_token(result.access_token)
        _LOGGER.debug("registered client %r with the panel", name)
        return result

    async def get_clients(self) -> Clients:
        """Every client registered with the panel."""
        return await self._fetch(
            "get_clients",
            Clients,
            lambda c: get_all_clients.asyncio_detailed(client=c),
            lambda e: e.clients(),
        )

    async def get_client(self, name: str) -> ClientInfo:
        """One registered client (HTTP 404 -> :class:`SpanPanelAPIError`)."""
        _check_name(name, "client name")
        return await self._fetch(
            "get_client",
            ClientInfo,
            lambda c: get_client.asyncio_detailed(name, client=c),
            lambda e: e.client(name),
        )

    async def delete_client(self, name: str) -> ClientInfo:
        """Remove a registered client; its token stops working."""
        _check_name(name, "client name")
        return await self._fetch(
            "delete_client",
            ClientInfo,
            lambda c: delete_client.asyncio_detailed(name, client=c),
            lambda e: e.delete_client(name),
        )

    # -- readings -----------------------------------------------------------------------------

    async def get_status(self) -> StatusOut:
        """Panel identity, firmware and network status (no token needed; cached)."""
        return await self._fetch_cached(
            _STATUS,
            "get_status",
            StatusOut,
            lambda c: get_status.asyncio_detailed(client=c),
            lambda e: e.status(),
        )

    async def get_panel_state(self) -> PanelState:
        """Main relay, meters, grid power and one branch per tab (cached)."""
        return await self._fetch_cached(
            _PANEL,
            "get_panel_state",
            PanelState,
            lambda c: get_panel_state.asyncio_detailed(client=c),
            lambda e: e.panel_state(),
        )

    async def get_circuits(self) -> CircuitsOut:
        """Every circuit, plus ``unmapped_tab_<N>`` for tabs without a circuit (cached).

        The virtual circuits come from the panel state, which is taken from the cache when
        it is fresh and otherwise fetched at the same time as the circuits.
        """
        cached = self._cache.get(_CIRCUITS, CircuitsOut)
        if cached is not None:
            return cached
        generation = self._cache.generation
        fetch_circuits = self._fetch(
            "get_circuits",
            CircuitsOut,
            lambda c: get_circuits.asyncio_detailed(client=c),
            lambda e: e.circuits(),
        )
        cached_panel = self._cache.get(_PANEL, PanelState)
        if cached_panel is None:
            # Both requests in flight together; if either fails the other is cancelled and
            # awaited, so no request outlives the call.
            circuits_task = asyncio.ensure_future(fetch_circuits)
            panel_task = asyncio.ensure_future(self.get_panel_state())
            try:
                circuits, panel = await asyncio.gather(circuits_task, panel_task)
            except BaseException:
                circuits_task.cancel()
                panel_task.cancel()
                await asyncio.gather(circuits_task, panel_task, return_exceptions=True)
                raise
        else:
            circuits, panel = await fetch_circuits, cached_panel
        add_unmapped_tab_circuits(circuits, panel, int(time.time()))
        self._cache.put(_CIRCUITS, circuits, generation)
        return circuits

    async def get_circuit(self, circuit_id: str) -> Circuit:
        """One configured circuit by id (not cached).

        The ``unmapped_tab_<N>`` virtual circuits exist only in :meth:`get_circuits`; the panel
        answers 404 for them here.
        """
        _check_name(circuit_id, "circuit id")
        return await self._fetch(
            "get_circuit",
            Circuit,
            lambda c: get_circuit_state.asyncio_detailed(circuit_id, client=c),
            lambda e: e.circuit(circuit_id),
        )

    async def get_storage_soe(self) -> BatteryStorage:
        """Battery state of energy, ``soe.percentage`` (cached)."""
        return await self._fetch_cached(
            _STORAGE,
            "get_storage_soe",
            BatteryStorage,
            lambda c: get_storage_soe.asyncio_detailed(client=c),
            lambda e: e.storage_soe(),
        )

    async def get_storage_thresholds(self) -> NiceToHaveThreshold:
        """Battery levels between which nice-to-have circuits stay powered."""
        return await self._fetch(
            "get_storage_thresholds",
            NiceToHaveThreshold,
            lambda c: get_storage_nice_to_have_threshold.asyncio_detailed(client=c),
            lambda e: e.nice_to_have_threshold(),
        )

    async def set_storage_thresholds(self, low: int, high: int) -> NiceToHaveThreshold:
        """Change the nice-to-have thresholds (percentages, ``low <= high``)."""
        for name, value in (("low", low), ("high", high)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise SpanPanelValidationError(
                    f"threshold {name} must be an integer percentage 0..100, got {value!r}"
                )
        if low > high:
            raise SpanPanelValidationError(f"threshold low ({low}) exceeds high ({high})")
        body = NiceToHaveThreshold(
            nice_to_have_threshold_low_soe=StateOfEnergy(percentage=low),
            nice_to_have_threshold_high_soe=StateOfEnergy(percentage=high),
        )
        return await self._fetch(
            "set_storage_thresholds",
            NiceToHaveThreshold,
            lambda c: set_storage_nice_to_have_threshold.asyncio_detailed(client=c, body=body),
            lambda e: e.set_nice_to_have_threshold(low, high),
        )

    async def get_panel_power(self) -> PanelPower:
        """Instantaneous grid and feed-through power."""
        return await self._fetch(
            "get_panel_power",
            PanelPower,
            lambda c: get_panel_power.asyncio_detailed(client=c),
            lambda e: e.panel_power(),
        )

    async def get_panel_meter(self) -> PanelMeter:
        """Energy counters of the main meter and the feed-through lugs."""
        return await self._fetch(
            "get_panel_meter",
            PanelMeter,
            lambda c: get_panel_meter.asyncio_detailed(client=c),
            lambda e: e.panel_meter(),
        )

    async def get_islanding_state(self) -> IslandingState:
        """Whether the panel runs on the grid or islanded."""
        return await self._fetch(
            "get_islanding_state",
            IslandingState,
            lambda c: get_islanding_state.asyncio_detailed(client=c),
            lambda e: e.islanding_state(),
        )

    async def get_main_relay_state(self) -> RelayStateOut:
        """State of the main (grid) relay."""
        return await self._fetch(
            "get_main_relay_state",
            RelayStateOut,
            lambda c: get_main_relay_state.asyncio_detailed(client=c),
            lambda e: e.main_relay(),
        )

    # -- controls -----------------------------------------------------------------------------

    async def set_main_relay_state(self, state: RelayState | str) -> RelayStateOut:
        """Open (``"OPEN"``) or close (``"CLOSED"``) the main grid relay."""
        relay: SettableRelayState = _choice(
            state, _SETTABLE_RELAY, "relay state", SettableRelayState
        )
        body = RelayStateIn(relay_state=relay)
        result = await self._fetch(
            "set_main_relay_state",
            RelayStateOut,
            lambda c: set_main_relay_state.asyncio_detailed(client=c, body=body),
            lambda e: e.set_main_relay(relay.value),
        )
        self._cache.invalidate(_PANEL, _CIRCUITS)
        return result

    async def set_circuit_relay(self, circuit_id: str, state: RelayState | str) -> Circuit:
        """Open (``"OPEN"``) or close (``"CLOSED"``) a circuit's relay."""
        relay: SettableRelayState = _choice(
            state, _SETTABLE_RELAY, "relay state", SettableRelayState
        )
        self._check_writable(circuit_id, "relay")
        body = CircuitStateIn(relay_state_in=RelayStateIn(relay_state=relay))
        return await self._set_circuit(
            "set_circuit_relay",
            circuit_id,
            body,
            lambda e: e.set_circuit(circuit_id, relay_state=relay.value),
        )

    async def set_circuit_priority(self, circuit_id: str, priority: Priority | str) -> Circuit:
        """Set a circuit's backup priority (``MUST_HAVE``, ``NICE_TO_HAVE``, ``NON_ESSENTIAL``)."""
        chosen: SettablePriority = _choice(
            priority, _SETTABLE_PRIORITY, "priority", SettablePriority
        )
        self._check_writable(circuit_id, "priority")
        body = CircuitStateIn(priority_in=PriorityIn(priority=chosen))
        return await self._set_circuit(
            "set_circuit_priority",
            circuit_id,
            body,
            lambda e: e.set_circuit(circuit_id, priority=chosen.value),
        )

    @staticmethod
    def _check_writable(circuit_id: str, what: str) -> None:
        _check_name(circuit_id, "circuit id")
        if is_unmapped_circuit_id(circuit_id):
            raise SpanPanelValidationError(
                f"{circuit_id!r} is a virtual circuit for an unmapped tab; its {what} is read-only"
            )

    async def _set_circuit(
        self,
        operation: str,
        circuit_id: str,
        body: CircuitStateIn,
        simulated: Callable[[SimulationEngine], Json],
    ) -> Circuit:
        result = await self._fetch(
            operation,
            Circuit,
            lambda c: set_circuit_state.asyncio_detailed(circuit_id, client=c, body=body),
            simulated,
        )
        self._cache.invalidate(_CIRCUITS, _PANEL)
        return result

    # -- simulation-only controls -------------------------------------------------------------

    def _simulation(self, operation: str) -> SimulationEngine:
        if self._engine is None:
            raise SpanPanelSimulationError(
                f"{operation}() only works in simulation mode "
                "(SpanPanelClient(..., simulation_mode=True))"
            )
        return self._engine

    async def set_circuit_overrides(
        self,
        circuit_overrides: Mapping[str, CircuitOverride | Mapping[str, Any]] | None = None,
        global_overrides: GlobalOverride | Mapping[str, Any] | None = None,
    ) -> None:
        """Simulation mode: pin or scale circuits, or scale every circuit at once.

        A circuit override takes ``power_w``, ``power_multiplier``, ``relay_state`` and
        ``priority``; the global override takes ``power_multiplier``.
        """
        engine = self._simulation("set_circuit_overrides")
        _check_mapping(circuit_overrides, "circuit_overrides")
        overrides = {
            key: _structure(value, CircuitOverride, f"circuit_overrides[{key!r}]")
            for key, value in (circuit_overrides or {}).items()
        }
        global_override = (
            None
            if global_overrides is None
            else _structure(global_overrides, GlobalOverride, "global_overrides")
        )
        try:
            engine.set_circuit_overrides(overrides, global_override)
        except SimulationNotFoundError as exc:
            raise SpanPanelValidationError(f"set_circuit_overrides: {exc}") from exc
        self._cache.invalidate()

    async def set_branch_overrides(
        self, branch_overrides: Mapping[int, BranchOverride | Mapping[str, Any]]
    ) -> None:
        """Simulation mode: pin (``power_w``) or scale (``power_multiplier``) single tabs."""
        engine = self._simulation("set_branch_overrides")
        _check_mapping(branch_overrides, "branch_overrides", optional=False)
        overrides = {
            tab: _structure(value, BranchOverride, f"branch_overrides[{tab!r}]")
            for tab, value in branch_overrides.items()
        }
        try:
            engine.set_branch_overrides(overrides)
        except SimulationNotFoundError as exc:
            raise SpanPanelValidationError(f"set_branch_overrides: {exc}") from exc
        self._cache.invalidate()

    async def clear_overrides(self) -> None:
        """Simulation mode: remove every circuit, branch and global override."""
        self._simulation("clear_overrides").clear_overrides()
        self._cache.invalidate()


def _check_mapping(value: object, what: str, *, optional: bool = True) -> None:
    if not (isinstance(value, Mapping) or (optional and value is None)):
        raise SpanPanelValidationError(
            f"invalid override: {what} must be a mapping, got {type(value).__name__}"
        )


_override_converter = cattrs.Converter(forbid_extra_keys=True)

_O = TypeVar("_O")


def _structure(value: object, kind: type[_O], where: str) -> _O:
    if isinstance(value, kind):
        return value
    if not isinstance(value, Mapping):
        raise SpanPanelValidationError(
            f"invalid override: {where} must be a mapping or a {kind.__name__}, "
            f"got {type(value).__name__}"
        )
    try:
        return _override_converter.structure(value, kind)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        problems = (
            describe_structure_error(exc, where)
            if isinstance(exc, cattrs.BaseValidationError)
            else f"{where}: {exc}"
        )
        raise SpanPanelValidationError(f"invalid override: {problems}") from exc
