"""Deterministic Vietnamese benchmark documents, recombined from our own training texts.

Sentences come from nlp/data/train/*.jsonl (field ``text``; rows that do not parse are
skipped because those files may be growing while we read them). Each document takes most
of its sentences from one topic's texts and the labels of its first text, so facets and
filters see realistic skews; places, projects, sources and dates (spread over 18 months)
are drawn from fixed lists with a fixed seed. The same files and seed give the same corpus.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from index.records import Document, Enrichment, Place, RawItem, Reliability, SourceKind

SEED = 20261128
TRAIN_DIR = Path(__file__).resolve().parent.parent / "nlp" / "data" / "train"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
END = datetime(2026, 11, 28, 12, 0, tzinfo=HCM)
SPAN_DAYS = 548  # about 18 months, so retention and monthly indices have something to do

PROVINCES = (  # the 34 provincial units after the 2025 merger, busiest first (a skewed draw)
    "Hà Nội", "TP Hồ Chí Minh", "Đồng Nai", "Quảng Ninh", "Hải Phòng", "Bắc Ninh", "Lạng Sơn", "Thanh Hóa",
    "Nghệ An", "Đà Nẵng", "Khánh Hòa", "Lâm Đồng", "An Giang", "Cần Thơ", "Thái Nguyên", "Phú Thọ",
    "Hưng Yên", "Ninh Bình", "Hà Tĩnh", "Quảng Trị", "Huế", "Quảng Ngãi", "Gia Lai", "Đắk Lắk",
    "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "Lào Cai", "Tuyên Quang", "Cao Bằng", "Điện Biên",
    "Lai Châu", "Sơn La",
)
NEWS_SOURCES = (
    ("vnexpress", SourceKind.RSS, Reliability.MAINSTREAM), ("tuoitre", SourceKind.RSS, Reliability.MAINSTREAM),
    ("thanhnien", SourceKind.RSS, Reliability.MAINSTREAM), ("dantri", SourceKind.RSS, Reliability.MAINSTREAM),
    ("vietnamnet", SourceKind.SITEMAP, Reliability.MAINSTREAM), ("laodong", SourceKind.RSS, Reliability.MAINSTREAM),
    ("baotainguyenmoitruong", SourceKind.SITEMAP, Reliability.MAINSTREAM),
    ("baolangson", SourceKind.LISTING, Reliability.LOCAL), ("baobacninh", SourceKind.LISTING, Reliability.LOCAL),
    ("baoquangninh", SourceKind.LISTING, Reliability.LOCAL), ("baodongnai", SourceKind.LISTING, Reliability.LOCAL),
    ("monre", SourceKind.SITEMAP, Reliability.OFFICIAL), ("ubnd-tinh", SourceKind.LISTING, Reliability.OFFICIAL),
)
SOCIAL_SOURCES = (
    ("facebook", SourceKind.IMPORT, Reliability.SOCIAL), ("youtube", SourceKind.IMPORT, Reliability.SOCIAL),
    ("otofun", SourceKind.FORUM, Reliability.SOCIAL), ("webtretho", SourceKind.FORUM, Reliability.SOCIAL),
)
PROJECT_KINDS = ("nha-may-xi-mang", "bai-rac", "mo-cat", "khu-cong-nghiep", "thuy-dien", "mo-da", "nha-may-giay", "cang-bien")
PROJECT_PLACES = ("huu-lung", "dong-tan", "cai-kinh", "yen-phong", "cam-pha", "long-thanh", "tan-uyen")
PROJECTS = tuple(f"{kind}-{place}" for kind in PROJECT_KINDS for place in PROJECT_PLACES)
# Frequent two- and three-syllable words, joined with "_" as the word segmenter does.
COMPOUNDS = (
    "ô nhiễm", "môi trường", "người dân", "đất đai", "nước thải", "rác thải", "khu công nghiệp", "chính quyền",
    "nhà máy", "xả thải", "khai thác", "bãi rác", "sạt lở", "lũ quét", "cơ quan", "chức năng", "kiểm tra",
    "xử lý", "dự án", "thu hồi", "bồi thường", "sức khỏe", "không khí", "tiếng ồn", "khói bụi", "nguồn nước",
    "sông ngòi", "rừng phòng hộ", "đa dạng sinh học", "biến đổi khí hậu", "ủy ban nhân dân", "doanh nghiệp",
    "phản ánh", "bức xúc", "vi phạm", "xử phạt", "thẩm định", "đánh giá tác động", "hộ dân", "cá chết",
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_COMPOUND = re.compile(r"\b(" + "|".join(sorted(COMPOUNDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    topic: str
    sensitivity: str
    misinfo: bool
    social: bool


def load_sentences(train_dir: Path = TRAIN_DIR) -> list[Sentence]:
    """Every sentence of at least four words in the training texts, deduplicated, in file order."""
    sentences: dict[str, Sentence] = {}
    for path in sorted(train_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
                text, topic = str(row["text"]), str(row["topic"])
            except (ValueError, KeyError, TypeError):
                continue  # a line being written right now, or not a training row
            social = row.get("register") in ("social", "forum")
            for part in _SENTENCE_END.split(unicodedata.normalize("NFC", text)):
                part = " ".join(part.split())
                if len(part.split()) >= 4 and part not in sentences:
                    sentences[part] = Sentence(
                        part, topic, str(row.get("sensitivity", "low")), bool(row.get("misinfo")), social
                    )
    if not sentences:
        raise SystemExit(f"No training texts found under {train_dir}; the benchmarks recombine them into documents.")
    return list(sentences.values())


def segmented(text: str) -> str:
    """A cheap stand-in for the word segmenter: frequent compounds joined with '_'."""
    return _COMPOUND.sub(lambda match: match.group(0).replace(" ", "_"), text)


def generate(count: int, seed: int = SEED, sentences: list[Sentence] | None = None) -> Iterator[Document]:
    """count Documents, the same ones for the same seed and training files."""
    pool = sentences if sentences is not None else load_sentences()
    rng = random.Random(seed)
    by_topic: dict[str, list[Sentence]] = {}
    for sentence in pool:
        by_topic.setdefault(sentence.topic, []).append(sentence)
    topics = sorted(by_topic)
    weights = [len(by_topic[topic]) for topic in topics]
    province_weights = [1.0 / (rank + 2) for rank in range(len(PROVINCES))]
    for number in range(count):
        yield _document(number, seed, rng, by_topic, topics, weights, pool, province_weights)


def _document(
    number: int,
    seed: int,
    rng: random.Random,
    by_topic: dict[str, list[Sentence]],
    topics: list[str],
    weights: list[int],
    pool: list[Sentence],
    province_weights: list[float],
) -> Document:
    topic = rng.choices(topics, weights)[0]
    lead = rng.choice(by_topic[topic])
    length = rng.randint(1, 4) if lead.social else rng.randint(5, 16)
    body = [lead] + [rng.choice(by_topic[topic]) if rng.random() < 0.7 else rng.choice(pool) for _ in range(length - 1)]
    text = " ".join(sentence.text for sentence in body)
    name, kind, reliability = rng.choice(SOCIAL_SOURCES if lead.social else NEWS_SOURCES)
    title = None if lead.social else " ".join(lead.text.rstrip(".!?…").split()[:14])
    published = END - timedelta(seconds=rng.randrange(SPAN_DAYS * 86_400))
    provinces = sorted(set(rng.choices(PROVINCES, province_weights, k=rng.choice((0, 1, 1, 1, 2)))))
    projects = [rng.choice(PROJECTS)] if rng.random() < 0.15 else []
    risk = rng.uniform(0.5, 0.95) if lead.misinfo else rng.uniform(0.02, 0.4)
    score_range = {"low": (0.05, 0.35), "medium": (0.35, 0.7), "high": (0.7, 0.99)}.get(lead.sensitivity, (0.05, 0.35))
    doc_id = hashlib.sha1(f"bench:{seed}:{number}".encode()).hexdigest()
    item = RawItem(
        id=doc_id,
        url=f"https://{name}.example.vn/{doc_id[:12]}",
        canonical_url=f"https://{name}.example.vn/{doc_id[:12]}",
        source=name,
        source_kind=kind,
        reliability=reliability,
        fetched_at=published + timedelta(minutes=rng.randint(5, 600)),
        published_at=published,
        title=title,
        text=text,
        author_pseudonym=f"p-{rng.randrange(5000):04d}" if lead.social else None,
    )
    enrichment = Enrichment(
        tokens=segmented(text),
        sentences=len(body),
        topic=topic,
        topic_scores={topic: round(rng.uniform(0.5, 0.99), 3)},
        sensitivity=lead.sensitivity,
        sensitivity_score=round(rng.uniform(*score_range), 3),
        misinfo_risk=round(risk, 3),
        misinfo_level="low" if risk < 0.4 else "elevated" if risk < 0.7 else "high",
        places=[Place(name=province, level="province", province=province) for province in provinces],
        projects=projects,
        issue_id=f"issue-{projects[0]}" if projects else None,
        model_version="bench",
        enriched_at=item.fetched_at + timedelta(minutes=1),
    )
    return Document(**item.model_dump(), enrichment=enrichment)


def chunks(count: int, size: int, seed: int = SEED) -> Iterator[list[Document]]:
    """generate(count) in lists of at most size documents (keeps memory flat)."""
    batch: list[Document] = []
    for document in generate(count, seed):
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
