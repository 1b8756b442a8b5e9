"""`envmon classify` and `envmon eval`: the contract scripts and analysts rely on."""

from __future__ import annotations

import json
from pathlib import Path

ROWS = [
    {"id": "a1", "text": "Hàng trăm hộ dân xã Cai Kinh, huyện Hữu Lũng kéo đến chặn cổng mỏ đá Hữu Lũng vì bụi và nổ mìn làm nứt nhà.", "source_type": "news"},
    {"id": "a2", "text": "NÓNG!!! Nghe nói nước máy cả thành phố nhiễm độc, uống vào là ung thư, chia sẻ ngay!!!", "source_type": "social"},
    {"id": "a3", "text": "Sở Nông nghiệp và Môi trường tổ chức hội nghị tập huấn về phân loại rác tại nguồn.", "source_type": "official"},
]
FIELDS = {"id", "topic", "topic_scores", "sensitivity", "sensitivity_score", "misinfo_risk", "misinfo_level", "reasons", "places", "projects", "model_version"}


def test_classify_jsonl_echoes_ids_with_every_field_and_reasons(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS), encoding="utf-8")
    result = cli("classify", "--jsonl", str(path))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a1", "a2", "a3"]
    for line in lines:
        assert set(line) >= FIELDS
        for label in ("topic", "sensitivity", "misinfo"):
            reason = line["reasons"][label]
            assert reason["terms"] or reason["rules"] or reason["matches"], (line["id"], label)
    protest, rumour, routine = lines
    assert protest["sensitivity"] == "high" and protest["places"][0]["province"] == "Lạng Sơn"
    assert protest["places"][0]["district"] == "huyện Hữu Lũng"
    assert "mo-da:huu-lung" in [project["key"] for project in protest["projects"]]
    assert rumour["misinfo_level"] in ("elevated", "high")
    assert routine["sensitivity"] == "low"


def test_classify_reads_plain_text_from_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("classify", input="Lũ quét cuốn trôi nhà dân ở huyện Đình Lập, tỉnh Lạng Sơn.")
    line = json.loads(result.stdout)
    assert line["id"] == "stdin" and line["topic"] == "climate_disaster"


def test_classify_rejects_a_broken_line_in_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "ok"}\n{not json\n', encoding="utf-8")
    result = cli("classify", "--jsonl", str(path))
    assert result.exit_code == 2 and "Line 2" in result.stderr


def test_eval_reports_every_metric(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    labelled = [
        {**ROWS[0], "topic": "mining", "sensitivity": "high", "misinfo": 0},
        {**ROWS[1], "topic": "water", "sensitivity": "high", "misinfo": 1},
        {**ROWS[2], "topic": "waste", "sensitivity": "low", "misinfo": 0},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in labelled), encoding="utf-8")
    metrics = json.loads(cli("eval", "--data", str(path), "--json").stdout)
    assert metrics["items"] == 3
    assert {"per_label", "macro_f1", "confusion"} <= set(metrics["topic"]) and {"per_label", "macro_f1", "confusion"} <= set(metrics["sensitivity"])
    assert {"roc_auc", "f1", "fpr_legitimate_high_sensitivity"} <= set(metrics["misinfo"])
    human = cli("eval", "--data", str(path))
    assert "false-positive rate on legitimate high-sensitivity items" in human.stdout


def test_classify_reads_a_file_saved_with_a_byte_order_mark(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8-sig")  # Notepad's "UTF-8"
    result = cli("classify", "--jsonl", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "a1"


def test_a_file_that_is_not_utf8_is_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.jsonl"
    path.write_bytes('{"id": "a1", "text": "Ô nhiễm"}\n'.encode("utf-16"))
    for args in (("classify", "--jsonl", str(path)), ("eval", "--data", str(path))):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "UTF-8" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_row_with_unusable_fields_is_one_sentence_naming_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for bad in ({"reliability": "blog"}, {"title": 5}, {"province": ["Lạng Sơn"]}):
        path = tmp_path / "in.jsonl"
        path.write_text(json.dumps({"id": "x9", "text": "Ô nhiễm sông.", **bad}, ensure_ascii=False) + "\n", encoding="utf-8")
        result = cli("classify", "--jsonl", str(path))
        assert result.exit_code == 2, bad
        assert "x9" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_eval_rejects_labels_it_cannot_score_in_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = {**ROWS[0], "topic": "mining", "sensitivity": "high", "misinfo": 0}
    for bad in ({"misinfo": "yes"}, {"topic": "weather"}, {"sensitivity": "extreme"}):
        path = tmp_path / "labelled.jsonl"
        path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps({**good, **bad}, ensure_ascii=False) + "\n", encoding="utf-8")
        result = cli("eval", "--data", str(path))
        assert result.exit_code == 2, bad
        assert "line 2" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
