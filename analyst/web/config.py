"""The web app's view of the settings (``ENVMON_WEB_*`` fields of index.settings.Settings)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from analyst.users import LoginLimits
from index.settings import Settings


class WebSettings(BaseModel):
    """What only the web app needs, read from the one Settings object (``from_settings``)."""

    cookie_secure: bool = Field(default=False, description="Send cookies over HTTPS only; turn on behind TLS.")
    session_hours: float = Field(default=12.0, gt=0, description="A login lasts this long.")
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins per user name per window.")
    login_max_failures_per_client: int = Field(default=20, ge=1, description="Failed logins per client address per window.")
    login_window_minutes: float = Field(default=15.0, gt=0)

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
