"""Where the MQTT broker is: a host name with a separate port, or an ``mqtt(s)://`` URL.

The seed's ``runtime.yaml`` writes ``broker: iot.bluettipower.com`` and ``port: 18760``; our
earlier form ``broker: mqtts://host:port`` stays accepted. Both end up as one
:class:`BrokerAddress`.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

import attrs

from power_sdk.errors import ConfigError

__all__ = ["BrokerAddress", "parse_broker", "parse_broker_url"]

#: a DNS name (IP addresses are checked with :mod:`ipaddress`)
_HOST = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?$")
_PLAIN_SCHEMES = ("mqtt", "tcp")
_TLS_SCHEMES = ("mqtts", "ssl")


@attrs.frozen
class BrokerAddress:
    """Host, port and whether the connection is TLS."""

    host: str
    port: int
    tls: bool

    @property
    def url(self) -> str:
        """The address as ``mqtt://host:port`` or ``mqtts://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{host}:{self.port}"


def _check_port(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(f"{what} must be a TCP port 1..65535, got {value!r}")
    return value


def _valid_host(host: str) -> bool:
    if _HOST.match(host):
        return True
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def _split(broker: str) -> tuple[SplitResult, str | None]:
    """The parts of ``broker`` and its scheme (``None`` for a bare host name)."""
    if "://" in broker:
        parts = urlsplit(broker)
        return parts, parts.scheme
    return urlsplit(f"//{broker}"), None


def parse_broker(broker: str, *, port: int | None = None, tls: bool | None = None) -> BrokerAddress:
    """Resolve ``broker`` (host name or URL), an optional separate ``port`` and a TLS choice.

    A bare host gets ``port`` (default 1883, or 8883 with TLS). A URL's own port and scheme
    must agree with ``port`` and ``tls`` when those are given. Credentials inside the address
    are refused (they would be printed wherever the address is): use the username and
    password options.
    """
    if not isinstance(broker, str) or not broker.strip():
        raise ConfigError(f"broker must be a host name or mqtt://host:port, got {broker!r}")
    broker = broker.strip()
    parts, scheme = _split(broker)
    shown = repr(broker)
    if "@" in parts.netloc:
        hidden = parts.netloc.rpartition("@")[2]
        shown = repr(f"{scheme}://***@{hidden}" if scheme else f"***@{hidden}")
        raise ConfigError(
            f"broker {shown} carries credentials; give them as the username and password "
            "options instead"
        )
    if scheme is not None and scheme not in _PLAIN_SCHEMES + _TLS_SCHEMES:
        raise ConfigError(
            f"broker URL must look like mqtt://host:port or mqtts://host:port, got {shown}"
        )
    host = parts.hostname
    if (
        not host
        or not _valid_host(host)
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(
            f"broker must be a host name (with port as its own option) or a URL like "
            f"mqtt://host:port, got {shown}"
        )
    try:
        own_port = parts.port
    except ValueError as exc:
        raise ConfigError(f"broker {shown} has an invalid port") from exc
    scheme_tls = None if scheme is None else scheme in _TLS_SCHEMES
    if tls is not None and scheme_tls is not None and tls != scheme_tls:
        raise ConfigError(
            f"broker {shown} says {'TLS' if scheme_tls else 'no TLS'} but tls is {tls}; "
            "drop one of them"
        )
    secure = bool(tls if tls is not None else scheme_tls)
    if port is not None:
        port = _check_port(port, "port")
        if own_port is not None and own_port != port:
            raise ConfigError(
                f"broker {shown} names port {own_port} but the port option is {port}; "
                "give the port once"
            )
    chosen = port or own_port or (8883 if secure else 1883)
    return BrokerAddress(host, chosen, secure)


def parse_broker_url(url: str) -> tuple[str, int, bool]:
    """Split ``mqtt://host:port`` / ``mqtts://host:port`` (or a bare host) into its parts."""
    address = parse_broker(url)
    return address.host, address.port, address.tls
