"""Which cloud to talk to: BragerOne, its TiSConnect twin, or a local simulator."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from pybragerone.errors import BragerConfigError

__all__ = ["BRAGERONE", "TISCONNECT", "BragerServer"]


class BragerServer(BaseModel):
    """Addresses and headers of one Brager One compatible cloud.

    ``api_url`` is the REST base (ending in ``/v1``); ``socket_url`` the Socket.IO host with
    ``socketio_path`` and ``namespace``; ``origin`` and ``app_version`` are sent as the web
    app sends them; ``assets_url`` is where the web app's i18n and JavaScript assets live.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    api_url: str
    socket_url: str
    socketio_path: str = "socket.io"
    namespace: str = "/ws"
    origin: str
    app_version: str = "1.0.0"
    container: str = "BragerOne"
    assets_url: str

    @classmethod
    def from_url(cls, url: str, *, name: str | None = None) -> BragerServer:
        """A server from its REST base URL (``http://host:port/v1``; ``/v1`` is added if absent).

        This is what ``pybragerone-cli --server`` takes, e.g. the simulator's ``url``.
        """
        problem = f"server URL must be http(s)://host[:port][/v1], got {url!r}"
        try:
            parts = urlsplit(url.strip())
            parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
        except ValueError as exc:
            raise BragerConfigError(f"{problem} ({exc})") from exc
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or any(c.isspace() for c in parts.netloc)
        ):
            raise BragerConfigError(problem)
        root = f"{parts.scheme}://{parts.netloc}"
        path = parts.path.rstrip("/") or "/v1"
        return cls(
            name=name or parts.netloc,
            api_url=root + path,
            socket_url=root,
            origin=root,
            assets_url=root + "/assets",
        )

    def headers(self) -> dict[str, str]:
        """The browser-like headers the web app sends with every request and handshake."""
        return {
            "Origin": self.origin,
            "Referer": f"{self.origin}/",
            "x-appversion": self.app_version,
        }


BRAGERONE = BragerServer(
    name="BragerOne",
    api_url="https://io.brager.pl/v1",
    socket_url="https://io.brager.pl",
    origin="https://one.brager.pl",
    assets_url="https://one.brager.pl/assets",
)

TISCONNECT = BragerServer(
    name="TiSConnect",
    api_url="https://io.tisconnect.info/v1",
    socket_url="https://io.tisconnect.info",
    origin="https://www.tisconnect.info",
    container="TiSConnect",
    assets_url="https://www.tisconnect.info/assets",
)
