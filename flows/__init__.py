"""Prefect flows: ingest, early_warning, weekly_report, retrain — composition only.

Call `flows.runtime.configure_prefect(settings)` before importing the flow modules: Prefect
reads its settings when it is imported.
"""
