"""What an ingest run did, per stage: the flow's return value, its artifact and the CLI summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from flows.crawling import succeeded


@dataclass
class IngestSummary:
    sources: list[dict[str, Any]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)
    enrich: dict[str, Any] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)
    issues: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def crawled(self) -> list[dict[str, Any]]:
        return [summary for summary in self.sources if succeeded(summary)]

    @property
    def failed_sources(self) -> list[dict[str, Any]]:
        return [summary for summary in self.sources if not succeeded(summary)]

    @property
    def nothing_reachable(self) -> bool:
        """Sources were configured and none of them answered."""
        return bool(self.sources) and not self.crawled

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["crawled"] = len(self.crawled)
        data["nothing_reachable"] = self.nothing_reachable
        return data

    def markdown(self) -> str:
        """The run's summary artifact."""
        lines = ["# Ingest summary", "", "| source | status | fetched | new | changed | errors |", "|---|---|---:|---:|---:|---|"]
        for summary in self.sources:
            errors = ", ".join(f"{kind} {n}" for kind, n in sorted((summary.get("errors") or {}).items())) or "-"
            lines.append(f"| {summary['source']} | {summary['status']} | {summary.get('fetched', 0)} | {summary.get('new', 0)} | "
                         f"{summary.get('changed', 0)} | {errors} |")
        for item in self.imports:
            lines.append(f"| import {item['file']} | {'ok' if 'error' not in item else 'failed'} | {item.get('rows', 0)} | "
                         f"{item.get('imported', 0)} | 0 | {item.get('error', '-')} |")
        lines += [
            "",
            f"- crawled: {len(self.crawled)}/{len(self.sources)} sources",
            f"- enriched: {self.enrich.get('enriched', 0)} documents ({self.enrich.get('quarantined', 0)} quarantined)",
            f"- indexed: {self.index.get('indexed', 0)} documents ({self.index.get('rejected', 0)} rejected)",
            f"- issues: {self.issues.get('issues', 0)} ({self.issues.get('documents_updated', 0)} documents re-tagged)",
        ]
        if self.failures:
            lines += ["", "## Failures", *[f"- {failure}" for failure in self.failures]]
        return "\n".join(lines)
