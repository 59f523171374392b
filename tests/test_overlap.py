"""Overlap is declared (RuleMeta.supersedes) and resolved by one processor:
a superseded finding goes only when the superseding one sits on the same node;
no rule asks which other rules are selected."""

from __future__ import annotations

import os

from steadygo import registry
from steadygo.config import Config
from steadygo.engine import scan
from steadygo.findings import Finding, Layer, Severity
from steadygo.overlap import drop_superseded
from steadygo.rulemeta import EvidenceRule, code_meta


def _finding(rule_id, line=3, col=5, path="a.go"):
    return Finding(rule_id=rule_id, rule_name=rule_id.lower(), severity=Severity.WARNING, layer=Layer.CODE,
                   path=path, line=line, col=col, message="m")


def _rule(rule_id, supersedes=()):
    return EvidenceRule(code_meta(id=rule_id, name=f"r-{rule_id.lower()}", severity=Severity.WARNING,
                                  breakpoint="b", summary="s", supersedes=supersedes))


RULES = {"SG801": _rule("SG801", supersedes=("SG802",)), "SG802": _rule("SG802")}


def test_superseded_finding_on_the_same_node_is_dropped():
    kept = drop_superseded([_finding("SG801"), _finding("SG802")], RULES)
    assert [f.rule_id for f in kept] == ["SG801"]


def test_superseded_finding_stays_without_the_superseding_one():
    assert [f.rule_id for f in drop_superseded([_finding("SG802")], RULES)] == ["SG802"]


def test_superseded_finding_elsewhere_stays():
    findings = [_finding("SG801"), _finding("SG802", col=9), _finding("SG802", line=4), _finding("SG802", path="b.go")]
    assert [(f.rule_id, f.path, f.line, f.col) for f in drop_superseded(findings, RULES)] == [
        ("SG801", "a.go", 3, 5), ("SG802", "a.go", 3, 9), ("SG802", "a.go", 4, 5), ("SG802", "b.go", 3, 5)]


def test_supersession_only_goes_one_way():
    kept = drop_superseded([_finding("SG802"), _finding("SG801")], {**RULES, "SG802": _rule("SG802")})
    assert sorted(f.rule_id for f in kept) == ["SG801"]


def test_declared_supersessions_name_registered_rules():
    ids = {r.meta.id for r in registry.all_rules()}
    for r in registry.all_rules():
        assert set(r.meta.supersedes) <= ids - {r.meta.id}, r.meta.id


HANDLER = """package main

import (
\t"context"
\t"net/http"
)

func handler(w http.ResponseWriter, r *http.Request) {
\treq, _ := http.NewRequestWithContext(context.Background(), "GET", "http://x", nil)
\t_ = req
}
"""


def _scan(tmp_path, select):
    path = os.path.join(tmp_path, "main.go")
    with open(path, "w") as fh:
        fh.write(HANDLER)
    res = scan([path], Config(select=select, preview=True), use_cache=False, jobs=1, base=str(tmp_path))
    return sorted((f.rule_id, f.line, f.col) for f in res.active)


def test_findings_do_not_depend_on_the_selection(tmp_path):
    """Issue 19 #2: SG201 alone, SG106 alone, and both: the same node, one finding."""
    alone_201 = _scan(tmp_path, ["SG201"])
    alone_106 = _scan(tmp_path, ["SG106"])
    both = _scan(tmp_path, ["SG1", "SG2"])
    assert [r for r, _, _ in alone_201] == ["SG201"] and [r for r, _, _ in alone_106] == ["SG106"]
    assert alone_201[0][1:] == alone_106[0][1:]  # same line and column
    assert both == alone_106
