"""NLP commands: train, eval, classify."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from envmon_cli.common import console, err_console, settings, user_errors
from index.errors import InputError
from index.text import read_utf8


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("eval")(evaluate)
    app.command("classify")(classify)


@user_errors
def train(
    out: Annotated[Path | None, typer.Option(help="Write the models here instead of the data dir's model store.")] = None,
    force: Annotated[bool, typer.Option(help="Replace the models in use even if the new held-out score is lower.")] = False,
) -> None:
    """Rebuild the label models from nlp/data (+ analyst corrections), reproducibly."""
    from nlp.promote import train_and_promote

    config = settings()
    with console.status("training (segmenting examples, fitting three models)…"):
        decision = train_and_promote(config, out=out, force=force)
    if decision.metrics:
        metrics = decision.metrics
        console.print(
            f"held-out: topic macro-F1 {metrics['topic']['macro_f1']}, sensitivity macro-F1 "
            f"{metrics['sensitivity']['macro_f1']}, misinfo ROC AUC {metrics['misinfo']['roc_auc']}, "
            f"FPR on legitimate high-sensitivity {metrics['misinfo']['fpr_legitimate_high_sensitivity']}",
            highlight=False,
        )
    if decision.new_score is None and not decision.promoted:
        console.print(f"models {decision.version} are up to date", highlight=False)
        return
    console.print(f"{decision.version}: {'promoted' if decision.promoted else 'not promoted'} — {decision.reason}", highlight=False)
    if decision.folder is not None and decision.promoted:
        console.print(f"models in {decision.folder}", highlight=False)
    if not decision.promoted and decision.new_score is not None:
        raise typer.Exit(1)


def _read_rows(path: Path | None) -> list[dict[str, Any]]:
    if path is not None:
        if not path.is_file():
            raise InputError(f"The file {path} does not exist; check the path.")
        text = read_utf8(path)
    else:
        text = sys.stdin.read()
    stripped = text.strip()
    if not stripped:
        raise InputError("Nothing to classify: give --jsonl FILE or text on stdin.")
    if path is None and not stripped.startswith("{"):
        return [{"id": "stdin", "text": stripped}]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError
        except ValueError:
            raise InputError(f"Line {number} is not a JSON object with a text field; fix it and retry.") from None
        rows.append(row)
    return rows


@user_errors
def classify(
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="JSON Lines with id and text (title, source_type optional).")] = None,
) -> None:
    """Label texts: one JSON line per input with topic, sensitivity, misinformation risk, reasons, places, projects."""
    from nlp.adhoc import classify_output, label_rows
    from nlp.enrich import build_enricher

    config = settings()
    rows = _read_rows(jsonl)
    enricher = build_enricher(config)
    for row, document in label_rows(rows, enricher):
        typer.echo(json.dumps(classify_output(row, document), ensure_ascii=False))


@user_errors
def evaluate(
    data: Annotated[Path, typer.Option("--data", help="Labelled JSONL: text, topic, sensitivity, misinfo (source_type optional).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Measure the models in use against labelled text."""
    from nlp.adhoc import label_rows
    from nlp.classify import Prediction
    from nlp.enrich import build_enricher
    from nlp.evaluate import evaluate_predictions, read_eval_file
    from nlp.training import Example

    config = settings()
    rows = read_eval_file(data)
    enricher = build_enricher(config)
    gold, predictions = [], []
    for row, document in label_rows(rows, enricher):
        enrichment = document.enrichment
        gold.append(Example(id=str(row.get("id")), text=row["text"], register=str(row.get("source_type", "news")),
                            topic=row["topic"], sensitivity=row["sensitivity"], misinfo=int(row["misinfo"])))
        predictions.append(Prediction(
            topic=enrichment.topic or "other", topic_scores=enrichment.topic_scores,
            sensitivity=enrichment.sensitivity or "low", sensitivity_score=enrichment.sensitivity_score or 0.0,
            misinfo_risk=enrichment.misinfo_risk or 0.0, misinfo_level=enrichment.misinfo_level or "low",
        ))
    metrics = evaluate_predictions(gold, predictions)
    metrics["model_version"] = enricher.model_version
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    _print_metrics(metrics)


def _print_metrics(metrics: dict[str, Any]) -> None:
    console.print(f"{metrics['items']} items, model {metrics.get('model_version')}", highlight=False)
    for label in ("topic", "sensitivity"):
        table = Table(title=f"{label}: macro-F1 {metrics[label]['macro_f1']}, accuracy {metrics[label]['accuracy']}", title_justify="left")
        for column in ("label", "precision", "recall", "F1", "support"):
            table.add_column(column, justify="right" if column != "label" else "left")
        for name, values in metrics[label]["per_label"].items():
            table.add_row(name, str(values["precision"]), str(values["recall"]), str(values["f1"]), str(values["support"]))
        console.print(table)
        confusion = metrics[label]["confusion"]
        matrix = Table(title=f"{label} confusion (rows: gold, columns: predicted)", title_justify="left")
        matrix.add_column("")
        for name in confusion["labels"]:
            matrix.add_column(name[:8], justify="right")
        for name, row in zip(confusion["labels"], confusion["matrix"], strict=True):
            matrix.add_row(name, *[str(value) for value in row])
        console.print(matrix)
    misinfo = metrics["misinfo"]
    console.print(
        f"misinformation: ROC AUC {misinfo['roc_auc']}, F1 {misinfo['f1']} (precision {misinfo['precision']}, recall "
        f"{misinfo['recall']} at risk ≥ {misinfo['threshold']}), {misinfo['positives']} positives",
        highlight=False,
    )
    err = misinfo["fpr_legitimate_high_sensitivity"]
    console.print(
        f"false-positive rate on legitimate high-sensitivity items: {err} ({misinfo['legitimate_high_sensitivity_items']} items)",
        highlight=False,
    )
    if err is not None and err > 0.15:
        err_console.print("[yellow]warning: legitimate concern is being flagged as misinformation too often[/]")
