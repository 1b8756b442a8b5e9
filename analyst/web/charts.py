"""Server-rendered bar charts: geometry computed here, drawn as inline SVG by the templates.

No script and no style attribute is needed (SVG presentation attributes pass a strict CSP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

SENSITIVITY_COLOURS = {"low": "#8fbc8f", "medium": "#e0a030", "high": "#c0392b"}
MAX_BARS = 120  # a wider chart stops being readable; older days are dropped
MAX_BAR_WIDTH = 24  # a handful of days should read as bars, not as one filled box


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    maximum: int
    first_label: str
    last_label: str


def bar_chart(series: list[tuple[str, int]], width: int = 640, height: int = 120) -> BarChart:
    """Bars for (label, value) pairs in order; heights relative to the largest value."""
    series = series[-MAX_BARS:]
    maximum = max((value for _, value in series), default=0)
    slot = width / max(len(series), 1)
    bars = []
    for index, (label, value) in enumerate(series):
        bar_height = (value / maximum) * (height - 4) if maximum else 0
        bars.append(Bar(x=index * slot + 1, y=height - bar_height, width=min(max(slot - 2, 1), MAX_BAR_WIDTH), height=bar_height, label=label, value=value))
    return BarChart(
        width=width,
        height=height,
        bars=bars,
        maximum=maximum,
        first_label=series[0][0] if series else "",
        last_label=series[-1][0] if series else "",
    )


def daily_series(counts_by_day: dict[str, int]) -> list[tuple[str, int]]:
    """Every day from the first to the last with a count (missing days are zero)."""
    days = sorted(day for day in counts_by_day if _is_day(day))
    if not days:
        return []
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if (last - first).days >= MAX_BARS:
        first = last - timedelta(days=MAX_BARS - 1)
    series = []
    current = first
    while current <= last:
        series.append((current.isoformat(), int(counts_by_day.get(current.isoformat(), 0))))
        current += timedelta(days=1)
    return series


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    level: str
    count: int
    colour: str


def sensitivity_mix(mix: dict[str, int], width: int = 640) -> list[Segment]:
    """One stacked bar: low, medium, high shares of an issue's documents."""
    total = sum(int(mix.get(level, 0)) for level in SENSITIVITY_COLOURS)
    segments, x = [], 0.0
    for level, colour in SENSITIVITY_COLOURS.items():
        count = int(mix.get(level, 0))
        if count and total:
            share = width * count / total
            segments.append(Segment(x=x, width=share, level=level, count=count, colour=colour))
            x += share
    return segments
