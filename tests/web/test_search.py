"""Search page and API: accent-free queries, facets, sort, pages, saved searches, exports, audit."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from analyst.models import SAVED_SEARCH_RECORD
from analyst.web.context import WebContext
from analyst.web.saved import SavedSearch
from analyst.web.search_params import SearchParams
from index.backend import SearchResult
from index.query import build_query
from tests.conftest import HCM, make_document
from tests.web.support import page_csrf


def _many(count: int, prefix: str = "bulk") -> list:  # type: ignore[type-arg]
    start = datetime(2026, 11, 1, 8, 0, tzinfo=HCM)
    return [
        make_document(f"{prefix}-{n:03d}", f"Rác thải sinh hoạt ùn ứ ở điểm tập kết số {n}.", title=f"Rác số {n}", topic="waste",
                      published_at=start + timedelta(hours=n))
        for n in range(count)
    ]


def test_accent_free_query_lists_accented_documents_with_facets(client_as) -> None:  # type: ignore[no-untyped-def]
    html = client_as("viewer").get("/search?q=dat+dai").text
    assert "2 tài liệu" in html
    assert "Tranh chấp đất đai ở Hữu Lũng" in html and "<mark>đất</mark> <mark>đai</mark>" in html
    for heading in ("Chủ đề", "Mức nhạy cảm (từ)", "Tỉnh/thành", "Dự án", "Nguồn", "Loại nguồn"):
        assert f"<h2>{heading}</h2>" in html
    assert 'href="/search?q=dat+dai&amp;province=L%E1%BA%A1ng+S%C6%A1n"' in html


def test_facet_links_filter_and_chips_remove_filters(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    html = client.get("/search?q=dat+dai&source=baokhac").text
    assert "1 tài liệu" in html and "(đăng lại)" in html
    chip = re.search(r'<a class="chip" href="([^"]+)"', html)
    assert chip and "source=" not in chip.group(1)


def test_misinfo_level_date_range_and_kind_filters(api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("viewer")
    assert [hit["id"] for hit in api.get("/api/search?misinfo_level=elevated").json()["hits"]] == ["doc-rumour"]
    assert [hit["id"] for hit in api.get("/api/search?kind=forum").json()["hits"]] == ["doc-rumour"]
    dated = api.get("/api/search?from=2026-11-21&to=2026-11-21").json()
    assert [hit["id"] for hit in dated["hits"]] == ["doc-rumour"]
    assert api.get("/api/search?from=21/11/2026").status_code == 400


def test_sort_by_sensitivity_puts_high_first(api_as) -> None:  # type: ignore[no-untyped-def]
    hits = api_as("viewer").get("/api/search?sort=sensitivity&limit=5").json()["hits"]
    assert [hit["enrichment"]["sensitivity"] for hit in hits][:2] == ["high", "high"]


def test_invalid_query_is_one_sentence_not_a_crash(client_as, api_as) -> None:  # type: ignore[no-untyped-def]
    page = client_as("viewer").get('/search?q="unclosed')
    assert page.status_code == 400 and "unclosed quote" in page.text
    assert "unclosed quote" in api_as("viewer").get('/api/search?q="unclosed').json()["detail"]
    bad_page = client_as("viewer").get("/search?q=rac&page=two")
    assert bad_page.status_code == 422 and "<!doctype html>" in bad_page.text and "page" in bad_page.text


def test_api_search_has_the_shape_of_the_cli_json(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    body = api_as("viewer").get("/api/search?q=o+nhiem&limit=5").json()
    cli = context.backend.search(build_query("o nhiem", limit=5)).as_json()
    assert set(body) == set(cli) == {"total", "hits", "facets"}
    assert body["total"] == cli["total"] and body["facets"] == cli["facets"]
    assert [set(hit) for hit in body["hits"]] == [set(hit) for hit in cli["hits"]]
    assert all(hit["author_pseudonym"] is None for hit in body["hits"])
    SearchResult.model_validate({"total": body["total"], "hits": [], "facets": body["facets"]})


def test_pagination_walks_the_whole_result(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    context.backend.upsert(_many(45))
    client = client_as("viewer")
    first = client.get("/search?q=rac+thai&sort=date").text
    assert "Trang 1/3" in first and 'href="/search?q=rac+thai&amp;sort=date&amp;page=2"' in first
    last = client.get("/search?q=rac+thai&sort=date&page=3").text
    assert last.count('class="hit"') == 45 - 40


def test_saved_search_shows_what_is_new_since_last_seen(client_as, context: WebContext, app) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    response = client.post("/saved", data={"csrf_token": page_csrf(client), "name": "Mỏ đá", "q": "mo da"}, follow_redirects=False)
    saved_url = response.headers["location"]
    assert "Không có gì mới" in client.get(saved_url).text

    fresh = make_document("doc-new-mine", "Mỏ đá nổ mìn làm nứt nhà dân.", title="Nổ mìn mỏ đá", topic="mining")
    fresh.fetched_at = datetime.now(UTC)
    context.backend.upsert([fresh])
    html = client.get(saved_url).text
    assert "1 tài liệu mới" in html
    assert re.search(r'<span class="badge new">Mới</span>\s*<a href="/documents/doc-new-mine">', html)
    assert "+1" in client.get("/saved").text

    client.post(saved_url + "/seen", data={"csrf_token": page_csrf(client)})
    assert "Không có gì mới" in client.get(saved_url).text


def test_saved_search_api_reports_new_ids(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    api = api_as("viewer")
    saved = api.post("/api/saved-searches", json={"name": "rác", "params": {"q": "rac thai", "topic": ["waste"]}}).json()
    fresh = make_document("doc-new-waste", "Rác thải tràn ra đường.", topic="waste")
    fresh.fetched_at = datetime.now(UTC)
    context.backend.upsert([fresh])
    run = api.get(f"/api/saved-searches/{saved['id']}").json()
    assert run["new_since_last_seen"] == 1 and run["new_ids"] == ["doc-new-waste"]
    assert run["result"]["total"] == saved["last_total"] + 1
    api.post(f"/api/saved-searches/{saved['id']}/seen")
    assert api.get(f"/api/saved-searches/{saved['id']}").json()["new_since_last_seen"] == 0
    assert api.delete(f"/api/saved-searches/{saved['id']}").status_code == 204
    assert api.get("/api/saved-searches").json() == []


def test_own_saved_searches_stay_listed_when_colleagues_saved_many_more(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    viewer = api_as("viewer")
    mine = viewer.post("/api/saved-searches", json={"name": "rác", "params": {"q": "rac thai"}}).json()
    for number in range(1001):  # a colleague's, as the API stores them
        saved = SavedSearch(id=f"colleague-{number}", owner="analyst", name=f"tìm {number}", params=SearchParams(q="rac"),
                            created_at=datetime.now(UTC), last_seen_at=datetime.now(UTC))
        context.backend.put_record(SAVED_SEARCH_RECORD, saved.id, saved.model_dump(mode="json"))
    assert [saved["id"] for saved in viewer.get("/api/saved-searches").json()] == [mine["id"]]


def test_csv_export_streams_every_match_beyond_one_page(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    context.backend.upsert(_many(1234))
    response = api_as("analyst").get("/api/export?q=rac+thai&topic=waste&format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 1234
    assert {row["topic"] for row in rows} == {"waste"}
    assert rows[0]["published_at"].endswith("+07:00")


def test_json_export_is_one_valid_array_of_every_match(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    context.backend.upsert(_many(530))
    response = client_as("analyst").get("/export?q=rac+thai&format=json")
    documents = json.loads(response.text)
    assert len(documents) == 530 and len({doc["id"] for doc in documents}) == 530
    assert all(doc["author_pseudonym"] is None for doc in documents)


def test_searches_and_exports_are_audited_with_user_and_time(client_as, api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    before = datetime.now(UTC) - timedelta(seconds=1)
    client_as("viewer").get("/search?q=dat+dai&province=L%E1%BA%A1ng+S%C6%A1n")
    api_as("analyst").get("/api/search?q=o+nhiem")
    api_as("analyst").get("/api/export?q=o+nhiem&format=csv")
    searches = context.audit.entries(action="search")
    viewer = next(entry for entry in searches if entry.user == "viewer")
    assert viewer.detail["q"] == "dat dai" and viewer.detail["filters"] == {"province": ["Lạng Sơn"]} and viewer.detail["total"] == 2
    assert viewer.at >= before and viewer.client
    assert any(entry.user == "analyst" and entry.detail["via"] == "api" for entry in searches)
    export = context.audit.entries(action="export")[0]
    assert export.user == "analyst" and export.detail["format"] == "csv" and export.detail["q"] == "o nhiem" and export.at >= before


def test_an_untitled_post_without_spaces_gets_a_short_headline(context: WebContext, client_as) -> None:  # type: ignore[no-untyped-def]
    spam = "ônhiễm" * 2000  # an untitled post of one 12,000-character "word"
    context.backend.upsert([make_document("doc-spam", spam, topic="waste")])
    context.backend.refresh()
    html = client_as("viewer").get("/documents/doc-spam").text
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert heading is not None and len(heading.group(1)) < 200
