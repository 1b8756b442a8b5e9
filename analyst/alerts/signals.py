"""The three early-warning signals, evaluated per subject as of one moment.

Subjects are issues, projects, communes (and refuted claims for misinformation); a story
(near-duplicates once, see analyst.stories) belongs to every subject its representative
document names. Each signal that fires gives a Candidate; analyst.alerts.detect merges
candidates about the same stories and applies the cooldown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from analyst.alerts.stats import RiseTest, document_weight, rise_test
from analyst.stories import Story
from analyst.vi import number
from index.records import MISINFO_LEVELS
from nlp.lexicons import match_lexicons

DAY = timedelta(hours=24)
DAY_BASELINE = timedelta(days=14)
HOUR = timedelta(hours=1)
HOUR_BASELINE = timedelta(hours=12)
MIN_STORIES_DAY = 5  # fewer distinct stories in a day is not yet public concern building
MIN_STORIES_HOUR = 3
MIN_CLAIM_STORIES = 3  # a refuted claim repeated by three separate posts is spreading
COLLECTIVE_ACTION_LEXICON = "collective_action"
RISKY_MISINFO_LEVELS = frozenset(MISINFO_LEVELS[1:])  # elevated, high

Signal = Literal["volume_rise", "collective_action", "misinfo_burst"]
SubjectKind = Literal["issue", "project", "commune", "claim"]


@dataclass(frozen=True)
class Windows:
    """The compared periods, all ending at `now` (exclusive start, inclusive end)."""

    now: datetime

    @property
    def start(self) -> datetime:
        return self.now - DAY - DAY_BASELINE

    def in_day(self, story: Story) -> bool:
        return self.now - DAY < story.document.sort_at <= self.now

    def in_day_baseline(self, story: Story) -> bool:
        return self.start < story.document.sort_at <= self.now - DAY

    def in_hour(self, story: Story) -> bool:
        return self.now - HOUR < story.document.sort_at <= self.now

    def in_hour_baseline(self, story: Story) -> bool:
        return self.now - HOUR - HOUR_BASELINE < story.document.sort_at <= self.now - HOUR


@dataclass
class Subject:
    kind: SubjectKind
    key: str
    label: str
    stories: list[Story] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """"kind:key", unique across kinds."""
        return f"{self.kind}:{self.key}"


@dataclass
class Candidate:
    """A signal that fired for a subject, with the stories behind it."""

    signal: Signal
    subject: Subject
    level: float  # what a later alert must exceed (see detect.RISE_FACTOR)
    score: float
    window: dict[str, float]
    reasons: list[str]
    stories: list[Story]

    @property
    def coverage(self) -> str:
        return f"{self.signal}|{self.subject.ref}"


def group_subjects(stories: list[Story]) -> list[Subject]:
    """Every issue, project, commune and refuted claim named by a story of the window."""
    subjects: dict[str, Subject] = {}

    def add(kind: SubjectKind, key: str, label: str, story: Story) -> None:
        subject = subjects.setdefault(f"{kind}:{key}", Subject(kind, key, label))
        if not subject.stories or subject.stories[-1] is not story:
            subject.stories.append(story)

    for story in stories:
        enrichment = story.document.enrichment
        if enrichment.issue_id:
            add("issue", enrichment.issue_id, enrichment.issue_id, story)
        for project in dict.fromkeys(enrichment.projects):
            add("project", project, enrichment.project_names.get(project, project), story)
        for place in enrichment.places:
            if place.level == "ward" and place.ward_code:
                add("commune", place.ward_code, f"{place.ward}, {place.province}", story)
        if enrichment.misinfo_level in RISKY_MISINFO_LEVELS:
            for match in {match.claim_id: match for match in enrichment.claim_matches}.values():
                add("claim", match.claim_id, match.claim, story)
    return list(subjects.values())


def _weights(stories: list[Story]) -> list[float]:
    return [document_weight(story.document) for story in stories]


def day_and_hour(subject: Subject, windows: Windows, unit_weights: bool = False) -> tuple[RiseTest, RiseTest, list[Story]]:
    """The 24 h vs 14 days and 1 h vs 12 h tests, and the stories of the last 24 h."""
    weigh = (lambda stories: [1.0] * len(stories)) if unit_weights else _weights
    day = [story for story in subject.stories if windows.in_day(story)]
    day_base = [story for story in subject.stories if windows.in_day_baseline(story)]
    hour = [story for story in subject.stories if windows.in_hour(story)]
    hour_base = [story for story in subject.stories if windows.in_hour_baseline(story)]
    min_day = MIN_CLAIM_STORIES if unit_weights else MIN_STORIES_DAY
    day_test = rise_test(weigh(day), weigh(day_base), DAY / HOUR, DAY_BASELINE / HOUR, min_day)
    hour_test = rise_test(weigh(hour), weigh(hour_base), 1.0, HOUR_BASELINE / HOUR, MIN_STORIES_HOUR)
    return day_test, hour_test, day


def window_numbers(day: RiseTest, hour: RiseTest) -> dict[str, float]:
    """The counts and baselines shown with an alert (Alert.window)."""
    return {
        "stories_24h": day.current_stories,
        "weighted_24h": day.current_weighted,
        "baseline_stories_14d": day.baseline_stories,
        "baseline_weighted_14d": day.baseline_weighted,
        "expected_weighted_24h": day.expected_weighted,
        "p_value_24h": day.p_value,
        "stories_1h": hour.current_stories,
        "weighted_1h": hour.current_weighted,
        "baseline_stories_12h": hour.baseline_stories,
        "baseline_weighted_12h": hour.baseline_weighted,
        "expected_weighted_1h": hour.expected_weighted,
        "p_value_1h": hour.p_value,
    }


def _rise_reason(test: RiseTest, current: str, baseline: str) -> str:
    return (
        f"{current}: {test.current_stories} tin/bài (khối lượng có trọng số {number(test.current_weighted)}) "
        f"so với {test.baseline_stories} tin/bài trong {baseline} "
        f"(kỳ vọng {number(test.expected_weighted)}; gấp {number(test.ratio)} lần; p = {test.p_value:.1e})"
    )


def volume_rise(subject: Subject, windows: Windows) -> Candidate | None:
    """A significant rise of weighted attention in the last 24 h or the last hour."""
    if subject.kind == "claim":
        return None  # a claim's spread is judged by misinfo_burst, on plain counts
    day, hour, current = day_and_hour(subject, windows)
    if not (day.significant or hour.significant):
        return None
    reasons = []
    if day.significant:
        reasons.append(_rise_reason(day, "24 giờ qua", "14 ngày trước đó"))
    if hour.significant:
        reasons.append(_rise_reason(hour, "1 giờ qua", "12 giờ trước đó"))
    score = max(test.score for test in (day, hour) if test.significant)
    return Candidate("volume_rise", subject, day.current_weighted, round(score, 2), window_numbers(day, hour), reasons, current)


def collective_action(subject: Subject, windows: Windows) -> Candidate | None:
    """High-sensitivity stories of the last 24 h about a project that describe people acting together."""
    if subject.kind != "project":
        return None
    day, hour, current = day_and_hour(subject, windows)
    signals: list[Story] = []
    phrases: list[str] = []
    for story in current:
        document = story.document
        if document.effective("sensitivity") != "high":
            continue
        found = match_lexicons(f"{document.title or ''}\n{document.text}").get(COLLECTIVE_ACTION_LEXICON)
        if found:
            signals.append(story)
            phrases.extend(found)
    if not signals:
        return None
    examples = ", ".join(dict.fromkeys(phrases))
    reason = (
        f"{len(signals)} tin/bài nhạy cảm cao về dự án có dấu hiệu hành động tập thể ({examples}) "
        "— tín hiệu đầu tiên trong 14 ngày"
    )
    return Candidate("collective_action", subject, float(len(signals)), round(day.score, 2), window_numbers(day, hour), [reason], signals)


def misinfo_burst(subject: Subject, windows: Windows) -> Candidate | None:
    """Several distinct elevated-risk stories repeating one refuted claim in the last 24 h."""
    if subject.kind != "claim":
        return None
    day, hour, current = day_and_hour(subject, windows, unit_weights=True)
    if not day.significant:
        return None
    reason = (
        f"{day.current_stories} tin/bài có rủi ro sai lệch cao lặp lại tuyên bố đã bị bác bỏ "
        f"“{subject.label}” trong 24 giờ (14 ngày trước: {day.baseline_stories}; p = {day.p_value:.1e})"
    )
    return Candidate("misinfo_burst", subject, float(day.current_stories), round(day.score, 2), window_numbers(day, hour), [reason], current)


SIGNALS = (volume_rise, collective_action, misinfo_burst)


def candidates(subjects: list[Subject], windows: Windows) -> list[Candidate]:
    """Every signal that fires for every subject."""
    found: list[Candidate] = []
    for subject in subjects:
        for signal in SIGNALS:
            candidate = signal(subject, windows)
            if candidate is not None:
                found.append(candidate)
    return found

