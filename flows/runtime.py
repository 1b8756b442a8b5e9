"""Where Prefect keeps its state, and which task runner enrichment uses.

Without PREFECT_API_URL, Prefect starts a temporary server per process (ephemeral mode);
its database and logs then live under the data dir, with telemetry off. With
PREFECT_API_URL pointing at a server, flows report there. Nothing here imports prefect, so
the environment is set before Prefect reads it.
"""

from __future__ import annotations

import os

from index.settings import Settings

PREFECT_DIR = "prefect"
QUIET_LOGGERS = ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker", "distributed.core")


def configure_prefect(settings: Settings, quiet: bool = False) -> None:
    """Point Prefect at the data dir and turn off its telemetry (call before importing prefect).

    quiet keeps Prefect's own run logging to warnings, for commands that print a summary.
    Values already in the environment win, so an operator can override each one.
    """
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / PREFECT_DIR))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DASK_DISTRIBUTED__LOGGING__DISTRIBUTED", "warning")
    if quiet:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    settings.ensure_data_dir()
    (settings.data_dir / PREFECT_DIR).mkdir(parents=True, exist_ok=True)
    import logging

    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def uses_dask(settings: Settings) -> bool:
    """Enrichment runs on a Dask cluster when ENVMON_DASK_ADDRESS is set."""
    return bool(settings.dask_address)
