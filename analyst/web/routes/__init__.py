"""Routers of the analyst web app: HTML pages and the JSON API."""
