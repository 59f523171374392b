"""Reading a run in a terminal: ``--format concise`` (one line a finding),
``--sort file|severity|rule`` and ``--statistics`` (per-rule counts)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT

EXAMPLE = os.path.join(ROOT, "examples", "orders-service")
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>SG\d{3}) (?P<sev>error|warning|info) \S")


def _run(*args):
    # the example's own config (it says the example is a service), no other; plus the preview rules the
    # example is written to show: SG204 (its one error), SG106 and SG601 (warnings), SG620 (info), so there
    # are severities to sort and rules to count
    proc = subprocess.run([sys.executable, "-m", "steadygo", "check", ".", "--config", ".steadygo.toml", "--no-cache",
                           "--extend-select", "SG204,SG106,SG601,SG620", *args],
                          cwd=EXAMPLE, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    return proc.stdout.splitlines()


def test_concise_is_one_line_per_finding_in_file_order():
    lines = _run("--format", "concise")
    rows = [LINE.match(x) for x in lines[:-1]]
    assert all(rows), [x for x, m in zip(lines, rows) if not m]
    assert lines[-1] == f"{len(rows)} findings"
    keys = [(m["path"], int(m["line"]), int(m["col"])) for m in rows]
    assert keys == sorted(keys)


def test_sort_by_severity_and_by_rule():
    order = {"error": 0, "warning": 1, "info": 2}
    sev = [order[LINE.match(x)["sev"]] for x in _run("--format", "concise", "--sort", "severity")[:-1]]
    assert sev == sorted(sev) and sev[0] == 0 and len(set(sev)) > 1
    rules = [LINE.match(x)["rule"] for x in _run("--format", "concise", "--sort", "rule")[:-1]]
    assert rules == sorted(rules)


def test_statistics_counts_each_rule():
    lines = _run("--format", "concise", "--statistics")
    findings = [LINE.match(x) for x in lines if LINE.match(x)]
    stats = [re.match(r"^\s*(\d+)  (SG\d{3})  ", x) for x in lines]
    counted = {m[2]: int(m[1]) for m in stats if m}
    assert counted == {r: sum(1 for f in findings if f["rule"] == r) for r in {f["rule"] for f in findings}}
    assert list(counted.values()) == sorted(counted.values(), reverse=True)
    text = "\n".join(_run("--statistics"))  # the text report carries them too
    assert re.search(r"^\s*2  SG106  outbound-request-without-caller-context  warning$", text, re.M)
