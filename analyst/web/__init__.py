"""The analyst web app (FastAPI): search, flagged queue, documents, issues, alerts, reports, sources."""

from analyst.web.app import create_app

__all__ = ["create_app"]
