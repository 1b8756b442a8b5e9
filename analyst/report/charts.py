"""The report's charts as PNG images (matplotlib, no display, no global pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib import rc_context
from matplotlib.figure import Figure

from analyst.report.build import WeeklyReport
from analyst.report.geo import province_outline
from analyst.vi import SENSITIVITY_VI, SOURCE_KIND_VI, TOPIC_VI, topic_vi
from index.records import SENSITIVITY_LEVELS, TOPICS

DPI = 150
WIDTH_IN = 7.0
TOPIC_COLOURS = dict(zip(TOPICS, ("#8c6d31", "#1f77b4", "#7f7f7f", "#d62728", "#2ca02c", "#9467bd", "#17becf", "#ff7f0e", "#c7c7c7"), strict=True))
SENSITIVITY_COLOURS = {"low": "#9ecae1", "medium": "#fdae6b", "high": "#d62728"}
TOP_TRAJECTORIES = 5
TOP_SOURCES = 10


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _figure(height: float = 3.0) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, height))
    figure.set_layout_engine("tight")
    return figure


def _no_data(axes, message: str = "Không có dữ liệu trong tuần") -> None:  # type: ignore[no-untyped-def]
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#666666")
    axes.set_axis_off()


def daily_volume(report: WeeklyReport) -> bytes:
    """Stories per day, stacked by topic."""
    figure = _figure()
    axes = figure.add_subplot()
    days = list(report.stories_by_day)
    labels = [f"{day[8:10]}/{day[5:7]}" for day in days]
    bottom = [0] * len(days)
    for topic in TOPICS:
        values = [report.stories_by_day[day].get(topic, 0) for day in days]
        if any(values):
            axes.bar(labels, values, bottom=bottom, color=TOPIC_COLOURS[topic], label=TOPIC_VI[topic])
            bottom = [low + value for low, value in zip(bottom, values, strict=True)]
    if not any(bottom):
        _no_data(axes)
    else:
        axes.set_ylabel("Số tin/bài (không tính bản trùng)")
        axes.legend(fontsize=7, ncols=3, loc="upper left", frameon=False)
        axes.set_ylim(0, max(bottom) * 1.45)
    return _png(figure)


def topics(report: WeeklyReport) -> bytes:
    """Stories per topic, this week against last week."""
    figure = _figure()
    axes = figure.add_subplot()
    shown = [topic for topic in TOPICS if report.topics.get(topic) or report.topics_last_week.get(topic)]
    if not shown:
        _no_data(axes)
        return _png(figure)
    positions = range(len(shown))
    axes.barh([p + 0.2 for p in positions], [report.topics_last_week.get(t, 0) for t in shown], height=0.4, color="#c7c7c7", label="Tuần trước")
    axes.barh([p - 0.2 for p in positions], [report.topics.get(t, 0) for t in shown], height=0.4,
              color=[TOPIC_COLOURS[t] for t in shown], label="Tuần này")
    axes.set_yticks(list(positions), [topic_vi(t) for t in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("Số tin/bài")
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def sensitivity(report: WeeklyReport) -> bytes:
    """The sensitivity mix of this week beside last week's."""
    figure = _figure(2.6)
    axes = figure.add_subplot()
    this, last = report.sensitivity["this_week"], report.sensitivity["last_week"]
    positions = range(len(SENSITIVITY_LEVELS))
    axes.bar([p - 0.2 for p in positions], [last.get(level, 0) for level in SENSITIVITY_LEVELS], width=0.4, color="#c7c7c7", label="Tuần trước")
    axes.bar([p + 0.2 for p in positions], [this.get(level, 0) for level in SENSITIVITY_LEVELS], width=0.4,
             color=[SENSITIVITY_COLOURS[level] for level in SENSITIVITY_LEVELS], label="Tuần này")
    axes.set_xticks(list(positions), [f"Nhạy cảm {SENSITIVITY_VI[level]}" for level in SENSITIVITY_LEVELS])
    axes.set_ylabel("Số tin/bài")
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def trajectories(report: WeeklyReport) -> bytes:
    """Daily stories over two weeks for the leading issues."""
    figure = _figure()
    axes = figure.add_subplot()
    issues = report.top_issues[:TOP_TRAJECTORIES]
    if not issues:
        _no_data(axes, "Chưa có vấn đề nào trong tuần")
        return _png(figure)
    days = list(issues[0].by_day)
    labels = [f"{day[8:10]}/{day[5:7]}" for day in days]
    for issue in issues:
        title = issue.title if len(issue.title) <= 48 else issue.title[:47] + "…"
        axes.plot(labels, list(issue.by_day.values()), marker="o", markersize=3, label=title)
    axes.axvline(6.5, color="#999999", linestyle="--", linewidth=0.8)
    axes.text(6.6, axes.get_ylim()[1] * 0.95, "tuần này", fontsize=7, color="#666666", va="top")
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.set_ylabel("Tin/bài mỗi ngày")
    axes.legend(fontsize=7, frameon=False, loc="upper left")
    return _png(figure)


