"""Every Dockerfile and Kubernetes fixture, checked both ways: each
``# want: SG8xx`` (YAML, end of line) and ``# want-next: SG7xx`` (Dockerfile,
line before) must be found, and nothing else may be.

Layout: tests/fixtures/artifacts/<family>/<rule module>/{bad,good}_*.{Dockerfile,yaml}.
The rule module's folder name starts with the rule id (sg701_...), which is
the only rule enabled unless a header ``# steadygo:config select=SG701,SG708``
says otherwise.  Every artifact rule has at least three bad and three good
fixtures.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from steadygo.artifacts.check import artifact_rules, check_artifacts

from conftest import FIXTURES
from wantfile import diff, expectations, header_config

ROOT = os.path.join(FIXTURES, "artifacts")


def _rule_dirs():
    for family in sorted(os.listdir(ROOT)):
        fam = os.path.join(ROOT, family)
        for entry in sorted(os.listdir(fam)):
            if os.path.isdir(os.path.join(fam, entry)):
                yield family, entry


def _cases():
    for family, rule_dir in _rule_dirs():
        folder = os.path.join(ROOT, family, rule_dir)
        for name in sorted(os.listdir(folder)):
            if os.path.isdir(os.path.join(folder, name)):
                continue  # a tree of go.mod files: tests/test_sg719_module_cycle.py
            yield pytest.param(os.path.join(folder, name), rule_dir[:5].upper(), id=f"{family}/{rule_dir}/{name}")


@pytest.mark.parametrize("path,rule_id", list(_cases()))
def test_fixture(path, rule_id):
    text = open(path, encoding="utf-8").read()
    header = header_config(text)
    selected = header.get("select", rule_id).split(",")
    findings, diagnostics = check_artifacts([path], selected, base=os.path.dirname(path))
    assert not diagnostics, [d.line() for d in diagnostics]
    want = expectations(text)
    got = Counter((f.line, f.rule_id) for f in findings)
    assert want == got, f"{os.path.relpath(path, ROOT)}\n" + diff(want, got) + "\n" + "\n".join(
        f"  {f.line}: {f.rule_id} {f.message}" for f in findings)
    name = os.path.basename(path)
    assert name.startswith(("bad_", "good_")), name
    if name.startswith("good_"):
        assert not want, "a good_ fixture expects nothing"
    else:
        assert any(rid == rule_id for _, rid in want), f"a bad_ fixture expects {rule_id}"


def test_every_artifact_rule_has_fixtures_both_ways():
    dirs = {rule_dir[:5].upper(): os.path.join(ROOT, fam, rule_dir) for fam, rule_dir in _rule_dirs()}
    short = []
    for rule in artifact_rules():
        folder = dirs.get(rule.meta.id)
        names = os.listdir(folder) if folder else []
        bad = [n for n in names if n.startswith("bad_")]
        good = [n for n in names if n.startswith("good_")]
        if len(bad) < 3 or len(good) < 3:
            short.append(f"{rule.meta.id}: {len(bad)} bad, {len(good)} good")
    assert not short, short
