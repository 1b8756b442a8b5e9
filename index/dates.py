"""Parse the many date formats found in exports and pages into tz-aware datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateutil_parser

# Posts before the web existed or far in the future are nonsense, not history.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK_DAYS = 2

_VI_DATE = re.compile(
    r"(?:ngày\s*)?(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(\d{1,2})\s*(?:/|-|\.|\s+năm\s+)\s*(\d{4})"
    r"(?:[ ,T-]+(?:lúc\s*)?(\d{1,2})(?:[:hg](\d{2}))?(?::(\d{2}))?)?",
    re.IGNORECASE,
)


class DateParseError(ValueError):
    pass


def parse_datetime(value: object, default_tz: tzinfo, now: datetime | None = None) -> datetime:
    """Read ISO 8601, epoch seconds/millis, '12/10/2026 08:30', 'ngày 12 tháng 10 năm 2026'…

    Day-first when ambiguous (Vietnamese usage). A value without a zone gets default_tz.
    Raises DateParseError on nonsense or implausible dates.
    """
    now = now or datetime.now(UTC)
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = _from_epoch(float(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise DateParseError("empty date")
        if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            parsed = _from_epoch(float(text))
        else:
            parsed = _parse_text(text)
    else:
        raise DateParseError(f"unsupported date value {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    try:
        parsed.utcoffset()
    except ValueError as exc:  # dateutil accepts offsets of a day or more; datetime cannot use them
        raise DateParseError(f"impossible time zone offset in {str(value)[:40]!r}") from exc
    if parsed < EARLIEST_PLAUSIBLE or (parsed - now).days > FUTURE_SLACK_DAYS:
        raise DateParseError(f"implausible date {parsed.isoformat()}")
    return parsed


def _from_epoch(number: float) -> datetime:
    if number > 1e11:  # milliseconds
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise DateParseError(f"epoch out of range: {number}") from exc


def _parse_text(text: str) -> datetime:
    match = _VI_DATE.search(text)
    if match and not re.match(r"\d{4}-", text):
        day, month, year, hour, minute, second = match.groups()
        try:
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError as exc:
            raise DateParseError(f"not a date: {text[:40]!r}") from exc
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return dateutil_parser.parse(text, dayfirst=True, fuzzy=False)
    except (ValueError, OverflowError, TypeError, ArithmeticError) as exc:  # decimal errors on huge numbers
        raise DateParseError(f"not a date: {text[:40]!r}") from exc
