"""SG510's naming lints agree with the real ``promtool check metrics``.

Every metric the SG5 fixtures define (plus a list of tricky names) is written
out as Prometheus text exposition and fed to promtool; its verdict per metric
must equal ``promlint()``'s, problem for problem.  "no help text" is SG511's
business and is left out by always writing a HELP line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict

import pytest

from steadygo.commands.facts import collect
from steadygo.golang.metric_defs import LEGAL_LABEL, LEGAL_NAME, promlint

from conftest import FIXTURES

EXTRA = [
    ("http_requests", "counter", []), ("foo_total", "gauge", []), ("req_latency_ms", "histogram", []),
    ("httpRequestsTotal", "counter", []), ("db_counter_total", "counter", []), ("x_count", "gauge", []),
    ("a:b_total", "counter", []), ("size_kb", "gauge", []), ("uptime_minutes", "gauge", []),
    ("x_bucket", "summary", []), ("y_sum", "counter", []), ("mem_megabytes", "gauge", []),
    ("transfer_kilobits_total", "counter", []), ("disk_gibibytes", "gauge", []), ("thermometers", "gauge", []),
    ("job_duration_hours", "histogram", []), ("cpu_usage_percent", "gauge", []), ("req_s", "gauge", []),
    ("lat_sec_total", "counter", []), ("q_histogram_seconds", "histogram", []), ("g_summary", "summary", []),
    ("weird", "gauge", ["le"]), ("weird2", "counter", ["quantile"]), ("camel_total", "counter", ["statusCode"]),
    ("distance_miles", "gauge", []), ("energy_calories_total", "counter", []), ("rtt_microseconds", "gauge", []),
    ("temp_fahrenheit", "gauge", []), ("my_gauge_histogram_x", "gauge", []),
]


def _promtool():
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is required in CI (Debian package 'prometheus')")
        pytest.skip("promtool not installed (Debian package 'prometheus'): SG510 agreement NOT checked")
    return path


def _exposition(name: str, mtype: str, labels: list[str]) -> str:
    lab = ",".join(f'{l}="v"' for l in labels)
    out = [f"# HELP {name} Some help.", f"# TYPE {name} {mtype}"]
    if mtype == "histogram":
        le = ",".join(x for x in (lab, 'le="+Inf"') if x)
        out += [f"{name}_bucket{{{le}}} 1", f"{name}_sum{{{lab}}} 1", f"{name}_count{{{lab}}} 1"]
    elif mtype == "summary":
        out += [f"{name}_sum{{{lab}}} 1", f"{name}_count{{{lab}}} 1"]
    else:
        out.append(f"{name}{{{lab}}} 1")
    return "\n".join(out) + "\n"


def _cases():
    fixture_dir = os.path.join(FIXTURES, "go", "sg5_observability")
    facts = collect([fixture_dir], base=fixture_dir)
    seen = {}
    for m in facts.metrics:
        if m.name and LEGAL_NAME.match(m.name) and all(LEGAL_LABEL.match(l) and not l.startswith("__") for l in m.labels or ()):
            seen.setdefault(m.name, (m.type, list(m.labels or [])))
    for name, mtype, labels in EXTRA:
        seen.setdefault(name, (mtype, labels))
    return seen


def test_fixture_metrics_are_collected():
    cases = _cases()
    assert "shop_http_requests" in cases and "billing_request_duration_ms" in cases
    assert len(cases) > 40


def test_promlint_agrees_with_promtool(tmp_path):
    promtool = _promtool()
    cases = _cases()
    text = "".join(_exposition(n, t, l) for n, (t, l) in sorted(cases.items()))
    proc = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    got = defaultdict(set)
    for line in (proc.stdout + proc.stderr).splitlines():
        name, _, problem = line.partition(" ")
        if name in cases:
            got[name].add(problem.strip())
        else:
            assert not line.strip(), f"promtool said something unexpected: {line!r}"
    mismatches = []
    for name, (mtype, labels) in sorted(cases.items()):
        want = set(promlint(name, mtype, labels))
        if want != got.get(name, set()):
            mismatches.append(f"{name} ({mtype}): steadygo {sorted(want)} vs promtool {sorted(got.get(name, set()))}")
    assert not mismatches, "\n".join(mismatches)
    assert sum(len(v) for v in got.values()) > 20  # the comparison did compare something
