"""Pick and open the configured backend (ENVMON_INDEX_URL)."""

from __future__ import annotations

from index.backend import Backend
from index.settings import Settings


def open_backend(settings: Settings) -> Backend:
    """SQLite when ENVMON_INDEX_URL is unset or sqlite:///…, Elasticsearch for http(s)://…."""
    if settings.backend_kind == "elasticsearch":
        from index.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend.from_settings(settings)
    from index.sqlite_backend import SqliteBackend

    return SqliteBackend(settings.sqlite_path, settings.tz)
