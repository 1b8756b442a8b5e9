"""One Prefect test harness for the whole session, and the demo's loopback site.

Prefect reads its settings when first imported, so its home, telemetry and log level are
set here, before any test module imports a flow.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="envmon-prefect-test-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DASK_DISTRIBUTED__LOGGING__DISTRIBUTED", "warning")

from flows.demo.site import DemoSite  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture
def demo_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture
def allow_private(data_dir, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The demo site is on 127.0.0.1: tests opt in to private addresses, as the demo does."""
    monkeypatch.setenv("ENVMON_ALLOW_PRIVATE_NETWORKS", "1")
