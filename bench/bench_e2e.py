"""From an empty data dir to 10k searchable documents, and the peak memory of each stage.

    {"name": "e2e_10k", "value": seconds for import → enrich → index of a 10k-post export,
     "reference": 300 (the 5-minute budget), "ratio": value/reference, "target": 1.0 (at most)}
    {"name": "peak_rss", "value": the largest peak resident memory of any stage (MB, process
     tree), "reference": 1536 (1.5 GB budget), "ratio": value/reference, "target": 1.0, "stages": {…}}

    python -m bench.bench_e2e [--docs 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.articles import write_export  # noqa: E402
from bench.common import PeakRss, emit  # noqa: E402

BUDGET_SECONDS = 300
RSS_BUDGET_MB = 1536
ENVMON = [sys.executable, "-m", "envmon_cli.main"]


def run_stage(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run one envmon command; return (seconds, peak MB of its process tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(ENVMON + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakRss(process.pid) as sampler:
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"envmon {' '.join(args)} failed ({process.returncode}): {stderr.strip()[-500:]}")
    return time.perf_counter() - started, sampler.peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = write_export(Path(folder) / "export.jsonl", args.docs)
        env = {**os.environ, "ENVMON_DATA_DIR": str(Path(folder) / "data")}
        env.pop("ENVMON_INDEX_URL", None)
        stages: dict[str, dict[str, float]] = {}
        total = 0.0
        for name, command in (("import", ["import", str(export)]), ("enrich", ["enrich"]), ("index", ["index"])):
            seconds, peak = run_stage(command, env)
            stages[name] = {"seconds": round(seconds, 1), "peak_mb": round(peak, 1)}
            total += seconds
        search = subprocess.run(ENVMON + ["search", "", "--json", "--limit", "0"], env=env, capture_output=True, text=True, check=True)
        searchable = json.loads(search.stdout)["total"]
    emit("e2e_10k", total, "s", BUDGET_SECONDS, 1.0, docs=args.docs, searchable=searchable, stages=stages)
    peak = max(stage["peak_mb"] for stage in stages.values())
    emit("peak_rss", peak, "MB", RSS_BUDGET_MB, 1.0, stages={name: stage["peak_mb"] for name, stage in stages.items()})


if __name__ == "__main__":
    main()
