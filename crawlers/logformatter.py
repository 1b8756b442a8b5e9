"""Scrapy log messages without item contents: crawled text stays out of the log files."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


def _describe(item: Any) -> str:
    record = getattr(item, "record", None)
    return f"{type(item).__name__} {getattr(record, 'url', '') or ''}".strip()


class QuietLogFormatter(LogFormatter):
    """Like Scrapy's, but items are named by type and URL, never dumped."""

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(item)s", "args": {"item": _describe(item)}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        level = getattr(exception, "log_level", None) or logging.INFO
        level = getattr(logging, level) if isinstance(level, str) else level
        return {"level": level, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(item)s", "args": {"item": _describe(item)}}
