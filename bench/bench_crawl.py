"""Crawl throughput against trafilatura alone, on a generated 2,000-page loopback news site.

    .venv/bin/python -m bench.bench_crawl [--pages 2000] [--runs 2]

Pages are Vietnamese articles recombined from sentences of our training texts
(bench.corpus) inside a realistic news layout (mega-menu, related links, reader comments,
JSON-LD, scripts, footer), listed in one sitemap. The real sitemap spider crawls, extracts,
deduplicates and spools them with the shipped settings except politeness (AutoThrottle off,
no delay, 16 requests in flight: it is our own loopback site). The reference is trafilatura
alone on the same pages with the same options, in this process. The crawl extracts in
EXTRACTION_PROCESSES worker processes (1 by default), so on two or more cores downloading
and extraction overlap. Both figures are the best of `--runs` interleaved runs, because
machines shared with other work make any single run noisy.
Prints ONE JSON line: {"name", "value" (pages/s), "unit", "reference", "ratio", "target"}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from html import escape
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from bench.common import emit
from bench.corpus import load_sentences
from crawlers.extraction import DATE_PARAMS, PRUNE_XPATH
from crawlers.loopback import LoopbackSite, Page
from crawlers.runner import run_crawl
from index.settings import load_settings

TARGET_RATIO = 0.7
SECTIONS = ["Thời sự", "Môi trường", "Đất đai", "Pháp luật", "Sức khỏe", "Giáo dục", "Kinh doanh", "Bạn đọc", "Video", "Ảnh"]


def sentences() -> list[str]:
    """News-register sentences of our training texts (bench.corpus), 40–400 characters."""
    return [sentence.text for sentence in load_sentences() if not sentence.social and 40 <= len(sentence.text) <= 400]


def page_html(number: int, rng: random.Random, pool: list[str], base: str) -> str:
    """One article page with the weight and clutter of a real Vietnamese news page."""
    paragraphs = ["<p class=\"Normal\">" + escape(" ".join(rng.sample(pool, 3))) + "</p>" for _ in range(rng.randint(6, 10))]
    title = escape(rng.choice(pool)[:110])
    sapo = escape(rng.choice(pool))
    day = 1 + number % 28
    menu = "".join(
        f'<li><a href="/{i}/">{section}</a><ul>' + "".join(f'<li><a href="/{i}/{j}/">{section} {j}</a></li>' for j in range(12)) + "</ul></li>"
        for i, section in enumerate(SECTIONS)
    )
    related = "".join(f'<li><a href="/tin/{rng.randint(1, 99999)}.html">{escape(rng.choice(pool)[:90])}</a></li>' for _ in range(15))
    comments = "".join(f'<div class="comment-item"><b>Bạn đọc {k}</b><p>{escape(rng.choice(pool))}</p></div>' for k in range(8))
    config = json.dumps({"ads": [{"slot": f"banner-{k}", "sizes": [[300, 250], [728, 90]], "targeting": {"section": "moi-truong"}} for k in range(120)]})
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": rng.choice(pool)[:110], "datePublished": f"2026-10-{day:02d}T08:{number % 60:02d}:00+07:00", "description": rng.choice(pool)}, ensure_ascii=False)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title} - Báo Thử Nghiệm</title>'
        f'<meta property="og:title" content="{title}"><meta name="description" content="{sapo}">'
        f'<script type="application/ld+json">{jsonld}</script><script>window.__CONFIG__ = {config};</script>'
        f"<style>{'.c{color:#333;margin:0 auto}' * 200}</style></head><body>"
        f'<header><nav class="main-menu"><ul>{menu}</ul></nav></header>'
        f'<main><article class="article-detail"><h1>{title}</h1><p class="date">{day}/10/2026</p>'
        f'<h2 class="sapo">{sapo}</h2><div class="content-detail">{"".join(paragraphs)}</div>'
        f'<p class="author-name"><strong>Phóng viên {number % 40}</strong></p></article>'
        f'<div class="box-tinlienquan"><h3>Tin liên quan</h3><ul>{related}</ul></div>'
        f'<div class="box-comment"><h3>Ý kiến bạn đọc</h3>{comments}</div></main>'
        f'<footer><p>Báo Thử Nghiệm · Giấy phép số {number % 500}/GP-BTTTT</p></footer>'
        f"<script>{'var x=1;' * 500}</script></body></html>"
    )


def build_site(pages: int, seed: int) -> tuple[LoopbackSite, dict[str, str]]:
    rng = random.Random(seed)
    pool = sentences()
    site = LoopbackSite().start()
    documents: dict[str, str] = {}
    for number in range(pages):
        path = f"/moi-truong/bai-{number:05d}.html"
        documents[path] = page_html(number, rng, pool, site.base)
        site.add(path, Page(documents[path].encode("utf-8")))
    urls = "".join(f"<url><loc>{site.base}{path}</loc></url>" for path in documents)
    sitemap = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    site.add("/sitemap.xml", Page(sitemap.encode(), content_type="application/xml"))
    site.add("/robots.txt", Page(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
    return site, documents


def crawl_rate(site: LoopbackSite, pages: int, folder: Path) -> float:
    """Pages per second of the real sitemap spider, extraction and pipelines included."""
    folder.mkdir(parents=True)
    sources = folder / "sources.toml"
    sources.write_text(
        "[crawl]\ndownload_delay = 0\nautothrottle = false\nsource_timeout_s = 3600\n"
        f'[[source]]\nname = "bench"\nkind = "sitemap"\nurl = "{site.base}/sitemap.xml"\nreliability = "mainstream"\n',
        encoding="utf-8",
    )
    overrides = {"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
    report = run_crawl(load_settings(data_dir=folder / "data"), sources, overrides=overrides)
    summary = report.sources[0]
    if summary.new != pages:
        raise SystemExit(f"bench crawl stored {summary.new} of {pages} pages: {summary}")
    return pages / summary.elapsed_s


def trafilatura_rate(documents: dict[str, str], base: str) -> float:
    """Pages per second of trafilatura alone, same options as crawlers.extraction."""
    started = time.perf_counter()
    for path, html in documents.items():
        trafilatura.bare_extraction(
            html, url=base + path, with_metadata=True, include_comments=False, include_images=True,
            include_tables=True, deduplicate=False, date_extraction_params=DATE_PARAMS, prune_xpath=PRUNE_XPATH,
        )
    return len(documents) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2, help="Best of this many crawls (and one more reference pass).")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="envmon-bench-crawl-") as tmp:
        folder = Path(tmp)
        os.environ.update(ENVMON_ALLOW_PRIVATE_NETWORKS="1", ENVMON_CONFIG=str(folder / "none.toml"))
        site, documents = build_site(args.pages, args.seed)
        crawls, references = [], [trafilatura_rate(documents, site.base)]
        try:
            for run in range(args.runs):
                crawls.append(crawl_rate(site, args.pages, folder / f"run-{run}"))
                references.append(trafilatura_rate(documents, site.base))
        finally:
            site.stop()
    emit("crawl", max(crawls), "pages/s", max(references), TARGET_RATIO)


if __name__ == "__main__":
    main()
