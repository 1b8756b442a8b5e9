"""Is attention to a subject rising? Weighted volumes and the test that decides.

Each distinct story (near-duplicates once) weighs `document_weight`: its sensitivity (low 1,
medium 2, high 4) times an engagement factor that grows with the logarithm of likes + shares
+ comments (1 for none, 2 at about 100, capped at 2.5), so one viral outraged post counts
more than one routine notice but never as much as a crowd of posts.

The test is a one-sided quasi-Poisson tail. Under "nothing changed" stories arrive at the
baseline's rate, so the weighted volume expected in the current window is the baseline's
weighted rate times the window length (plus a prior of PRIOR_STORIES plain story per
baseline window, so a subject never seen before needs several stories, not one). A sum of
weights is over-dispersed compared with a count: its variance is the count's times the mean
squared weight. Dividing observed and expected by the dispersion phi = E[w^2] / E[w] (pooled
over both windows) turns them into counts whose Poisson tail is a fair p-value (the usual
quasi-Poisson / Satterthwaite scaling). We chose this over a z-score because the counts
that matter are small (a commune goes from 0-1 posts a day to 8): the normal approximation
is badly wrong there and the Poisson tail is exact for unit weights.

A rise is significant when the p-value is below ALPHA, at least `min_stories` distinct
stories are in the window, and the weighted volume is at least MIN_RATIO times what was
expected. ALPHA is strict because detection runs hourly over many subjects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.special import gammainc

from index.records import Document

SENSITIVITY_WEIGHT = {"low": 1.0, "medium": 2.0, "high": 4.0}
UNKNOWN_SENSITIVITY_WEIGHT = 1.0
ENGAGEMENT_CAP_DECADES = 3.0  # beyond 1000 interactions virality says nothing more about concern
PRIOR_STORIES = 1.0  # one plain story per baseline window: a first post is not yet a surge
ALPHA = 1e-3
MIN_RATIO = 2.0
MAX_SCORE = 50.0  # -log10 p beyond this is "certain"; keeps scores printable and comparable


def document_weight(document: Document) -> float:
    """How much one story adds to a subject's volume: sensitivity x engagement."""
    sensitivity = SENSITIVITY_WEIGHT.get(document.effective("sensitivity") or "", UNKNOWN_SENSITIVITY_WEIGHT)
    decades = min(ENGAGEMENT_CAP_DECADES, math.log10(1 + document.engagement.total))
    return sensitivity * (1.0 + decades / 2.0)


@dataclass(frozen=True)
class RiseTest:
    """One comparison of a current window with its baseline window."""

    current_hours: float
    baseline_hours: float
    current_stories: int
    current_weighted: float
    baseline_stories: int
    baseline_weighted: float
    expected_weighted: float
    dispersion: float
    p_value: float
    significant: bool

    @property
    def ratio(self) -> float:
        return self.current_weighted / self.expected_weighted if self.expected_weighted else math.inf

    @property
    def score(self) -> float:
        """-log10 of the p-value: 3 is "one in a thousand", 10 "one in ten billion"."""
        if self.p_value <= 0:
            return MAX_SCORE
        return min(MAX_SCORE, -math.log10(self.p_value))


def rise_test(
    current: Sequence[float],
    baseline: Sequence[float],
    current_hours: float,
    baseline_hours: float,
    min_stories: int,
    alpha: float = ALPHA,
) -> RiseTest:
    """Compare the weights of the stories in the current window with the baseline's."""
    current_weighted = float(sum(current))
    baseline_weighted = float(sum(baseline))
    expected = (baseline_weighted + PRIOR_STORIES) / baseline_hours * current_hours
    pooled = [*current, *baseline]
    dispersion = (sum(w * w for w in pooled) / sum(pooled)) if pooled else 1.0
    dispersion = max(1.0, dispersion)
    p_value = poisson_tail(current_weighted / dispersion, expected / dispersion)
    significant = (
        len(current) >= min_stories
        and p_value < alpha
        and current_weighted >= MIN_RATIO * expected
    )
    return RiseTest(
        current_hours=current_hours,
        baseline_hours=baseline_hours,
        current_stories=len(current),
        current_weighted=round(current_weighted, 3),
        baseline_stories=len(baseline),
        baseline_weighted=round(baseline_weighted, 3),
        expected_weighted=round(expected, 3),
        dispersion=round(dispersion, 3),
        p_value=p_value,
        significant=significant,
    )


def poisson_tail(observed: float, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected), continuous in observed (regularised gamma)."""
    if observed <= 0:
        return 1.0
    return float(gammainc(observed, expected))
