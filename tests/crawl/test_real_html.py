"""Extraction on a real VnExpress page against hand-checked gold paragraphs (token F1 ≥ 0.95).

The page and its gold text live in ../shared/fixtures/real-html (Fundus test data, MIT); they
are read from there, never copied into this repository. The test is skipped without them.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extraction import extract_article
from index.text import nfc


def _fixtures() -> Path:
    """ENVMON_SHARED_DIR, else ../shared beside the checkout, else the workplace's /work/shared."""
    candidates = [Path(os.environ["ENVMON_SHARED_DIR"])] if os.environ.get("ENVMON_SHARED_DIR") else []
    candidates += [Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")]
    for shared in candidates:
        if (shared / "fixtures" / "real-html").is_dir():
            return shared / "fixtures" / "real-html"
    return candidates[0] / "fixtures" / "real-html"


FIXTURES = _fixtures()
PAGE = FIXTURES / "vnexpress_2025_10_22.html.gz"
GOLD = FIXTURES / "vnexpress_2025_10_22.gold.json"
URL = "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"
TARGET_F1 = 0.95

pytestmark = pytest.mark.skipif(not (PAGE.is_file() and GOLD.is_file()), reason="shared real-HTML fixtures absent")


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", nfc(text).lower()))


def token_f1(extracted: str, gold: str) -> tuple[float, float, float]:
    found, wanted = _tokens(extracted), _tokens(gold)
    common = sum((found & wanted).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(found.values()), common / sum(wanted.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _gold() -> tuple[dict, str]:
    data = json.loads(GOLD.read_text(encoding="utf-8"))["V1"]
    body = data["body"]
    paragraphs = body["summary"] + [text for section in body["sections"] for text in section["headline"] + section["paragraphs"]]
    return data, "\n".join(paragraphs)


def test_real_vnexpress_page_text_matches_gold_paragraphs():
    data, gold_text = _gold()
    article = extract_article(gzip.decompress(PAGE.read_bytes()).decode("utf-8"), URL, ZoneInfo("Asia/Ho_Chi_Minh"))
    precision, recall, f1 = token_f1(article.text, gold_text)
    print(f"real VnExpress page: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    assert f1 >= TARGET_F1
    assert article.title == data["title"]
    assert article.published_at.isoformat(sep=" ") == data["publishing_date"]
    assert all(author not in article.text.splitlines()[-1] for author in data["authors"])
