"""Smoke test for the local Elasticsearch node started by scripts/es-up.

Runs the APIs envmon's backend relies on against a live node and prints one
line per check, then a summary line ``N passed, N failed``. It also probes a
few common APIs that this node is known NOT to have (modules that are not on
Maven Central) and reports them as "unavailable" without failing.

Usage (needs the 8.x Python client: pip install 'elasticsearch>=8.13,<9'):
    python index/es-local/smoke_test.py [http://127.0.0.1:9200]

Uses and deletes only indices/templates named envmon-smoke-*.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import traceback

from elasticsearch import ApiError, Elasticsearch, helpers

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9200"
PREFIX = "envmon-smoke"
TEMPLATE = f"{PREFIX}-articles"
INDEX = f"{PREFIX}-articles-2026.11"
ALIAS = f"{PREFIX}-articles"
N_DOCS = 1000

es = Elasticsearch(URL, request_timeout=60)
results: list[tuple[str, bool, str]] = []


def check(name: str):
    def deco(fn):
        try:
            detail = fn() or ""
            results.append((name, True, detail))
            print(f"PASS  {name}  {detail}")
        except Exception as exc:  # noqa: BLE001 - report every failure
            results.append((name, False, repr(exc)))
            print(f"FAIL  {name}  {exc!r}")
            traceback.print_exc(limit=2)
        return fn

    return deco


def probe(name: str, fn) -> None:
    """Known-unavailable APIs: print what happens, never count as failure."""
    try:
        fn()
        print(f"AVAIL {name}")
    except ApiError as exc:
        print(f"UNAVAILABLE {name}: {exc.meta.status} {str(exc.body)[:160]}")
    except Exception as exc:  # noqa: BLE001
        print(f"UNAVAILABLE {name}: {exc!r}"[:200])


def cleanup() -> None:
    # action.destructive_requires_name is true (the ES 8 default): no wildcard deletes.
    names = list(es.indices.get(index=f"{PREFIX}-*", expand_wildcards="all"))
    if names:
        es.indices.delete(index=",".join(names))
    es.options(ignore_status=404).indices.delete_index_template(name=TEMPLATE)


# --------------------------------------------------------------------------
@check("info")
def _():
    info = es.info()
    v = info["version"]["number"]
    assert v.startswith("8."), v
    assert es.ping()
    return f"version {v}, cluster {info['cluster_name']}"


cleanup()


@check("_analyze ad hoc whitespace+lowercase+asciifolding")
def _():
    r = es.indices.analyze(
        tokenizer="whitespace", filter=["lowercase", "asciifolding"], text="Đất đai Ô nhiễm"
    )
    toks = [t["token"] for t in r["tokens"]]
    assert toks == ["dat", "dai", "o", "nhiem"], toks
    return str(toks)


@check("index template (custom analyzer, normalizer, dynamic=false)")
def _():
    es.indices.put_index_template(
        name=TEMPLATE,
        index_patterns=[f"{PREFIX}-articles-*"],
        priority=100,
        template={
            "settings": {
                "number_of_shards": 1,
                "number_of_replicas": 0,
                "analysis": {
                    "analyzer": {
                        "vi_folded": {
                            "type": "custom",
                            "tokenizer": "whitespace",
                            "filter": ["lowercase", "asciifolding"],
                        }
                    },
                    "normalizer": {
                        "folded_kw": {"type": "custom", "filter": ["lowercase", "asciifolding"]}
                    },
                },
            },
            "mappings": {
                "dynamic": False,
                "properties": {
                    "id": {"type": "keyword"},
                    "source": {"type": "keyword"},
                    "province": {"type": "keyword", "normalizer": "folded_kw"},
                    "published_at": {"type": "date"},
                    "score": {"type": "float"},
                    "title": {
                        "type": "text",
                        "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}},
                    },
                    "body": {
                        "type": "text",
                        "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}},
                    },
                    "tags": {"type": "keyword"},
                },
            },
        },
    )
    return "ok"


@check("create index with write alias")
def _():
    es.indices.create(index=INDEX, aliases={ALIAS: {"is_write_index": True}})
    got = es.indices.get_alias(name=ALIAS)
    assert list(got) == [INDEX], got
    mapping = es.indices.get_mapping(index=ALIAS)[INDEX]["mappings"]
    assert mapping["dynamic"] in (False, "false"), mapping
    r = es.indices.analyze(index=ALIAS, analyzer="vi_folded", text="Đất đai Ô nhiễm")
    toks = [t["token"] for t in r["tokens"]]
    assert toks == ["dat", "dai", "o", "nhiem"], toks
    return f"{ALIAS} -> {INDEX}; vi_folded -> {toks}"


SOURCES = ["vnexpress", "tuoitre", "thanhnien", "baotainguyenmoitruong", "dantri"]
PROVINCES = ["Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh", "Cần Thơ", "Quảng Ninh"]
PHRASES = [
    "ô nhiễm không khí tăng cao",
    "tranh chấp đất đai kéo dài",
    "xả thải ra sông gây cá chết",
    "cháy rừng phòng hộ",
    "sạt lở bờ biển nghiêm trọng",
    "rác thải nhựa đại dương",
]


def gen_docs():
    rnd = random.Random(42)
    base = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)
    for i in range(N_DOCS):
        phrase = PHRASES[i % len(PHRASES)]
        yield {
            "_index": ALIAS,
            "_id": f"doc-{i:04d}",
            "_source": {
                "id": f"doc-{i:04d}",
                "source": SOURCES[i % len(SOURCES)],
                "province": PROVINCES[i % len(PROVINCES)],
                "published_at": (base + dt.timedelta(hours=2 * i)).isoformat(),
                "score": round(rnd.random(), 4),
                "title": f"Tin {i}: {phrase.capitalize()}",
                "body": f"Người dân phản ánh tình trạng {phrase} tại {PROVINCES[i % len(PROVINCES)]}. "
                f"Cơ quan chức năng đang xác minh.",
                "tags": ["moi-truong", "dat-dai" if "đất đai" in phrase else "khac"],
                "not_mapped": "ignored because dynamic=false",
            },
        }


@check("helpers.bulk 1000 docs via alias + refresh + count")
def _():
    ok, errors = helpers.bulk(es, gen_docs(), chunk_size=250, raise_on_error=True)
    assert ok == N_DOCS and not errors, (ok, errors)
    es.indices.refresh(index=ALIAS)
    n = es.count(index=ALIAS)["count"]
    assert n == N_DOCS, n
    return f"indexed {ok}, count {n}"


@check("simple_query_string 'dat dai' finds 'đất đai'")
def _():
    r = es.search(
        index=ALIAS,
        query={
            "simple_query_string": {
                "query": "dat dai",
                "fields": ["title.folded^2", "body.folded"],
                "default_operator": "and",
            }
        },
        size=3,
    )
    total = r["hits"]["total"]["value"]
    assert total == len([i for i in range(N_DOCS) if "đất đai" in PHRASES[i % len(PHRASES)]]), total
    assert "đất đai" in r["hits"]["hits"][0]["_source"]["body"]
    return f"{total} hits, top: {r['hits']['hits'][0]['_source']['title']}"


@check("bool + multi_match + match_phrase + query_string + range filter")
def _():
    r = es.search(
        index=ALIAS,
        query={
            "bool": {
                "must": [{"multi_match": {"query": "o nhiem khong khi", "fields": ["title.folded", "body.folded"]}}],
                "should": [{"match_phrase": {"body.folded": "khong khi tang cao"}}],
                "filter": [
                    {"range": {"published_at": {"gte": "2026-09-01", "lt": "2026-12-01"}}},
                    {"terms": {"source": ["vnexpress", "tuoitre"]}},
                    {"query_string": {"query": "title.folded:(nhiem OR thai) AND NOT body.folded:chay"}},
                ],
            }
        },
        size=1,
    )
    assert r["hits"]["total"]["value"] > 0
    r2 = es.search(index=ALIAS, query={"match_phrase": {"body": "đất đai kéo dài"}}, size=0)
    assert r2["hits"]["total"]["value"] > 0
    return f"bool {r['hits']['total']['value']} hits, match_phrase {r2['hits']['total']['value']} hits"


@check("normalizer folded_kw on keyword (term 'ha noi' == 'Hà Nội')")
def _():
    r = es.count(index=ALIAS, query={"term": {"province": "ha noi"}})
    assert r["count"] == N_DOCS // len(PROVINCES), r
    return f"{r['count']} docs"


@check("aggs: terms, date_histogram, filter, range")
def _():
    r = es.search(
        index=ALIAS,
        size=0,
        aggs={
            "by_source": {"terms": {"field": "source", "size": 10}},
            "per_month": {"date_histogram": {"field": "published_at", "calendar_interval": "month"}},
            "per_day": {
                "date_histogram": {"field": "published_at", "fixed_interval": "1d", "time_zone": "+07:00"}
            },
            "land": {
                "filter": {"term": {"tags": "dat-dai"}},
                "aggs": {"by_province": {"terms": {"field": "province"}}},
            },
            "score_ranges": {"range": {"field": "score", "ranges": [{"to": 0.5}, {"from": 0.5}]}},
        },
    )
    a = r["aggregations"]
    assert len(a["by_source"]["buckets"]) == 5
    assert sum(b["doc_count"] for b in a["per_month"]["buckets"]) == N_DOCS
    assert a["land"]["doc_count"] > 0 and a["land"]["by_province"]["buckets"]
    assert sum(b["doc_count"] for b in a["score_ranges"]["buckets"]) == N_DOCS
    return (
        f"sources {len(a['by_source']['buckets'])}, months {len(a['per_month']['buckets'])}, "
        f"days {len(a['per_day']['buckets'])}, land {a['land']['doc_count']}"
    )


@check("highlight on folded subfield returns original text")
def _():
    r = es.search(
        index=ALIAS,
        query={"match": {"body.folded": "dat dai"}},
        highlight={"fields": {"body.folded": {}}, "pre_tags": ["<em>"], "post_tags": ["</em>"]},
        size=1,
    )
    frag = r["hits"]["hits"][0]["highlight"]["body.folded"][0]
    assert "<em>đất</em>" in frag and "<em>đai</em>" in frag, frag
    return frag


@check("search_after + sort pages through all docs")
def _():
    seen: set[str] = set()
    after = None
    pages = 0
    while True:
        kw = {"search_after": after} if after else {}
        r = es.search(
            index=ALIAS,
            query={"match_all": {}},
            sort=[{"published_at": "desc"}, {"id": "asc"}],
            size=137,
            **kw,
        )
        hits = r["hits"]["hits"]
        if not hits:
            break
        pages += 1
        seen.update(h["_id"] for h in hits)
        after = hits[-1]["sort"]
    assert len(seen) == N_DOCS, len(seen)
    return f"{pages} pages, {len(seen)} unique docs"


@check("point in time + search_after")
def _():
    pit = es.open_point_in_time(index=ALIAS, keep_alive="1m")["id"]
    try:
        r = es.search(pit={"id": pit, "keep_alive": "1m"}, sort=[{"published_at": "asc"}], size=10)
        assert len(r["hits"]["hits"]) == 10
    finally:
        es.close_point_in_time(id=pit)
    return "ok"


@check("get / mget / update (partial doc) / delete doc / _bulk delete")
def _():
    assert es.get(index=ALIAS, id="doc-0001")["found"]
    assert len(es.mget(index=ALIAS, ids=["doc-0001", "doc-0002"])["docs"]) == 2
    es.update(index=ALIAS, id="doc-0001", doc={"score": 0.99}, refresh=True)
    assert es.get(index=ALIAS, id="doc-0001")["_source"]["score"] == 0.99
    es.delete(index=ALIAS, id="doc-0002", refresh=True)
    helpers.bulk(es, ({"_op_type": "delete", "_index": ALIAS, "_id": f"doc-{i:04d}"} for i in range(10, 20)))
    es.indices.refresh(index=ALIAS)
    n = es.count(index=ALIAS)["count"]
    assert n == N_DOCS - 11, n
    return f"count now {n}"


@check("msearch, scroll, cat, stats, cluster health")
def _():
    r = es.msearch(searches=[{"index": ALIAS}, {"query": {"match_all": {}}, "size": 0}])
    assert r["responses"][0]["hits"]["total"]["value"] > 0
    s = es.search(index=ALIAS, scroll="1m", size=500, query={"match_all": {}})
    sid = s["_scroll_id"]
    s2 = es.scroll(scroll_id=sid, scroll="1m")
    es.clear_scroll(scroll_id=s2["_scroll_id"])
    es.cat.indices(index=f"{PREFIX}-*", format="json")
    es.indices.stats(index=ALIAS)
    h = es.cluster.health(wait_for_status="yellow", timeout="10s")
    return f"health {h['status']}"


@check("alias swap + rollover API")
def _():
    new = f"{PREFIX}-articles-2026.12"
    es.indices.create(index=new)
    es.indices.update_aliases(
        actions=[
            {"add": {"index": INDEX, "alias": ALIAS, "is_write_index": False}},
            {"add": {"index": new, "alias": ALIAS, "is_write_index": True}},
        ]
    )
    es.index(index=ALIAS, id="x", document={"id": "x", "title": "Đất đai"}, refresh=True)
    assert es.get(index=new, id="x")["found"]
    return f"{ALIAS} writes to {new}"


# Known-unavailable (modules not on Maven Central); reported, not counted.
print("--- optional APIs (modules not published on Maven Central) ---")
probe("delete_by_query (reindex module)", lambda: es.delete_by_query(index=ALIAS, query={"term": {"id": "x"}}))
probe("update_by_query (reindex module)", lambda: es.update_by_query(index=ALIAS, query={"match_all": {}}))
probe("reindex (reindex module)", lambda: es.reindex(source={"index": INDEX}, dest={"index": f"{PREFIX}-copy"}))
probe(
    "painless script (lang-painless module)",
    lambda: es.update(index=ALIAS, id="x", script={"source": "ctx._source.score = 1"}),
)
probe(
    "ingest pipeline with set processor (ingest-common module)",
    lambda: es.ingest.put_pipeline(id=f"{PREFIX}-p", processors=[{"set": {"field": "a", "value": 1}}]),
)
probe(
    "match_only_text field type (mapper-extras module)",
    lambda: es.indices.create(index=f"{PREFIX}-mot", mappings={"properties": {"t": {"type": "match_only_text"}}}),
)
probe(
    "bucket_sort pipeline agg (aggregations module)",
    lambda: es.search(
        index=ALIAS,
        size=0,
        aggs={"s": {"terms": {"field": "source"}, "aggs": {"b": {"bucket_sort": {"size": 2}}}}},
    ),
)
probe("_analyze with 'stop' filter + 'standard' tokenizer (server)", lambda: es.indices.analyze(tokenizer="standard", filter=["stop"], text="the đất"))
probe("edge_ngram tokenizer (analysis-common)", lambda: es.indices.analyze(tokenizer="edge_ngram", text="dat"))
probe("icu / synonym filter (analysis-common)", lambda: es.indices.analyze(tokenizer="whitespace", filter=[{"type": "synonym", "synonyms": ["a,b"]}], text="a"))
probe("_data_stream (x-pack)", lambda: es.indices.get_data_stream(name="*"))

# --------------------------------------------------------------------------
@check("cleanup: delete indices + template")
def _():
    cleanup()
    assert not es.indices.exists(index=INDEX)
    return "ok"


failed = sum(1 for _, ok, _ in results if not ok)
passed = len(results) - failed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
