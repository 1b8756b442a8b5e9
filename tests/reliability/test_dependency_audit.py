"""Known vulnerabilities in the locked, installed dependencies (pip-audit), reported to test-output/.

`make install` installs exactly requirements.lock, so auditing the environment audits the lock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parent.parent.parent / "test-output" / "pip-audit.json"


@pytest.mark.slow
def test_no_known_vulnerabilities_in_installed_dependencies() -> None:
    audit = shutil.which("pip-audit", path=str(Path(sys.executable).parent))
    assert audit, "pip-audit is a dev dependency: run `make install`"
    result = subprocess.run(
        [audit, "--local", "--format", "json", "--progress-spinner", "off", "--timeout", "10"],
        capture_output=True, text=True, timeout=900,
    )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(result.stdout or result.stderr, encoding="utf-8")
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"pip-audit gave no report: {result.stderr.strip()[-300:]}")
    dependencies = report.get("dependencies", [])
    vulnerable = [
        f"{dep['name']} {dep['version']}: {', '.join(v['id'] for v in dep['vulns'])}"
        for dep in dependencies
        if dep.get("vulns")
    ]
    assert not vulnerable, "known vulnerabilities: " + "; ".join(vulnerable)
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if not audited:
        pytest.skip(
            f"pip-audit could not reach a vulnerability database from this machine: none of "
            f"{len(dependencies)} packages could be audited (report in {REPORT})"
        )
