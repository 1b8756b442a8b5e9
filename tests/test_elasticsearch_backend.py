"""What the Elasticsearch backend does beyond the shared contract: its template, its monthly
indices, what a user reads when the cluster is unreachable, and that stopping the node in the
middle of `envmon index` loses and duplicates nothing.

Tests that need a node use the shared one (make es-up) and skip without it unless
ENVMON_REQUIRE_ES=1, like tests/contract. The stop-the-node test starts its own private node.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.elasticsearch import ElasticsearchBackend
from index.elasticsearch.mapping import search_words
from index.errors import BackendUnavailable
from index.indexer import run_index
from index.query import build_query
from index.settings import Settings
from index.spool import Spool
from index.text import nfc
from tests.conftest import HCM, REPO, make_document
from tests.contract.conftest import ES_URL, open_test_backend


@pytest.fixture
def es(tmp_path: Path) -> Iterator[ElasticsearchBackend]:
    backend = open_test_backend("elasticsearch", tmp_path)
    assert isinstance(backend, ElasticsearchBackend)
    backend.ensure_ready()
    try:
        yield backend
    finally:
        backend.drop_everything()
        backend.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and "Traceback" not in message


# ---- the template ---------------------------------------------------------------


@pytest.mark.es
def test_mapping_is_strict_and_keeps_unmapped_fields_out_of_the_index(es: ElasticsearchBackend) -> None:
    document = make_document("m1", "Khói từ lò gạch.", published_at=datetime(2026, 11, 3, 9, tzinfo=HCM))
    document.engagement.likes = 41
    es.upsert([document])
    es.refresh()
    index = es.names.month_index("2026.11")
    mapping = es.client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["dynamic"] in (False, "false")
    assert "engagement" not in mapping["properties"] and "author_pseudonym" not in mapping["properties"]
    assert "topic_scores" not in mapping["properties"]["enrichment"]["properties"]
    # stored in full all the same: get returns exactly what was upserted
    assert es.get("m1") == document
    # unindexed: no field to search on
    assert es.client.count(index=es.names.docs_alias, query={"term": {"engagement.likes": 41}})["count"] == 0
    # the derived words are indexed but not stored a second time
    raw = es.client.get(index=index, id="m1")["_source"]
    assert "text" not in raw["search"] and raw["search"]["topic"] == "water"


@pytest.mark.es
def test_documents_the_cluster_rejects_are_reported_and_the_rest_indexed(es: ElasticsearchBackend) -> None:
    # A month index whose mapping drifted (here: topic as a number) rejects that field for good.
    es.client.indices.create(
        index=es.names.month_index("2026.10"),
        mappings={"properties": {"enrichment": {"properties": {"topic": {"type": "long"}}}}},
    )
    too_long_id = "x" * 600  # over Elasticsearch's 512-byte id limit
    report = es.upsert([
        make_document("nov", "Nước sông đổi màu.", published_at=datetime(2026, 11, 2, 9, tzinfo=HCM)),
        make_document("oct", "Bụi than.", published_at=datetime(2026, 10, 2, 9, tzinfo=HCM)),
        make_document(too_long_id, "Khói."),
    ])
    assert report.indexed == 1
    reasons = dict(report.failed)
    assert set(reasons) == {"oct", too_long_id}
    assert "rejected" in reasons["oct"] and "512 bytes" in reasons[too_long_id]


# ---- monthly indices --------------------------------------------------------------


@pytest.mark.es
def test_each_document_lives_in_the_index_of_its_local_month(es: ElasticsearchBackend) -> None:
    es.upsert([
        make_document("sep", "Sạt lở bờ sông.", published_at=datetime(2026, 9, 30, 23, 30, tzinfo=HCM)),
        make_document("nov", "Cá chết hàng loạt.", published_at=datetime(2026, 11, 1, 0, 30, tzinfo=HCM)),
    ])
    es.refresh()
    # 23:30 on 30 Sep in Hà Nội is still September there (16:30 UTC); 00:30 on 1 Nov is November.
    assert _where(es, "sep") == [es.names.month_index("2026.09")]
    assert _where(es, "nov") == [es.names.month_index("2026.11")]
    aliased = es.client.indices.get_alias(name=es.names.docs_alias)
    assert set(aliased) == {es.names.month_index("2026.09"), es.names.month_index("2026.11")}


@pytest.mark.es
@pytest.mark.parametrize("refresh_between", [False, True], ids=["before-refresh", "after-refresh"])
def test_a_redated_document_moves_to_its_new_month(es: ElasticsearchBackend, refresh_between: bool) -> None:
    first = make_document("moving", "Bãi rác quá tải.", published_at=datetime(2026, 11, 20, 9, tzinfo=HCM))
    es.upsert([first])
    if refresh_between:
        es.refresh()
    corrected = make_document("moving", "Bãi rác quá tải từ tháng 8.", published_at=datetime(2026, 8, 2, 9, tzinfo=HCM))
    es.upsert([corrected])
    es.refresh()
    assert _where(es, "moving") == [es.names.month_index("2026.08")]
    assert es.count() == 1
    assert es.get("moving") == corrected


@pytest.mark.es
def test_retention_drops_whole_months_and_trims_the_boundary_month(es: ElasticsearchBackend) -> None:
    es.upsert([
        make_document("jul", "Khói.", published_at=datetime(2026, 7, 15, 9, tzinfo=HCM)),
        make_document("sep-early", "Bụi.", published_at=datetime(2026, 9, 2, 9, tzinfo=HCM)),
        make_document("sep-late", "Ồn.", published_at=datetime(2026, 9, 25, 9, tzinfo=HCM)),
        make_document("nov", "Rác.", published_at=datetime(2026, 11, 20, 9, tzinfo=HCM)),
    ])
    deleted = es.delete_older_than(80, now=datetime(2026, 12, 1, tzinfo=HCM))  # cutoff 12 Sep
    assert deleted == 2
    assert {doc.id for doc in es.scan(build_query(""))} == {"sep-late", "nov"}
    remaining = set(es.client.indices.get_alias(name=es.names.docs_alias))
    assert es.names.month_index("2026.07") not in remaining  # dropped, not emptied


@pytest.mark.es
def test_pages_past_the_result_window_match_the_ordinary_pages(
    es: ElasticsearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    es.upsert([
        make_document(f"p{number}", f"Ô nhiễm nước lần {number}.", published_at=datetime(2026, 11, 1 + number, 9, tzinfo=HCM))
        for number in range(9)
    ])
    es.refresh()
    ordinary = [hit.document.id for hit in es.search(build_query("o nhiem", limit=4, offset=4, sort="date")).hits]
    import index.elasticsearch.backend as backend_module

    monkeypatch.setattr(backend_module, "MAX_RESULT_WINDOW", 3)  # every page is now a deep page
    deep = es.search(build_query("o nhiem", limit=4, offset=4, sort="date"))
    assert [hit.document.id for hit in deep.hits] == ordinary
    assert deep.total == 9 and deep.facets["topic"] == {"water": 9}


def _where(es: ElasticsearchBackend, doc_id: str) -> list[str]:
    response = es.client.search(index=es.names.docs_alias, query={"ids": {"values": [doc_id]}}, source=False)
    return sorted(hit["_index"] for hit in response["hits"]["hits"])


# ---- Vietnamese words -------------------------------------------------------------


@pytest.mark.es
def test_abbreviations_with_dots_are_found_like_in_sqlite(es: ElasticsearchBackend, tmp_path: Path) -> None:
    from index.sqlite_backend import SqliteBackend

    corpus = [
        make_document("a1", "Sáng 20/11, UBND H.Hữu Lũng và Sở TN&MT TP.HCM họp về ô nhiễm."),
        make_document("a2", "Người dân Q.Bình Thạnh phản ánh mùi hôi từ kênh."),
    ]
    sqlite = SqliteBackend(tmp_path / "parity.sqlite")
    for backend in (es, sqlite):
        backend.upsert(corpus)
        backend.refresh()
    for text in ("hcm", "huu lung", '"tp hcm"', "binh thanh", "tn mt", "20 11"):
        expected = {hit.document.id for hit in sqlite.search(build_query(text)).hits}
        assert {hit.document.id for hit in es.search(build_query(text)).hits} == expected, text
        assert expected, text
    sqlite.close()


_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠĐỆỮ0123456789"
_ODD = " _-.,;:!?\"'()/\\|@#%&*+=~\n\t\u00a0\u2007\u202f\u3000“”‘’…–—«»•·°😡™©²½\u0301αβ中×÷ʼ"


def _java_whitespace_split(text: str) -> list[str]:
    """How Lucene's whitespace tokenizer splits (Java's Character.isWhitespace)."""
    import unicodedata

    def is_space(char: str) -> bool:
        if char in "\u00a0\u2007\u202f":
            return False
        return char in " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f" or unicodedata.category(char) in ("Zs", "Zl", "Zp")

    words, current = [], []
    for char in text:
        if is_space(char):
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_VIETNAMESE + _ODD, max_size=60))
def test_search_words_split_where_the_query_parser_splits(text: str) -> None:
    assert _java_whitespace_split(search_words(text)) == re.sub(r"[\W_]+", " ", nfc(text)).split()


# ---- what the user reads when the cluster is not usable ---------------------------


def _backend_at(url: str, tmp_path: Path, **options: str) -> ElasticsearchBackend:
    return ElasticsearchBackend.from_settings(Settings(data_dir=tmp_path / "data", index_url=url, es_timeout_s=5, **options))


def test_a_refused_connection_is_one_sentence_naming_the_url_and_the_fix(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    backend = _backend_at(url, tmp_path)
    with pytest.raises(BackendUnavailable) as raised:
        backend.search(build_query("o nhiem"))
    message = str(raised.value)
    assert _one_sentence(message)
    assert url in message and "connection refused" in message and "make es-up" in message
    health = backend.health()
    assert not health.ok and health.detail == message


class _SecuredClusterStandIn(BaseHTTPRequestHandler):
    """Answers like an Elasticsearch 8 node with security on answers a wrong password.

    The local node has no security module, so this loopback stand-in plays the 401 (status,
    headers and body copied from a secured 8.x cluster); it tests our handling of the answer.
    """

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({
            "error": {
                "root_cause": [{"type": "security_exception", "reason": "unable to authenticate user [envmon] for REST request [/]"}],
                "type": "security_exception",
                "reason": "unable to authenticate user [envmon] for REST request [/]",
            },
            "status": 401,
        }).encode()
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"')
        self.send_header("WWW-Authenticate", "ApiKey")
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_POST = do_PUT = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def secured_cluster() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SecuredClusterStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_wrong_password_is_one_sentence_that_never_shows_the_password(secured_cluster: str, tmp_path: Path) -> None:
    secret = "s3cret-Pa55"
    backend = _backend_at(secured_cluster, tmp_path, es_username="envmon", es_password=secret)
    with pytest.raises(BackendUnavailable) as raised:
        backend.ensure_ready()
    message = str(raised.value)
    assert _one_sentence(message) and "401" in message and "ENVMON_ES_PASSWORD" in message
    assert secret not in message and secured_cluster in message
    # a password written into the URL itself is not shown either
    user_in_url = secured_cluster.replace("http://", f"http://envmon:{secret}@")
    with pytest.raises(BackendUnavailable) as raised:
        _backend_at(user_in_url, tmp_path).ensure_ready()
    assert secret not in str(raised.value) and secured_cluster in str(raised.value)


@pytest.mark.es
def test_tls_to_a_plain_http_node_is_one_sentence(tmp_path: Path) -> None:
    open_test_backend("elasticsearch", tmp_path).close()  # skips without the shared node
    url = ES_URL.replace("http://", "https://")
    with pytest.raises(BackendUnavailable) as raised:
        _backend_at(url, tmp_path).ensure_ready()
    message = str(raised.value)
    assert _one_sentence(message) and "TLS" in message and "ENVMON_ES_CA_CERTS" in message


@pytest.mark.es
def test_health_names_the_version_and_the_cluster_status(es: ElasticsearchBackend) -> None:
    health = es.health()
    assert health.ok and health.version and health.version.startswith("8.")
    assert f"Elasticsearch {health.version}" in health.detail and health.documents == 0


def test_an_unreachable_cluster_keeps_every_document_pending(settings: Settings, tmp_path: Path) -> None:
    Spool(settings.documents_dir, settings.tz).append([make_document(f"k{n}", "Nước thải.") for n in range(3)])
    unreachable = settings.model_copy(update={"index_url": f"http://127.0.0.1:{_closed_port()}"})
    report = run_index(unreachable, ElasticsearchBackend.from_settings(unreachable))
    assert report.indexed == 0 and report.error and "cannot be reached" in report.error
    assert report.pending_bytes == sum(path.stat().st_size for path in settings.documents_dir.iterdir())


# ---- the CLI returns what SQLite returns ------------------------------------------


@pytest.mark.es
def test_cli_search_returns_the_same_documents_on_both_backends(cli, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    open_test_backend("elasticsearch", tmp_path).close()  # skips without the shared node
    from tests.contract.test_backend_contract import CORPUS

    Spool(settings.documents_dir, settings.tz).append(CORPUS)
    prefix = f"envmon-test-cli-{uuid.uuid4().hex[:8]}"
    answers = {}
    try:
        for kind in ("sqlite", "elasticsearch"):
            if kind == "elasticsearch":
                monkeypatch.setenv("ENVMON_INDEX_URL", ES_URL)
                monkeypatch.setenv("ENVMON_ES_INDEX_PREFIX", prefix)
            assert cli("index").exit_code == 0
            answers[kind] = json.loads(cli("search", "dat dai", "--json", "--limit", "50").stdout)
    finally:
        ElasticsearchBackend.from_settings(Settings(index_url=ES_URL, es_index_prefix=prefix)).drop_everything()
    assert {hit["id"] for hit in answers["sqlite"]["hits"]} == {"d2", "d7"}
    for key in ("total", "facets"):
        assert answers["elasticsearch"][key] == answers["sqlite"][key]
    assert {hit["id"] for hit in answers["elasticsearch"]["hits"]} == {hit["id"] for hit in answers["sqlite"]["hits"]}


# ---- stopping the node in the middle of a run -------------------------------------


def _free_port() -> int:
    for port in range(9250, 9300):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 9250-9299 for a private Elasticsearch node")


def _node(command: str, env: dict[str, str]) -> None:
    done = subprocess.run([str(REPO / "scripts" / command)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"scripts/{command} failed: {done.stdout}{done.stderr}"


@pytest.mark.es
@pytest.mark.slow
def test_stopping_the_node_mid_run_loses_and_duplicates_nothing(settings: Settings, tmp_path: Path) -> None:
    open_test_backend("elasticsearch", tmp_path).close()  # skips where no node can run (no Java/Maven build)
    port = _free_port()
    env = {**os.environ, "ES_PORT": str(port), "ES_HOME_DIR": str(tmp_path / "es-node")}
    documents = [  # three indexer batches (500 each), spread over three months
        make_document(f"n{number:04d}", f"Người dân phản ánh ô nhiễm lần {number}.",
                      published_at=datetime(2026, 9, 1, 8, tzinfo=HCM) + timedelta(hours=number))
        for number in range(1_250)
    ]
    Spool(settings.documents_dir, settings.tz).append(documents)
    private = settings.model_copy(update={"index_url": f"http://127.0.0.1:{port}", "es_index_prefix": "envmon-stop"})
    _node("es-up", env)
    try:
        stopped: list[int] = []

        def stop_after_the_first_batch(done: int, total: int) -> None:
            if not stopped and done < total:  # called once a batch is stored and its position committed
                stopped.append(done)
                _node("es-down", env)

        first = run_index(private, ElasticsearchBackend.from_settings(private), progress=stop_after_the_first_batch)
        assert stopped, "the run never reached a second batch"
        assert first.indexed == 500
        assert first.error and f"127.0.0.1:{port}" in first.error and _one_sentence(first.error)
        assert first.pending_bytes > 0

        _node("es-up", env)
        backend = ElasticsearchBackend.from_settings(private)
        second = run_index(private, backend)
        assert second.error is None and second.indexed == 750 and second.pending_bytes == 0
        backend.refresh()
        stored = backend.client.search(
            index=backend.names.docs_alias, size=2_000, source=False, query={"match_all": {}}
        )["hits"]["hits"]
        stored_ids = sorted(hit["_id"] for hit in stored)
        assert stored_ids == sorted(document.id for document in documents)  # none lost, none twice
        backend.close()
    finally:
        _node("es-down", env)
