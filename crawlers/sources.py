"""sources.toml: what to watch (`[[source]]` tables) and how gently to crawl it (`[crawl]`).

A malformed file ends in one sentence naming the table (its position and name) and the field.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cssselect import SelectorError
from parsel import Selector
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawlers.urls import is_http_url
from index.errors import ConfigError
from index.records import Reliability

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
_EMPTY_PAGE = Selector(text="<html></html>")  # selectors are checked by running them once
SOURCE_KINDS = ("rss", "sitemap", "listing", "forum")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


class Source(BaseModel):
    """One outlet or forum to watch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Short unique name, e.g. vnexpress-thoi-su; becomes RawItem.source.")
    kind: Literal["rss", "sitemap", "listing", "forum"]
    url: str = Field(description="The feed, sitemap, section page or forum thread/board to start from.")
    province: str | None = None
    reliability: Reliability | None = Field(default=None, description="Default: social for forums, else unknown.")
    follow: list[str] = Field(default_factory=list, description="CSS or XPath selectors of article/thread links.")
    next_page: str | None = Field(default=None, description="CSS or XPath selector of the next-page link.")
    max_pages: int = Field(default=3, ge=1, le=200)
    allowed_domains: list[str] = Field(default_factory=list)
    max_age_days: int | None = Field(default=None, ge=1, le=36_500, description="Ignore entries older than this.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use lower-case letters, digits, '-', '_' or '.', at most 60 characters")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not is_http_url(value):
            raise ValueError("must be an http:// or https:// address")
        return value.strip()

    @field_validator("follow", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("follow", "next_page")
    @classmethod
    def _valid_selectors(cls, value: list[str] | str | None) -> list[str] | str | None:
        for selector in [value] if isinstance(value, str) else value or []:
            try:
                _EMPTY_PAGE.xpath(selector) if is_xpath(selector) else _EMPTY_PAGE.css(selector)
            except (ValueError, SelectorError):  # otherwise every page of the source fails, unreported
                raise ValueError(f"{selector!r} is not a valid CSS or XPath selector") from None
        return value

    @property
    def host(self) -> str:
        """Lower-case host name of the start URL."""
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def netloc(self) -> str:
        """Host and port: sources sharing it are crawled one after another."""
        return urlsplit(self.url).netloc.lower()

    @property
    def domains(self) -> list[str]:
        """Domains the spider may follow links to (default: the start URL's host)."""
        return [domain.lower() for domain in self.allowed_domains] or [self.host]

    @property
    def effective_reliability(self) -> Reliability:
        """The configured reliability, or the default for the kind."""
        if self.reliability is not None:
            return self.reliability
        return Reliability.SOCIAL if self.kind == "forum" else Reliability.UNKNOWN


class CrawlOptions(BaseModel):
    """The `[crawl]` table: per-deployment knobs over crawlers/settings.py."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_delay: float | None = Field(default=None, ge=0, le=600)
    autothrottle: bool | None = None
    download_timeout_s: float | None = Field(default=None, gt=0, le=600)
    source_timeout_s: float = Field(default=600, gt=0, le=86_400, description="Wall-clock budget per source.")
    parallel_sources: int = Field(default=2, ge=1, le=16, description="Sources on different hosts crawled at once.")
    retry_backoff_s: float | None = Field(default=None, ge=0, le=600)
    extraction_processes: int | None = Field(default=None, ge=0, le=16, description="0 extracts in the crawl process.")
    resolve: dict[str, str] = Field(default_factory=dict, description="Hosts-file style overrides: name → IP.")

    @field_validator("resolve")
    @classmethod
    def _ip_values(cls, value: dict[str, str]) -> dict[str, str]:
        for host, address in value.items():
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValueError(f"{address!r} given for {host!r} is not an IP address") from None
        return {host.lower(): address for host, address in value.items()}


class SourcesFile(BaseModel):
    """A whole sources.toml: the crawl table and the source tables."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    crawl: CrawlOptions = Field(default_factory=CrawlOptions)
    source: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.source:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return self

    def named(self, name: str) -> Source | None:
        """The source with this name, if any."""
        return next((source for source in self.source if source.name == name), None)


def is_xpath(selector: str) -> bool:
    """A `follow`/`next_page` selector is XPath when it starts like one, else CSS."""
    return selector.lstrip().startswith(("/", "(", "./"))


def load_sources(path: Path | None = None) -> SourcesFile:
    """Read and validate a sources file; any problem becomes one ConfigError sentence."""
    path = path or DEFAULT_SOURCES_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The sources file {path} does not exist; pass --sources with an existing file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The sources file {path} cannot be read ({exc}); check its permissions and encoding.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML ({exc}); fix the syntax.") from None
    try:
        return SourcesFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_one_sentence(path, raw, exc)) from None


def _one_sentence(path: Path, raw: dict[str, Any], exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = list(error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if loc[:1] == ["source"] and len(loc) >= 2 and isinstance(loc[1], int):
        index = loc[1]
        listed = raw.get("source")
        tables: list[Any] = listed if isinstance(listed, list) else []
        name = tables[index].get("name") if index < len(tables) and isinstance(tables[index], dict) else None
        # No square brackets: the CLI prints messages through Rich, which reads them as markup.
        table = f"source table #{index + 1}" + (f" ({name!r})" if isinstance(name, str) else "")
        field = ".".join(str(part) for part in loc[2:]) or "table"
        if error.get("type") == "extra_forbidden":
            return f"{path.name}: {table} has an unknown field {field!r}; remove it or fix its spelling."
        if error.get("type") == "missing":
            return f"{path.name}: {table} lacks the required field {field!r}; add it."
        return f"{path.name}: {table} field {field!r} is invalid ({message}); fix it."
    if loc[:1] == ["crawl"]:
        field = ".".join(str(part) for part in loc[1:]) or "table"
        if error.get("type") == "extra_forbidden":
            return f"{path.name}: the crawl table has an unknown field {field!r}; remove it or fix its spelling."
        return f"{path.name}: the crawl table's field {field!r} is invalid ({message}); fix it."
    if loc == ["source"]:
        return f"{path.name}: no source tables found ({message}); add at least one."
    if not loc:
        return f"{path.name}: {message}; fix the source tables."
    return f"{path.name}: top-level {'.'.join(map(str, loc))!r} is invalid ({message}); only a crawl table and source tables are allowed."
