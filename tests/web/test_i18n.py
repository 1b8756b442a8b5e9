"""Vietnamese by default, English on request; times shown in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from analyst.web.i18n import LANGUAGES, catalogue
from index.records import SENSITIVITY_LEVELS, TOPICS


def test_both_catalogues_have_the_same_messages_and_every_label() -> None:
    vietnamese, english = catalogue("vi"), catalogue("en")
    assert set(vietnamese) == set(english)
    for topic in TOPICS:
        assert f"topic.{topic}" in vietnamese
    for level in SENSITIVITY_LEVELS:
        assert f"sensitivity.{level}" in vietnamese
    assert LANGUAGES[0] == "vi"


def test_pages_are_vietnamese_until_english_is_chosen(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    assert '<html lang="vi">' in client.get("/flagged").text and "Cần xem xét" in client.get("/flagged").text
    switched = client.get("/lang/en?next=/flagged", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/flagged"
    page = client.get("/flagged").text
    assert '<html lang="en">' in page and "<h1>Flagged</h1>" in page
    assert client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"] == "/search"


def test_times_are_shown_in_ho_chi_minh_time(client_as) -> None:  # type: ignore[no-untyped-def]
    html = client_as("viewer").get("/documents/doc-land").text
    assert "20/11/2026 09:00" in html  # published 09:00+07:00 (02:00 UTC)
