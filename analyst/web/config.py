"""The web app's view of the settings (``ENVMON_WEB_*`` fields of index.settings.Settings)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from analyst.users import LoginLimits
from index.settings import Settings


def _default(name: str) -> object:
    """Defaults, bounds and descriptions live once, on Settings' ``web_*`` fields."""
    return Settings.model_fields[f"web_{name}"].default


class WebSettings(BaseModel):
    """What only the web app needs, read from the one Settings object (``from_settings``)."""

    cookie_secure: bool = _default("cookie_secure")  # type: ignore[assignment]
    session_hours: float = _default("session_hours")  # type: ignore[assignment]
    login_max_failures: int = _default("login_max_failures")  # type: ignore[assignment]
    login_max_failures_per_client: int = _default("login_max_failures_per_client")  # type: ignore[assignment]
    login_window_minutes: float = _default("login_window_minutes")  # type: ignore[assignment]

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> WebSettings:
        values = {name: getattr(settings, f"web_{name}") for name in cls.model_fields}
        return cls(**{**values, **overrides})

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def login_limits(self) -> LoginLimits:
        return LoginLimits(
            per_user=self.login_max_failures,
            per_client=self.login_max_failures_per_client,
            window=timedelta(minutes=self.login_window_minutes),
        )
