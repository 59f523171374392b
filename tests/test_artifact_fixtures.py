"""Every Dockerfile and Kubernetes fixture, checked both ways: each
``# want: SG8xx`` (YAML, end of line) and ``# want-next: SG7xx`` (Dockerfile,
line before) must be found, and nothing else may be.

Layout: tests/fixtures/artifacts/<family>/<rule module>/{bad,good}_*.{Dockerfile,yaml}.
A cross-artifact rule's fixture is a directory ``{bad,good}_<case>/``: a small
tree (go.mod, Go code, Dockerfile, manifests) scanned whole by the engine,
expectations in every file of it (Go ``// want "SG820"`` too).
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
            yield pytest.param(os.path.join(folder, name), rule_dir[:5].upper(), id=f"{family}/{rule_dir}/{name}")


@pytest.mark.parametrize("path,rule_id", list(_cases()))
def test_fixture(path, rule_id):
    if os.path.isdir(path):
        return _tree_fixture(path, rule_id)
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


def _tree_fixture(path, rule_id):
    from steadygo.config import Config, load
    from steadygo.engine import scan

    want, header = Counter(), {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            text = open(full, encoding="utf-8").read()
            header.update(header_config(text))
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            want.update({(rel, line, rid): n for (line, rid), n in expectations(text).items()})
    toml = os.path.join(path, ".steadygo.toml")
    cfg = load(toml) if os.path.exists(toml) else Config()
    cfg.select, cfg.preview, cfg.use_cache, cfg.jobs = header.get("select", rule_id).split(","), True, False, 1
    res = scan([path], cfg, base=path)
    assert not [d for d in res.diagnostics if d.level != "info"], [d.line() for d in res.diagnostics]
    got = Counter((f.path, f.line, f.rule_id) for f in res.findings if not f.suppressed)
    name = os.path.basename(path)
    assert want == got, f"{os.path.relpath(path, ROOT)}\n  missing: {sorted(want - got)}\n  unexpected: " + \
        "\n".join(f"{f.path}:{f.line}: {f.rule_id} {f.message}" for f in res.findings if (f.path, f.line, f.rule_id) in got - want)
    if name.startswith("good_"):
        assert not want, "a good_ fixture expects nothing"
    else:
        assert any(rid == rule_id for _, _, rid in want), f"a bad_ fixture expects {rule_id}"


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
