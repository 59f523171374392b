"""`steadygo slo test`: the generated `promtool test rules` scenarios pass
with the real promtool, fail when the alert thresholds move, and feed
`slo explain --measure`.  Specs are kept small (page-only, or a 7d window
whose ladder windows are 30/7 times shorter): promtool evaluates every
minute of every scenario."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from decimal import Decimal

import pytest
import yaml

from steadygo.slo import explain, rules, scenarios, sources
from steadygo.commands import slo as slo_command

PAGE_ONLY = """\
version: prometheus/v1
service: pay
slos:
  - name: avail
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
    alerting:
      name: PayBurn
      ticket_alert:
        disable: true
"""

WEEK = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: login
spec:
  service: auth
  indicator:
    spec:
      ratioMetric:
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(e[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(t[{{.window}}]))
  timeWindow:
    - duration: 7d
  objectives:
    - target: 0.99
"""


def test_scenarios_cover_outage_each_factor_and_slow_burn():
    (s,) = sources.loads(WEEK, "w.yaml")
    names = [sc.name for sc in scenarios.scenarios(s.slos[0])]
    assert names == [
        "full outage (fast)", "burn at 18x (fast)", "full outage (medium)", "burn at 7.5x (medium)",
        "full outage (slow)", "burn at 3.75x (slow)", "full outage (slowest)", "burn at 1.25x (slowest)",
        "slow burn just under the slowest alert (slowest)",
    ]
    under = scenarios.scenarios(s.slos[0])[-1]
    assert under.error_ratio == Decimal("0.008") and under.ttd_s is None
    assert not any(under.checkpoints.values())  # never fires, checked over a whole long window
    assert under.end_s > under.clean_s


def test_slo_test_passes_and_writes_the_files(run_cli, promtool, tmp_path):
    spec = tmp_path / "week.yaml"
    spec.write_text(WEEK)
    out = tmp_path / "slo-test.yml"
    code, stdout, err = run_cli("slo", "test", str(spec), "-o", str(out))
    assert code == 0, err
    assert stdout.splitlines()[0] == f"{spec}: 9 scenarios pass promtool test rules"
    doc = yaml.safe_load(out.read_text())
    assert doc["rule_files"] == ["slo-test-rules.yml"]
    assert len(doc["tests"]) == 9
    assert (tmp_path / "slo-test-rules.yml").read_text().count("slo_test_errors_total") == 5  # one per raw window: 3 ratios, 2 recorded event rates
    measured = {m.group(1): m.group(2) for m in re.finditer(r"auth/login (\w+): a full outage fires it after (\S+)", stdout)}
    assert set(measured) == {"fast", "medium", "slow", "slowest"}


def test_slo_test_into_a_missing_directory_fails_before_running(run_cli, tmp_path, monkeypatch):
    spec = tmp_path / "week.yaml"
    spec.write_text(WEEK)
    out = tmp_path / "missing" / "slo-test.yml"

    def no_run(*_a, **_k):
        raise AssertionError("the scenarios ran although their files cannot be written")

    monkeypatch.setattr(slo_command, "_run_scenarios", no_run)
    code, stdout, err = run_cli("slo", "test", str(spec), "-o", str(out))
    assert (code, stdout) == (2, "")
    assert err.strip() == f"steadygo: error: {tmp_path / 'missing' / 'slo-test-rules.yml'}: cannot write: directory {tmp_path / 'missing'} does not exist"
    assert not (tmp_path / "missing").exists()


def _fast_only(doc: dict) -> dict:
    return {**doc, "tests": [t for t in doc["tests"] if "(fast)" in t["name"]]}


def _promtool_test(promtool, tmp_path, rules_text: str, doc: dict) -> subprocess.CompletedProcess:
    (tmp_path / "r.yml").write_text(rules_text)
    (tmp_path / "t.yml").write_text(yaml.safe_dump({**doc, "rule_files": ["r.yml"]}, sort_keys=False, width=100000))
    return subprocess.run([promtool, "test", "rules", "t.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_scenarios_fail_when_the_threshold_moves(promtool, tmp_path):
    specs = sources.loads(PAGE_ONLY, "p.yaml")
    doc = _fast_only(yaml.safe_load(scenarios.render_tests(specs, "r.yml")))
    good = rules.render(scenarios.stand_in_specs(specs), "p")
    ok = _promtool_test(promtool, tmp_path, good, doc)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # Negative control: a looser objective fires later than the test demands.
    loose = [dataclasses.replace(s, slos=tuple(dataclasses.replace(x, objective=Decimal("99")) for x in s.slos)) for s in specs]
    moved = rules.render(scenarios.stand_in_specs(loose), "p")
    bad = _promtool_test(promtool, tmp_path, moved.replace('objective: "99"', 'objective: "99.5"').replace("objective: '99'", "objective: '99.5'"), doc)
    assert bad.returncode != 0
    # Same labels, later firing: promtool finds no alert where one is due.
    text = bad.stdout + bad.stderr
    assert "FAILED" in text and 'objective="99.5"' in text and "got: nil" in text


FORMATS = os.path.join(os.path.dirname(__file__), "fixtures", "formats")


@pytest.mark.parametrize("name", sorted(os.listdir(FORMATS)))
def test_page_scenarios_of_every_format_fixture_pass_promtool(promtool, tmp_path, name):
    # The paging rungs only (their scenarios take seconds; the ticket rungs'
    # days of history are covered on WEEK above): the alert names, tiers and
    # labels each format maps to are the ones promtool sees firing.
    specs = sources.load_all([os.path.join(FORMATS, name)])
    doc = yaml.safe_load(scenarios.render_tests(specs, "r.yml"))
    doc = {**doc, "tests": [t for t in doc["tests"] if "(fast)" in t["name"] or "(medium)" in t["name"]]}
    assert doc["tests"], name
    proc = _promtool_test(promtool, tmp_path, rules.render(scenarios.stand_in_specs(specs), name), doc)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_explain_measure_prints_measured_next_to_computed(run_cli, promtool, tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(PAGE_ONLY)
    code, stdout, err = run_cli("slo", "explain", str(spec), "--measure")
    assert code == 0, err
    header = next(line for line in stdout.splitlines() if line.startswith("SLO "))
    assert header.endswith("MEASURED 100% OUTAGE")
    fast = next(line for line in stdout.splitlines() if line.startswith("avail ") and " fast " in line)
    (s,) = sources.loads(PAGE_ONLY, "p.yaml")
    silent, fired = scenarios.measured([s])[("pay", "avail", "fast")]
    assert fast.split()[-1] == explain.bracket(silent, fired)
    row = next(r for r in explain.rows(s) if r.rung == "fast")
    assert silent <= row.ttd_outage_s < fired  # the computed time lies inside the measured bracket
