"""Open the Elasticsearch client from settings and turn transport failures into one sentence.

Every call the backend makes goes through ``unavailable_as_error`` so that a refused
connection, a wrong password, a TLS failure or a cluster that answers 5xx ends as
``BackendUnavailable`` (the indexer then keeps the documents pending). Secrets never appear
in a message: the URL is shown without any user:password part.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    SSLError,
)

from index.errors import BackendUnavailable, ConfigError
from index.settings import Settings, redact_url

# A connection error is retried this many times before the run gives up; the indexer retries
# the whole batch on its next run anyway, so waiting longer here only delays the report.
CONNECT_RETRIES = 2
# Statuses that mean "the cluster is there but cannot serve now": keep documents pending.
UNAVAILABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def open_client(settings: Settings) -> Elasticsearch:
    """An Elasticsearch client for ENVMON_INDEX_URL with the configured credentials and CA."""
    url = settings.index_url or ""
    options: dict[str, Any] = {
        "request_timeout": settings.es_timeout_s,
        "max_retries": CONNECT_RETRIES,
        "retry_on_timeout": True,
    }
    if settings.es_api_key is not None:
        options["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username:
        password = settings.es_password.get_secret_value() if settings.es_password else ""
        options["basic_auth"] = (settings.es_username, password)
    if settings.es_ca_certs is not None:
        if not settings.es_ca_certs.is_file():
            raise ConfigError(
                f"ENVMON_ES_CA_CERTS points at {settings.es_ca_certs}, which is not a file; set it to the cluster's CA certificate (PEM)."
            )
        options["ca_certs"] = str(settings.es_ca_certs)
    try:
        return Elasticsearch(url, **options)
    except ValueError as exc:
        shown = redact_url(url)
        raise ConfigError(
            f"ENVMON_INDEX_URL={shown!r} is not a usable Elasticsearch address ({str(exc).replace(url, shown)}); use http(s)://host:9200."
        ) from None


@contextmanager
def unavailable_as_error(url: str, timeout_s: float) -> Iterator[None]:
    """Re-raise transport, authentication and 5xx failures as one-sentence BackendUnavailable."""
    try:
        yield
    except BackendUnavailable:
        raise
    except Exception as exc:
        error = describe_failure(exc, url, timeout_s)
        if error is None:
            raise
        raise error from None


def describe_failure(exc: BaseException, url: str, timeout_s: float) -> BackendUnavailable | None:
    """BackendUnavailable for a failure the user can fix or wait out; None for programming errors."""
    where = redact_url(url)
    if isinstance(exc, AuthenticationException):
        return BackendUnavailable(
            f"Elasticsearch at {where} rejected the credentials (HTTP 401); set ENVMON_ES_USERNAME and "
            "ENVMON_ES_PASSWORD, or ENVMON_ES_API_KEY, to valid ones."
        )
    if isinstance(exc, AuthorizationException):
        return BackendUnavailable(
            f"Elasticsearch at {where} refused access for the configured user (HTTP 403); grant it the "
            "read, write and manage privileges on the envmon indices and index templates."
        )
    if isinstance(exc, SSLError):
        return BackendUnavailable(
            f"The TLS connection to Elasticsearch at {where} failed ({_tls_reason(exc)}); set ENVMON_ES_CA_CERTS "
            "to the cluster's CA certificate, or use http:// if the cluster does not use TLS."
        )
    if isinstance(exc, ConnectionTimeout):
        return BackendUnavailable(
            f"Elasticsearch at {where} did not answer within {timeout_s:g} s; check that it is running and "
            "reachable, or raise ENVMON_ES_TIMEOUT_S."
        )
    if isinstance(exc, ConnectionError):
        reason = _connection_reason(exc)
        fix = (
            "start it (`make es-up` runs the local node) or fix ENVMON_INDEX_URL"
            if reason in ("connection refused", "unknown host")
            else "check ENVMON_INDEX_URL (https:// when the cluster uses TLS) and the network"
        )
        return BackendUnavailable(f"Elasticsearch at {where} cannot be reached ({reason}); {fix}.")
    if isinstance(exc, ApiError) and exc.status_code in UNAVAILABLE_STATUSES:
        return BackendUnavailable(
            f"Elasticsearch at {where} cannot serve requests now (HTTP {exc.status_code} {error_type(exc)}); "
            "wait for the cluster to recover and run again."
        )
    return None


def error_type(exc: ApiError) -> str:
    """The server's error type, e.g. 'cluster_block_exception', without the long reason."""
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("type", exc.message))
    return str(exc.message)


def _connection_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "unknown host"
    if "reset" in text or "remotedisconnected" in text or "closed connection" in text:
        return "the connection was closed by the server"
    if "unreachable" in text:
        return "network unreachable"
    return "connection failed"


def _tls_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "certificate verify failed" in text:
        return "the server certificate is not trusted"
    if "hostname mismatch" in text or "doesn't match" in text:
        return "the certificate does not match the host name"
    if "wrong version number" in text or "record layer failure" in text or "packet length" in text:
        return "the server does not speak TLS on this port"
    return "TLS handshake failed"
