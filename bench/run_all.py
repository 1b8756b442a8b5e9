"""`make bench`: every benchmark in its own process, one JSON line per figure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ("bench_crawl", "bench_enrich", "bench_index", "bench_search", "bench_e2e")


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    failed = []
    for name in BENCHMARKS:
        if not (root / "bench" / f"{name}.py").is_file():
            print(f'{{"name": "{name}", "value": null, "note": "benchmark script missing"}}', flush=True)
            failed.append(name)
            continue
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=root)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
