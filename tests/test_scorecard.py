"""The scorecard's states come from the registry and the inputs a run had."""

from __future__ import annotations

import pytest

from steadygo import registry, scorecard
from steadygo.config import Config
from steadygo.engine import ScanResult
from steadygo.findings import Finding, Layer, Severity
from steadygo.registry import EvidenceRule, RuleMeta


def _rule(id, layer, bp, status="stable"):
    return EvidenceRule(RuleMeta(id=id, name=f"rule-{id.lower()}", layer=layer, severity=Severity.WARNING,
                                 breakpoint=bp, summary="s", status=status))


RULES = (
    _rule("SG101", Layer.CODE, "slowloris"),
    _rule("SG102", Layer.CODE, "slowloris"),
    _rule("SG103", Layer.CODE, "stalled writes"),
    _rule("SG104", Layer.CODE, "preview thing", status="preview"),
    _rule("SG701", Layer.BUILD, "no CGO pin"),
    _rule("SG801", Layer.DEPLOY, "no readiness probe"),
    _rule("SG901", Layer.RUNTIME, "goroutine leak"),
    _rule("SG911", Layer.RUNTIME, "heap growth"),
)


@pytest.fixture(autouse=True)
def fake_registry(monkeypatch):
    monkeypatch.setattr(registry, "all_rules", lambda: RULES)


def _finding(rule_id, suppressed=None):
    return Finding(rule_id, "n", Severity.WARNING, Layer.CODE, "a.go", 1, 1, "m", suppressed=suppressed)


def _cards(findings, enabled, inputs, config=None):
    res = ScanResult(findings=findings, files=inputs.go_files, enabled_rules=enabled)
    return {f.prefix: f for f in scorecard.build(res, config or Config(), inputs)}


def _row(fam, text):
    return next(r for r in fam.rows if r.breakpoint == text)


def test_states_and_reasons():
    inputs = scorecard.Inputs(go_files=3, build_files=0, manifests=1, runtime_rules={"SG901"}, runtime_docs=1)
    cards = _cards([_finding("SG102"), _finding("SG103", suppressed="baseline")],
                   ["SG101", "SG102", "SG103", "SG801", "SG901"], inputs)
    sg1 = cards["SG1"]
    assert sg1.state == scorecard.FAILING
    slow = _row(sg1, "slowloris")
    assert slow.state == scorecard.FAILING and [r.id for r in slow.rules] == ["SG101", "SG102"]
    stalled = _row(sg1, "stalled writes")
    assert stalled.state == scorecard.COVERED and stalled.rules[0].accepted == 1
    preview = _row(sg1, "preview thing")
    assert preview.state == scorecard.NOT_CHECKED and preview.reason == "preview rule, not enabled (--preview)"
    assert cards["SG7"].state == scorecard.NOT_CHECKED and cards["SG7"].reason == "no Dockerfile or build files found"
    assert cards["SG8"].state == scorecard.COVERED
    assert _row(cards["SG9"], "goroutine leak").state == scorecard.COVERED
    assert _row(cards["SG9"], "heap growth").reason == "the runtime evidence given does not cover this rule"
    assert cards["SG2"].reason == "no rules for this family in this version" and cards["SG2"].layer is Layer.CODE


def test_no_input_at_all():
    cards = _cards([], [r.meta.id for r in RULES], scorecard.Inputs())
    assert _row(cards["SG1"], "slowloris").reason == "no Go files were scanned"
    assert cards["SG8"].reason == "no Kubernetes manifests found"
    assert cards["SG9"].reason == "no runtime evidence given (check --evidence FILE)"
    cfg = Config(preview=True)
    cards = _cards([], ["SG101"], scorecard.Inputs(go_files=1), cfg)
    assert _row(cards["SG1"], "stalled writes").reason == "not selected by the configuration"


def test_detect_inputs(tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "deploy" / "app.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    (tmp_path / "deploy" / "values.yaml").write_text("replicas: 2\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "Dockerfile").write_text("FROM x\n")
    assert scorecard.detect_inputs(["."], str(tmp_path)) == (1, 1)
    assert scorecard.detect_inputs(["Dockerfile"], str(tmp_path)) == (1, 0)


def test_nothing_to_check_when_the_code_shows_no_http_server():
    # The rules ran and found nothing, but there was no server for them to
    # judge: the card must not turn green.
    from steadygo import inventory

    none = inventory.ModuleInventory(module="example.com/worker")
    inputs = scorecard.Inputs(go_files=3, inventories=[none])
    cards = _cards([], ["SG101", "SG102", "SG103"], inputs)
    row = _row(cards["SG1"], "slowloris")
    assert (row.state, row.reason) == (scorecard.NOTHING, "nothing to check: no HTTP server found")
    assert cards["SG1"].state == scorecard.NOTHING
    # With a server the same silence means judged fine...
    served = inventory.ModuleInventory(module="example.com/api")
    served.servers["net/http"] = 1
    cards = _cards([], ["SG101", "SG102", "SG103"], scorecard.Inputs(go_files=3, inventories=[served]))
    assert _row(cards["SG1"], "slowloris").state == scorecard.COVERED
    # ...and a finding is a failure whatever the inventory says.
    cards = _cards([_finding("SG101")], ["SG101", "SG102", "SG103"], inputs)
    assert _row(cards["SG1"], "slowloris").state == scorecard.FAILING

