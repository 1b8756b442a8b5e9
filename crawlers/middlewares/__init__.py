"""Downloader middlewares: network guard, retries with backoff, charset, redirects, conditional GET."""
