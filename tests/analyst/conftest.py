"""Documents about communes and projects of Lạng Sơn, written as enrich would label them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from index.records import Document, Engagement, Place
from tests.conftest import make_document

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SURGE_END = datetime(2026, 11, 25, 20, 0, tzinfo=HCM)

TAN_THANH = Place(name="xã Tân Thành", level="ward", province="Lạng Sơn", province_code="20", district="huyện Hữu Lũng",
                  ward="xã Tân Thành", ward_code="06442", lat=21.5013, lon=106.459)
CAI_KINH = Place(name="xã Cai Kinh", level="ward", province="Lạng Sơn", province_code="20", district="huyện Hữu Lũng",
                 ward="xã Cai Kinh", ward_code="06427", lat=21.548979, lon=106.411143)
NA_DUONG = Place(name="xã Na Dương", level="ward", province="Lạng Sơn", province_code="20", district="huyện Lộc Bình",
                 ward="xã Na Dương", ward_code="06100", lat=21.688546, lon=106.965376)
QUARRY = "mo-da:khau-lu"
QUARRY_NAME = "mỏ đá Khau Lù"


def labelled(
    doc_id: str,
    when: datetime,
    *,
    places: tuple[Place, ...] = (),
    projects: tuple[str, ...] = (),
    topic: str = "mining",
    sensitivity: str = "medium",
    text: str = "Người dân phản ánh về bụi và tiếng nổ mìn.",
    dup_cluster: str | None = None,
    likes: int = 0,
    misinfo_level: str = "low",
    source: str = "facebook",
) -> Document:
    document = make_document(doc_id, text, title=text[:60], topic=topic, sensitivity=sensitivity, published_at=when,
                             misinfo_level=misinfo_level, misinfo_risk=0.7 if misinfo_level != "low" else 0.1, source=source)
    document.enrichment.places = list(places)
    document.enrichment.projects = list(projects)
    document.enrichment.project_names = {QUARRY: QUARRY_NAME} if QUARRY in projects else {}
    document.enrichment.dup_cluster = dup_cluster or doc_id
    document.engagement = Engagement(likes=likes)
    return document


def background(end: datetime = SURGE_END, days: int = 16) -> list[Document]:
    """A steady trickle: every day one post on the quarry, one on Cai Kinh's water, one on Na Dương."""
    documents = []
    for day in range(days, 0, -1):
        base = end - timedelta(days=day) + timedelta(hours=2)
        documents.append(labelled(f"bg-quarry-{day}", base, places=(TAN_THANH,), projects=(QUARRY,)))
        documents.append(labelled(f"bg-water-{day}", base + timedelta(hours=3), places=(CAI_KINH,), topic="water", sensitivity="low"))
        documents.append(labelled(f"bg-coal-{day}", base + timedelta(hours=6), places=(NA_DUONG,), topic="air_noise", sensitivity="low"))
    return documents


def surge(end: datetime = SURGE_END, posts: int = 12) -> list[Document]:
    """Many angry posts about the quarry in Tân Thành over the last 10 hours."""
    return [
        labelled(f"surge-{n}", end - timedelta(minutes=50 * n), places=(TAN_THANH,), projects=(QUARRY,), sensitivity="high",
                 text=f"Bà con xã Tân Thành kéo đến chặn xe chở đá của mỏ đá Khau Lù, nổ mìn làm nứt nhà (bài {n}).",
                 likes=40 + n)
        for n in range(posts)
    ]


@pytest.fixture
def surge_end() -> datetime:
    return SURGE_END
