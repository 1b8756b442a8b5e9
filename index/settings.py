"""The one settings object: ``ENVMON_*`` environment variables over an optional ``envmon.toml``."""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from index.errors import ConfigError

# A 32-byte key gives HMAC-SHA256 its full strength; stored hex-encoded.
PSEUDONYM_SECRET_BYTES = 32
# Below 16 bytes a key can be guessed, and with it every handle behind a pseudonym.
MIN_PSEUDONYM_SECRET_BYTES = 16
PSEUDONYM_SECRET_FILE = "pseudonym.key"


def _config_file() -> Path:
    return Path(os.environ.get("ENVMON_CONFIG", "envmon.toml"))


class Settings(BaseSettings):
    """Everything configurable about one envmon deployment."""

    model_config = SettingsConfigDict(env_prefix="ENVMON_", extra="ignore")

    data_dir: Path = Field(default=Path(".envmon"), description="Spool, SQLite index, models, reports, crawl state.")
    index_url: str | None = Field(
        default=None,
        description="unset, sqlite:///relative/path or sqlite:////absolute/path → embedded SQLite; http(s)://host:9200 → Elasticsearch.",
    )
    timezone: str = "Asia/Ho_Chi_Minh"
    pseudonym_secret: SecretStr | None = Field(
        default=None, description="Overrides the generated key file (hex); rotating it breaks pseudonym continuity."
    )
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_api_key: SecretStr | None = None
    es_ca_certs: Path | None = None
    es_index_prefix: str = "envmon"
    es_timeout_s: float = 30.0
    es_replicas: int = Field(default=0, ge=0, description="Replicas of each envmon index: 0 on one node, 1+ on a cluster.")
    allow_private_networks: bool = False
    dask_address: str | None = None
    enrich_workers: int = Field(default=0, description="0 → one per CPU core, at most 2.")
    retention_days: int | None = None
    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "envmon@localhost"
    smtp_to: list[str] = Field(default_factory=list)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    log_level: str = "INFO"
    web_cookie_secure: bool = Field(default=False, description="Send web-app cookies over HTTPS only; turn on behind TLS.")
    web_session_hours: float = Field(default=12.0, gt=0, description="A web-app login lasts this long.")
    web_login_max_failures: int = Field(default=5, ge=1, description="Failed logins per user name per window.")
    web_login_max_failures_per_client: int = Field(default=20, ge=1, description="Failed logins per client address per window.")
    web_login_window_minutes: float = Field(default=15.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if _config_file().is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=_config_file()))
        return tuple(sources)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("pseudonym_secret")
    @classmethod
    def _hex_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and _key_bytes(value.get_secret_value()) is None:
            raise ValueError(
                f"it must be a hex key of at least {MIN_PSEUDONYM_SECRET_BYTES} bytes; "
                "generate one with python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    # ---- derived locations -------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backend_kind(self) -> str:
        url = self.index_url or ""
        if url.startswith(("http://", "https://")):
            return "elasticsearch"
        if url == "" or url.startswith("sqlite:///"):
            return "sqlite"
        raise ConfigError(
            f"ENVMON_INDEX_URL={redact_url(url)!r} is not understood: use sqlite:///relative/path.sqlite, sqlite:////absolute/path.sqlite or http(s)://host:9200."
        )

    @property
    def sqlite_path(self) -> Path:
        url = self.index_url or ""
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///")).expanduser().resolve() if url != "sqlite:///" else self.data_dir / "index.sqlite"
        return self.data_dir / "index.sqlite"

    def ensure_data_dir(self) -> Path:
        """Create the data dir (and its standard folders) if missing."""
        try:
            for folder in (self.data_dir, self.spool_dir, self.documents_dir, self.logs_dir):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create the data directory {self.data_dir} ({exc.strerror}); set ENVMON_DATA_DIR to a writable folder."
            ) from exc
        return self.data_dir

    @cached_property
    def pseudonym_key(self) -> bytes:
        """The deployment secret for author pseudonyms, created once (mode 0600) when absent."""
        if self.pseudonym_secret is not None:
            return bytes.fromhex(self.pseudonym_secret.get_secret_value())
        self.ensure_data_dir()
        path = self.data_dir / PSEUDONYM_SECRET_FILE
        if not path.exists():
            _create_key_file(path)
        key = _key_bytes(path.read_text(errors="replace"))
        if key is None:
            raise ConfigError(f"The pseudonym key file {path} is empty or corrupt; restore it from backup.")
        return key


def _key_bytes(text: str) -> bytes | None:
    """The key a hex string holds, or None when it is not hex or too short to be secret."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) >= MIN_PSEUDONYM_SECRET_BYTES else None


def _create_key_file(path: Path) -> None:
    """Write a new key (mode 0600) under a temporary name and link it into place, so the key
    file is never seen empty or half-written, even by a process racing to create it too."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(PSEUDONYM_SECRET_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with suppress(FileExistsError):  # another process created it first; read theirs
            os.link(temporary, path)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the pseudonym key file {path} ({exc.strerror}); set ENVMON_PSEUDONYM_SECRET to a hex key instead."
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)


def redact_url(url: str) -> str:
    """The URL without user:password, safe to print or log."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url.rstrip("/")
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:  # "http://[::1", a port over 65535: cut any user:password@ by hand
        scheme, separator, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        return f"{scheme}{separator}{netloc.rpartition('@')[2]}{slash}{path}".rstrip("/")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)).rstrip("/")


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and envmon.toml, turning validation errors into one sentence."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ())) or "settings"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(
            f"Setting {field!r} is invalid ({message}); fix ENVMON_{field.upper()} or {_config_file()}."
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_config_file()} is not UTF-8 text; save it as UTF-8.") from None
    except Exception as exc:  # a malformed envmon.toml raises TOMLDecodeError
        if exc.__class__.__name__ == "TOMLDecodeError":
            raise ConfigError(f"{_config_file()} is not valid TOML ({exc}); fix or remove it.") from None
        raise
