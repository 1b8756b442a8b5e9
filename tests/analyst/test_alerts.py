"""Early warning: a significant, weighted rise alerts once per escalation; a steady background never."""

from __future__ import annotations

from datetime import timedelta

from analyst.alerts.detect import detect_alerts
from analyst.alerts.stats import document_weight, poisson_tail, rise_test
from analyst.alerts.store import list_alerts
from analyst.issues import update_issues
from index.backends import open_backend
from tests.analyst.conftest import HCM, QUARRY, SURGE_END, TAN_THANH, background, labelled, surge


def _detect(settings, documents, now=SURGE_END):  # type: ignore[no-untyped-def]
    backend = open_backend(settings)
    backend.upsert(documents)
    update_issues(backend, HCM)
    detection = detect_alerts(backend, now, HCM)
    return backend, detection


def test_a_steady_background_raises_no_alert(settings) -> None:  # type: ignore[no-untyped-def]
    backend, detection = _detect(settings, background())
    assert detection.alerts == []
    backend.close()


def test_a_surge_about_one_project_alerts_once_naming_project_and_commune(settings) -> None:  # type: ignore[no-untyped-def]
    backend, detection = _detect(settings, background() + surge())
    (alert,) = detection.alerts
    assert alert.subject == "project" and alert.subject_key == QUARRY
    assert alert.projects[0] == QUARRY
    assert alert.places[0].ward_code == TAN_THANH.ward_code
    assert {"volume_rise", "collective_action"} <= set(alert.signals)
    assert f"commune:{TAN_THANH.ward_code}" in alert.subjects
    assert alert.window["stories_24h"] >= 12 and alert.window["baseline_stories_14d"] == 14
    assert any("24 giờ qua" in reason for reason in alert.reasons)
    assert len(alert.top_documents) == 5
    assert alert.issue_id is not None

    again = detect_alerts(backend, SURGE_END + timedelta(minutes=30), HCM)
    assert again.alerts == [] and again.held > 0
    assert len(list_alerts(backend)) == 1
    backend.close()


def test_an_escalation_that_rises_further_alerts_again(settings) -> None:  # type: ignore[no-untyped-def]
    backend, first = _detect(settings, background() + surge())
    assert len(first.alerts) == 1
    later = SURGE_END + timedelta(hours=3)
    more = [labelled(f"more-{n}", later - timedelta(minutes=10 * n), places=(TAN_THANH,), projects=(QUARRY,),
                     sensitivity="high", likes=200) for n in range(12)]
    backend.upsert(more)
    second = detect_alerts(backend, later, HCM)
    assert [alert.subject_key for alert in second.alerts] == [QUARRY]
    assert second.alerts[0].escalation >= 1.5 * first.alerts[0].escalation
    backend.close()


def test_replaying_an_earlier_moment_ignores_later_alerts(settings) -> None:  # type: ignore[no-untyped-def]
    backend, _ = _detect(settings, background() + surge())
    before_surge = detect_alerts(backend, SURGE_END - timedelta(days=2), HCM)
    assert before_surge.alerts == []
    backend.close()


def test_a_burst_of_posts_repeating_a_refuted_claim_alerts(settings) -> None:  # type: ignore[no-untyped-def]
    from index.records import ClaimMatch

    posts = []
    for n in range(4):
        document = labelled(f"rumour-{n}", SURGE_END - timedelta(hours=n), topic="water", sensitivity="medium",
                            misinfo_level="elevated", text=f"Nghe nói nước giếng nhiễm phóng xạ, đừng uống (chia sẻ {n}).")
        document.enrichment.claim_matches = [ClaimMatch(claim_id="claim-005", claim="Nước giếng chuyển màu vàng là do nhà máy thải chất phóng xạ.",
                                                        similarity=0.7, status="confirm")]
        posts.append(document)
    backend, detection = _detect(settings, background() + posts)
    (alert,) = detection.alerts
    assert alert.kind == "misinfo_burst" and alert.subject == "claim" and alert.subject_key == "claim-005"
    backend.close()


def test_sensitivity_and_engagement_weigh_a_story() -> None:
    plain = labelled("plain", SURGE_END, sensitivity="low")
    viral = labelled("viral", SURGE_END, sensitivity="high", likes=999)
    assert document_weight(plain) == 1.0
    assert document_weight(viral) == 4.0 * 2.5


def test_the_rise_test_needs_a_minimum_count_and_a_small_p_value() -> None:
    quiet = rise_test([1.0] * 2, [1.0] * 14, 24, 336, min_stories=5)
    assert not quiet.significant
    loud = rise_test([1.0] * 10, [1.0] * 14, 24, 336, min_stories=5)
    assert loud.significant and loud.p_value < 1e-6
    assert poisson_tail(0, 3.0) == 1.0
