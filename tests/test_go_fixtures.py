"""Every Go fixture, checked both ways: each `// want` must be found and
nothing else may be.  A fixture is a .go file (a one-file package) or a
directory (a multi-file package).  The family directory has the name of the
rules' family folder (tests/fixtures/go/sg1_http <-> golang/rules/sg1_http) and
starts with the rule-id prefix it exercises (sg1_http -> SG1); engine findings
(SG0) are always on."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from steadygo import docs_pages, registry
from steadygo.config import Config
from steadygo.engine import scan
from steadygo.golang.module import parse_version

from conftest import FIXTURES
from wantfile import detail_problems, diff, expectations, header_config

GO_FIXTURES = os.path.join(FIXTURES, "go")


def _cases():
    for family in sorted(os.listdir(GO_FIXTURES)):
        fam_dir = os.path.join(GO_FIXTURES, family)
        if not os.path.isdir(fam_dir):
            continue
        for entry in sorted(os.listdir(fam_dir)):
            path = os.path.join(fam_dir, entry)
            if entry.endswith(".go") or os.path.isdir(path):
                yield pytest.param(family, path, id=f"{family}/{entry}")


def _go_files(path):
    """The fixture's Go files; for a module directory every file below it, so
    a finding in a nested package is asserted like one at the top."""
    if os.path.isdir(path):
        return sorted(os.path.join(d, f) for d, _, names in os.walk(path) for f in names if f.endswith(".go"))
    return [path]


def _scan(path, header, select):
    cfg = Config(select=select, preview=True)
    cfg.include_tests = "include-tests" in header
    if "go" in header:
        cfg.go_version = parse_version(header["go"])
    result = scan([path], cfg, use_cache=False, jobs=1, base=GO_FIXTURES)
    assert not result.diagnostics, [d.line() for d in result.diagnostics]
    return result


@pytest.mark.parametrize("family,path", list(_cases()))
def test_fixture(family, path):
    files = _go_files(path)
    texts = {f: open(f, encoding="utf-8", errors="replace").read() for f in files}
    header: dict[str, str] = {}
    for t in texts.values():
        header.update(header_config(t))
    prefix = family.split("_")[0].upper()
    select = header.get("select", f"{prefix},SG0").split(",")
    result = _scan(path, header, select)
    problems = []
    for f in files:
        rel = os.path.relpath(f, GO_FIXTURES).replace(os.sep, "/")
        want = expectations(texts[f])
        got = Counter((x.line, x.rule_id) for x in result.active if x.path == rel)
        if want != got:
            problems.append(f"{rel}:\n{diff(want, got)}")
        wrong = detail_problems(texts[f], [x for x in result.active if x.path == rel])
        if wrong:
            problems.append(f"{rel}:\n" + "\n".join(wrong))
    assert not problems, "\n".join(problems)

    # With every rule selected the family reports the same, minus the findings
    # another family's rule supersedes on the same node: findings never depend
    # on which other rules are selected.
    everything = _scan(path, header, ["ALL"])
    rules = registry.rules_by_id()
    at = {}
    for x in everything.active:
        at.setdefault((x.path, x.line, x.col), set()).add(x.rule_id)
    superseded = Counter(
        (x.path, x.line, x.rule_id) for x in result.active
        if any(x.rule_id in rules[other].meta.supersedes for other in at.get((x.path, x.line, x.col), ()))
    )
    selected = {rid for rid in Config(select=select, preview=True).enabled_rule_ids() if not rid.startswith("SG0")}
    ours = lambda x: x.rule_id in selected  # noqa: E731
    want_all = Counter((x.path, x.line, x.rule_id) for x in result.active if ours(x)) - superseded
    got_all = Counter((x.path, x.line, x.rule_id) for x in everything.active if ours(x))
    assert got_all == want_all, f"under ALL: missing {sorted((want_all - got_all).elements())}, " \
                                f"unexpected {sorted((got_all - want_all).elements())}"


def test_every_supersession_is_documented():
    """A superseded rule's page says, under Known limits, which rule takes over."""
    problems = []
    for r in registry.all_rules():
        for sid in r.meta.supersedes:
            limits = docs_pages.section(docs_pages.page(sid) or "", "## Known limits")
            if r.meta.id not in limits:
                problems.append(f"{sid}.md Known limits does not name {r.meta.id}, which supersedes it")
    assert not problems, "\n".join(problems)


def test_every_code_rule_has_fixtures():
    """Each Go rule has >= 3 ``sgNNN_bad_*`` fixtures that expect it and >= 3
    ``sgNNN_good_*`` fixtures (the tricky negatives) that must stay silent."""
    from steadygo.golang.rules.base import GoRule

    counts: Counter = Counter()
    problems = []
    for param in _cases():
        family, path = param.values
        name = os.path.basename(path).lower()
        parts = name.split("_")
        if len(parts) < 2 or not parts[0].startswith("sg") or parts[1] not in ("bad", "good"):
            continue
        rid = parts[0].upper()
        wanted = set()
        for f in _go_files(path):
            wanted |= {r for (_, r) in expectations(open(f, encoding="utf-8", errors="replace").read())}
        if parts[1] == "bad" and rid not in wanted:
            problems.append(f"{name}: a bad fixture for {rid} expects no {rid}")
        if parts[1] == "good" and rid in wanted:
            problems.append(f"{name}: a good fixture for {rid} expects {rid}")
        counts[(rid, parts[1])] += 1
    for r in registry.all_rules():
        if isinstance(r, GoRule):
            for kind in ("bad", "good"):
                if counts[(r.meta.id, kind)] < 3:
                    problems.append(f"{r.meta.id}: only {counts[(r.meta.id, kind)]} {kind} fixtures")
    assert not problems, "\n".join(problems)
