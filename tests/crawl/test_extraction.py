"""Extraction on the loopback outlet's pages: clean text, right dates, hostile markup survived."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.charset import choose_encoding, decode_html
from crawlers.extraction import ExtractionError, extract_article
from tests.crawl.newssite import BOILERPLATE, article, render_article, to_cp1258

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://baomoitruongxanh.example"


def _extract(article_id: str):  # type: ignore[no-untyped-def]
    entry = article(article_id)
    return entry, extract_article(render_article(entry, BASE), BASE + entry.path, HCM)


def test_article_text_keeps_lead_paragraphs_and_caption_but_no_boilerplate():
    entry, found = _extract("a1001")
    assert found.title == entry.title
    assert found.text.splitlines()[0] == entry.sapo
    for paragraph in entry.paragraphs:
        assert paragraph in found.text
    assert entry.caption in found.text
    for phrase in BOILERPLATE:
        assert phrase not in found.text, phrase
    assert entry.author not in found.text  # the trailing byline is not body text


def test_jsonld_date_with_zone_is_kept_exactly():
    entry, found = _extract("a1001")
    assert found.published_at == datetime.fromisoformat(entry.expected)


def test_jsonld_date_without_zone_is_read_as_ho_chi_minh_time():
    entry, found = _extract("a1003")
    assert found.published_at == datetime.fromisoformat(entry.expected)
    assert found.published_at.utcoffset().total_seconds() == 7 * 3600


def test_opengraph_published_time_is_used_without_jsonld():
    entry, found = _extract("a1004")
    assert found.published_at == datetime.fromisoformat(entry.expected)


def test_time_element_gives_the_time_of_day_trafilatura_leaves_out():
    entry, found = _extract("a1007")
    assert found.published_at == datetime.fromisoformat(entry.expected)


def test_windows_1258_page_decodes_to_nfc_vietnamese():
    entry = article("a1005")
    body = to_cp1258(render_article(entry, BASE))
    assert choose_encoding(body, "text/html") == "cp1258"
    text, _ = decode_html(body, "text/html")
    found = extract_article(text, BASE + entry.path, HCM)
    assert unicodedata.is_normalized("NFC", found.text)
    assert found.title == entry.title
    assert entry.paragraphs[0] in found.text


def test_page_lying_about_its_charset_is_still_decoded_right():
    entry = article("a1005")
    body = to_cp1258(render_article(entry, BASE).replace('charset="windows-1258"', 'charset="utf-8"'))
    text, codec = decode_html(body, "text/html; charset=utf-8")
    assert codec == "cp1258"
    assert "\ufffd" not in text
    found = extract_article(text, BASE + entry.path, HCM)
    assert entry.paragraphs[1] in found.text


def test_scripts_styles_and_deep_nesting_do_not_reach_the_text():
    entry, found = _extract("a1010")
    for paragraph in entry.paragraphs:
        assert paragraph in found.text
    assert "Bình luận giả" not in found.text
    assert "line-height" not in found.text
    assert "Khung nhúng" not in found.text


def test_broken_html_still_gives_the_article():
    entry, found = _extract("a1011")
    assert found.title == entry.title
    for paragraph in entry.paragraphs:
        assert paragraph.replace("&", "&") in found.text


def test_a_deeply_nested_json_ld_block_is_skipped_and_the_article_kept():
    entry = article("a1001")
    html = render_article(entry, BASE).replace("</head>", '<script type="application/ld+json">' + "[" * 100_000 + "</script></head>", 1)
    found = extract_article(html, BASE + entry.path, HCM)
    assert found.title == entry.title and entry.paragraphs[0] in found.text


@pytest.mark.parametrize("html", ["", "   ", "<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>", "\x00\x01garbage"])
def test_page_without_article_text_raises_a_clear_error(html):
    with pytest.raises(ExtractionError):
        extract_article(html, BASE + "/x.html", HCM)
