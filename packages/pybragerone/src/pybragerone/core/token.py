"""The access token and the optional hooks that persist it between runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pybragerone.errors import BragerAuthError

__all__ = ["Token", "TokenStore"]


class Token(BaseModel):
    """An access token as returned by ``POST /auth/user``."""

    model_config = ConfigDict(frozen=True)

    access_token: str = Field(repr=False)
    token_type: str = "bearer"
    expires_at: datetime | None = None
    user_id: int | None = None

    @classmethod
    def from_login(cls, payload: Any) -> Token:
        """Build a token from the login answer (``accessToken``, ``type``, ``expiresAt``)."""
        if not isinstance(payload, dict) or not payload.get("accessToken"):
            raise BragerAuthError("login answer carries no access token; is the server right?")
        user = payload.get("user")
        try:
            return cls(
                access_token=str(payload["accessToken"]),
                token_type=str(payload.get("type") or "bearer"),
                expires_at=payload.get("expiresAt") or None,
                user_id=user.get("id") if isinstance(user, dict) else None,
            )
        except ValidationError as exc:
            raise BragerAuthError(
                f"login answer is malformed: {exc.error_count()} bad fields"
            ) from exc

    def is_expired(self, *, leeway: float = 30.0) -> bool:
        """Whether the token expired or will within ``leeway`` seconds (unknown expiry: no)."""
        if self.expires_at is None:
            return False
        expires = self.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return datetime.now(UTC) + timedelta(seconds=leeway) >= expires

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self.access_token}"


@runtime_checkable
class TokenStore(Protocol):
    """Where a token is kept between runs (a file, Home Assistant storage, a keyring).

    The client calls these methods on a worker thread, never on the event loop, so they may
    read and write a file or a keyring; ``load`` runs once, at the client's first request.
    Implementations should not raise; the client logs and ignores their failures.
    """

    def load(self) -> Token | None:
        """The saved token, or ``None``."""

    def save(self, token: Token) -> None:
        """Keep ``token``."""

    def clear(self) -> None:
        """Forget the saved token."""
