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

A fixture may also be a directory ``{bad,good}_*/`` (a go.mod needs its
go.sum, Dockerfiles and sibling modules): every artifact file in it is checked
in one scan, and the expectations of all of them must match, file by file.
go.mod marks lines with ``// want: SG711`` at the end of the line and takes
its header as ``// steadygo:config ...``.  Rules with an ``as-of`` option
judge on FIXTURE_DAY unless the header says ``as-of=YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter

import pytest

from steadygo import registry
from steadygo.artifacts.check import artifact_rules, check_artifacts
from steadygo.artifacts.sources import kind_of

from conftest import FIXTURES
from wantfile import diff, expectations, header_config

ROOT = os.path.join(FIXTURES, "artifacts")
FIXTURE_DAY = datetime.date(2026, 12, 1)


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


def _options(selected: list[str], header: dict[str, str]) -> dict[str, dict]:
    day = datetime.date.fromisoformat(header["as-of"]) if "as-of" in header else FIXTURE_DAY
    out = {}
    for rid in selected:
        rule = registry.lookup(rid)
        if rule is not None and any(o.name == "as-of" for o in rule.meta.options):
            out[rule.meta.name] = {"as-of": day}
    return out


def _file_expectations(name: str, text: str) -> Counter:
    return expectations(text)  # go.mod's `// want: SG711` is read there too


def _case_files(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    out = []
    for d, dirs, names in os.walk(path):
        dirs.sort()
        out.extend(os.path.join(d, n) for n in sorted(names) if kind_of(n) is not None)
    return out


@pytest.mark.parametrize("path,rule_id", list(_cases()))
def test_fixture(path, rule_id):
    if os.path.isdir(path) and any(n.endswith(".go") for _, _, ns in os.walk(path) for n in ns):
        return _tree_fixture(path, rule_id)  # code and artifacts together: the whole engine
    files = _case_files(path)
    base = path if os.path.isdir(path) else os.path.dirname(path)
    texts = {os.path.relpath(f, base).replace(os.sep, "/"): open(f, encoding="utf-8").read() for f in files}
    header: dict[str, str] = {}
    for text in texts.values():
        header.update(header_config(text))
    selected = header.get("select", rule_id).split(",")
    findings, diagnostics = check_artifacts(files, selected, base=base, options=_options(selected, header))
    assert not diagnostics, [d.line() for d in diagnostics]
    want: Counter = Counter()
    for shown, text in texts.items():
        for (line, rid), n in _file_expectations(os.path.basename(shown), text).items():
            want[(shown, line, rid)] += n
    got = Counter((f.path, f.line, f.rule_id) for f in findings)
    assert want == got, f"{os.path.relpath(path, ROOT)}\n" + _diff(want, got) + "\n" + "\n".join(
        f"  {f.path}:{f.line}: {f.rule_id} {f.message}" for f in findings)
    name = os.path.basename(path)
    assert name.startswith(("bad_", "good_")), name
    if name.startswith("good_"):
        assert not want, "a good_ fixture expects nothing"
    else:
        assert any(rid == rule_id for _, _, rid in want), f"a bad_ fixture expects {rule_id}"


def _diff(want: Counter, got: Counter) -> str:
    """``wantfile.diff`` with the file named on each line."""
    lines = []
    for path in sorted({p for p, _, _ in want} | {p for p, _, _ in got}):
        w = Counter({(line, rid): n for (p, line, rid), n in want.items() if p == path})
        g = Counter({(line, rid): n for (p, line, rid), n in got.items() if p == path})
        text = diff(w, g)
        if text:
            lines.append(f" {path}:\n{text}")
    return "\n".join(lines)


# Rules whose verdict comes from running a tool over a prepared environment,
# proven by their own test file instead of static fixtures.
TOOL_RULES = {"SG715": "tests/test_gomod_verify.py (go mod verify over a module cache built by the test)"}


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
            want.update({(rel, line, rid): n for (line, rid), n in _file_expectations(name, text).items()})
    toml = os.path.join(path, ".steadygo.toml")
    cfg = load(toml) if os.path.exists(toml) else Config()
    cfg.select, cfg.preview, cfg.use_cache, cfg.jobs = header.get("select", rule_id).split(","), True, False, 1
    cfg.rule_options = {**cfg.rule_options, **_options(cfg.select, header)}
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
        if rule.meta.id in TOOL_RULES:
            assert os.path.isfile(os.path.join(os.path.dirname(ROOT), "..", "..", TOOL_RULES[rule.meta.id].split()[0]))
            continue
        folder = dirs.get(rule.meta.id)
        names = os.listdir(folder) if folder else []
        bad = [n for n in names if n.startswith("bad_")]
        good = [n for n in names if n.startswith("good_")]
        if len(bad) < 3 or len(good) < 3:
            short.append(f"{rule.meta.id}: {len(bad)} bad, {len(good)} good")
    assert not short, short
