"""Generated inputs for the stage benchmarks: 600-word articles and social-export rows,
recombined deterministically from our own training sentences (no network, no eval text)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.corpus import SEED, load_sentences

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
END = datetime(2026, 11, 28, 12, 0, tzinfo=HCM)


def articles(count: int, words: int = 600, seed: int = SEED) -> list[str]:
    """count texts of about `words` words, each mostly from one topic's sentences."""
    sentences = load_sentences()
    by_topic: dict[str, list[str]] = {}
    for sentence in sentences:
        by_topic.setdefault(sentence.topic, []).append(sentence.text)
    topics = sorted(by_topic)
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        pool = by_topic[rng.choice(topics)]
        parts: list[str] = []
        total = 0
        while total < words:
            sentence = rng.choice(pool) if rng.random() < 0.8 else rng.choice(sentences).text
            parts.append(sentence)
            total += len(sentence.split())
        paragraphs = [" ".join(parts[i : i + 4]) for i in range(0, len(parts), 4)]
        texts.append("\n\n".join(paragraphs))
    return texts


def social_rows(count: int, seed: int = SEED) -> Iterator[dict]:
    """Rows of a social export (the import columns), spread over the last 60 days."""
    sentences = load_sentences()
    rng = random.Random(seed)
    platforms = ("facebook", "zalo", "tiktok", "otofun", "voz")
    for index in range(count):
        body = " ".join(rng.choice(sentences).text for _ in range(rng.randint(1, 4)))
        when = END - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        yield {
            "platform": rng.choice(platforms),
            "post_id": f"bench-{index}",
            "url": f"https://social.example/posts/{index}",
            "author": f"user{rng.randint(1, 3000)}",
            "text": body,
            "published_at": when.isoformat(),
            "likes": rng.randint(0, 500),
            "shares": rng.randint(0, 100),
            "comments": rng.randint(0, 80),
        }


def write_export(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in social_rows(count):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
