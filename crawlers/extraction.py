"""Article extraction: trafilatura for title, main text and date; JSON-LD/OpenGraph as fallback
and cross-check; Vietnamese news conventions (sapo lead, trailing byline) handled explicitly.

The page is parsed once with lxml; metadata is read from that tree, then the same tree goes to
trafilatura (one extraction per page: it is the expensive step). Text comes out NFC.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document

from crawlers.metadata import PageMetadata, read_metadata
from index.dates import DateParseError, parse_datetime
from index.text import fold, nfc

log = logging.getLogger(__name__)

# Dates a day or more apart mean one source is wrong; the page's own structured date wins.
DATE_DISAGREEMENT_S = 24 * 3600
MIN_SAPO_CHARS = 40
MIN_ARTICLE_CHARS = 80  # less is a failed extraction (a cookie notice, a menu, an empty shell)
MAX_BYLINE_WORDS = 6
# trafilatura reads time and zone too when asked for them (the default is the day only).
DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
# The lead paragraph ("sapo") of Vietnamese news pages, which trafilatura tends to drop.
SAPO_XPATH = (
    "//body//*[self::p or self::h2 or self::div or self::span]"
    "[contains(@class, 'sapo') or contains(concat(' ', normalize-space(@class), ' '), ' description ')"
    " or contains(@class, 'lead') or contains(@class, 'summary') or contains(@class, 'excerpt')]"
)
# Boilerplate blocks trafilatura sometimes keeps on Vietnamese news pages: related-news boxes,
# tag lists, share bars, reader comments and bylines. Classes only: article bodies never use them.
PRUNE_XPATH = [
    "//*[contains(@class, 'related') or contains(@class, 'relate-') or contains(@class, 'tinlienquan')"
    " or contains(@class, 'tin-lien-quan') or contains(@class, 'box-tin') or contains(@class, 'most-read')]",
    "//*[contains(@class, 'comment') or contains(@id, 'comment') or contains(@class, 'binh-luan')]",
    "//*[contains(@class, 'share') or contains(@class, 'social') or contains(@class, 'tags') or contains(@class, 'tag-list')]",
    "//*[contains(@class, 'author') or contains(@class, 'byline')][string-length(normalize-space()) < 80]",
]
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")
_BYLINE_PUNCTUATION = re.compile(r"[.!?…:;,\"“”()\[\]0-9]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)


class ExtractionError(ValueError):
    """The page could not be parsed into an article; the message says why."""


@dataclass
class ExtractedArticle:
    """What extraction found on a page; text is NFC, without boilerplate."""
    title: str | None
    text: str
    published_at: datetime | None
    modified_at: datetime | None
    lang: str | None
    canonical_url: str | None


def parse_html(html: str) -> lxml_html.HtmlElement:
    """Parse (possibly broken) HTML into a tree; raises ExtractionError when nothing is left."""
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        raise ExtractionError("empty page")
    try:
        return lxml_html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML ({exc})") from None


def extract_article(html: str, url: str, tz: tzinfo) -> ExtractedArticle:
    """Title, clean main text and dates of a news page; raises ExtractionError without text."""
    tree = parse_html(html)
    meta = read_metadata(tree)
    sapo = _sapo(tree, meta.description)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=True,  # keeps figure captions, which carry facts ("Ảnh: …"); image lines are dropped below
        include_tables=True,
        deduplicate=False,
        date_extraction_params=DATE_PARAMS,
        prune_xpath=PRUNE_XPATH,
    )
    found: dict[str, Any] = {}
    if isinstance(document, Document):  # as_dict=False: trafilatura's Document object
        found = document.as_dict()
    title = _title(found.get("title"), meta)
    text = _clean_text(found.get("text") or "", title, sapo, [*meta.authors, found.get("author") or ""])
    if not text and meta.article_body:
        text = nfc(meta.article_body).strip()
    if len(text) < MIN_ARTICLE_CHARS:
        raise ExtractionError(f"no article text found ({len(text)} characters)")
    return ExtractedArticle(
        title=title,
        text=text,
        published_at=_published(found.get("date"), meta, tz, url),
        modified_at=_date(meta.modified, tz),
        lang=_lang(found.get("language") or meta.lang),
        canonical_url=meta.canonical_url,
    )


def _clean_text(text: str, title: str | None, sapo: str | None, authors: list[str]) -> str:
    """Drop image lines, table-cell bars, a repeated headline and a trailing byline; restore the sapo."""
    lines = [line.strip().strip("|").strip() for line in nfc(text).splitlines()]
    lines = [line for line in lines if line and not _IMAGE_LINE.match(line)]
    if lines and title and fold(lines[0]) == fold(title):
        lines.pop(0)
    if lines and _looks_like_byline(lines[-1], authors):
        lines.pop()
    if sapo and fold(sapo)[:120] not in fold(" ".join(lines[:3])):
        lines.insert(0, sapo)
    return "\n".join(lines)


def _sapo(tree: lxml_html.HtmlElement, description: str | None) -> str | None:
    """The on-page lead paragraph, confirmed by the page's declared description."""
    if not description:
        return None
    # Both come from the same page in the same normalisation: lower-casing is enough to compare.
    wanted = description.lower()
    for element in tree.xpath(SAPO_XPATH)[:20]:
        candidate = " ".join(element.text_content().split())
        if len(candidate) >= MIN_SAPO_CHARS and (wanted[:60] in candidate.lower() or candidate.lower()[:60] in wanted):
            return nfc(candidate)
    return None


def _looks_like_byline(line: str, authors: list[str]) -> bool:
    """A trailing author line: 'Lê Phương', 'NHÓM PV', 'Minh Hoàng - Thu Hà'."""
    if any(author and fold(author) == fold(line) for author in authors):
        return True
    words = line.split()
    if not 1 <= len(words) <= MAX_BYLINE_WORDS or _BYLINE_PUNCTUATION.search(line):
        return False
    return all(word[0].isupper() or word in ("-", "–", "và") for word in words)


def _title(found: str | None, meta: PageMetadata) -> str | None:
    """trafilatura's title, unless the page's headline is a cleaner version of it (no site suffix)."""
    declared = meta.title
    if declared and (not found or fold(declared) in fold(found)):
        return nfc(declared)
    return nfc(found) if found else (nfc(declared) if declared else None)


def _published(found: str | None, meta: PageMetadata, tz: tzinfo, url: str) -> datetime | None:
    """The page's structured publication time, cross-checked against trafilatura's date.

    Without structured metadata, trafilatura's date stands; when it has no time of day, a
    <time datetime> on the same day supplies it."""
    declared = _date(meta.published, tz)
    extracted = _date(found, tz)
    timed = _date(meta.time_element, tz)
    if not declared and extracted and timed and timed.date() == extracted.date() and extracted.time() == time(0, 0):
        extracted = timed
    if declared and extracted and abs((declared - extracted).total_seconds()) >= DATE_DISAGREEMENT_S:
        log.info("date mismatch on %s: page declares %s, text suggests %s; keeping the declared one", url, declared, extracted)
    return declared or extracted


def _date(value: str | None, tz: tzinfo) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(value, tz)
    except DateParseError:
        return None


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() else None