def commune_map(report: WeeklyReport) -> bytes:
    """Communes named this week over approximate province outlines; size = stories, red = high."""
    figure = _figure(4.2)
    axes = figure.add_subplot()
    if not report.communes:
        _no_data(axes, "Không có xã/phường nào được xác định trong tuần")
        return _png(figure)
    for province in sorted({point.province for point in report.communes}):
        outline = province_outline(province)
        if outline:
            xs, ys = zip(*outline, outline[0], strict=True)
            axes.fill(xs, ys, facecolor="#f2f2f2", edgecolor="#888888", linewidth=0.8)
            axes.text(sum(xs) / len(xs), max(ys), province, fontsize=8, color="#555555", ha="center", va="bottom")
    for point in report.communes:
        colour = SENSITIVITY_COLOURS["high"] if point.high else SENSITIVITY_COLOURS["medium"]
        axes.scatter(point.lon, point.lat, s=30 + 25 * point.stories, color=colour, alpha=0.75, edgecolors="#333333", linewidths=0.5)
    for point in report.communes[:8]:
        axes.annotate(f"{point.name} ({point.stories})", (point.lon, point.lat), fontsize=7, xytext=(5, 4), textcoords="offset points")
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel("Kinh độ")
    axes.set_ylabel("Vĩ độ")
    axes.set_title("Đỏ: có tin nhạy cảm cao · đường bao tỉnh gần đúng", fontsize=8)
    return _png(figure)


def sources(report: WeeklyReport) -> bytes:
    """Where this week's stories came from: kinds of source and the leading sources."""
    figure = _figure(2.8)
    if not report.sources["by_kind"]:
        _no_data(figure.add_subplot())
        return _png(figure)
    kinds_axes, sources_axes = figure.subplots(1, 2)
    kinds = report.sources["by_kind"]
    kinds_axes.pie(list(kinds.values()), labels=[SOURCE_KIND_VI.get(kind, kind) for kind in kinds], textprops={"fontsize": 7})
    named = list(report.sources["by_source"].items())[:TOP_SOURCES]
    sources_axes.barh([name for name, _ in named], [count for _, count in named], color="#6baed6")
    sources_axes.invert_yaxis()
    sources_axes.tick_params(axis="y", labelsize=7)
    sources_axes.set_xlabel("Số tin/bài")
    return _png(figure)


CHARTS: dict[str, tuple[str, Callable[[WeeklyReport], bytes]]] = {
    "daily_volume": ("Khối lượng theo ngày và chủ đề", daily_volume),
    "topics": ("Chủ đề: tuần này so với tuần trước", topics),
    "sensitivity": ("Mức độ nhạy cảm: tuần này so với tuần trước", sensitivity),
    "trajectories": ("Diễn biến các vấn đề nổi bật (14 ngày)", trajectories),
    "commune_map": ("Bản đồ xã/phường được nhắc đến", commune_map),
    "sources": ("Nguồn tin", sources),
}


def render_charts(report: WeeklyReport) -> dict[str, bytes]:
    """Every chart of the report, by name, as PNG bytes."""
    # Labels quote crawled text (project names, sources): a "$…$" in them is text, not mathtext
    # (which a malformed formula would turn into an exception that loses the whole report).
    with rc_context({"text.parse_math": False}):
        return {name: draw(report) for name, (_, draw) in CHARTS.items()}
