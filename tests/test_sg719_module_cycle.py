"""SG719 on trees of go.mod files, checked both ways: every ``// want: SG719``
on a go.mod line must be found and nothing else may be.

Layout: tests/fixtures/artifacts/sg7_build/sg719_local_module_cycle/<bad_|good_>*/<module>/go.mod;
each top folder is one repository, scanned on its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from steadygo.artifacts.check import check_artifacts
from steadygo.artifacts.collect import collect
from steadygo.artifacts.modgraph import ModuleGraph, local_module_graph, strongly_connected

from conftest import FIXTURES

ROOT = os.path.join(FIXTURES, "artifacts", "sg7_build", "sg719_local_module_cycle")
_WANT = re.compile(r"//\s*want:\s*((?:SG\d{3}[\s,]*)+)")


def _repos():
    return sorted(n for n in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, n)))


def _gomods(repo: str) -> list[str]:
    out = []
    for d, _, files in os.walk(os.path.join(ROOT, repo)):
        if "go.mod" in files:
            out.append(os.path.join(d, "go.mod"))
    return sorted(out)


def _wants(repo: str) -> Counter:
    want: Counter = Counter()
    base = os.path.join(ROOT, repo)
    for gomod in _gomods(repo):
        shown = os.path.relpath(gomod, base).replace(os.sep, "/")
        for i, line in enumerate(open(gomod, encoding="utf-8").read().splitlines(), start=1):
            for m in _WANT.finditer(line):
                for rid in re.findall(r"SG\d{3}", m.group(1)):
                    want[(shown, i, rid)] += 1
    return want


@pytest.mark.parametrize("repo", _repos())
def test_fixture_tree(repo):
    base = os.path.join(ROOT, repo)
    findings, diagnostics = check_artifacts(_gomods(repo), ["SG719"], base=base)
    assert not diagnostics, [d.line() for d in diagnostics]
    got = Counter((f.path, f.line, f.rule_id) for f in findings)
    want = _wants(repo)
    assert got == want, "\n".join(f"{f.path}:{f.line}: {f.message}" for f in findings)
    if repo.startswith("good_"):
        assert not want
    else:
        assert repo.startswith("bad_") and want


def test_fixture_trees_both_ways():
    names = _repos()
    assert sum(n.startswith("bad_") for n in names) >= 3 and sum(n.startswith("good_") for n in names) >= 3


def test_message_names_the_cycle_in_order():
    base = os.path.join(ROOT, "bad_three_module_ring")
    findings, _ = check_artifacts(_gomods("bad_three_module_ring"), ["SG719"], base=base)
    by_path = {f.path: f.message for f in findings}
    assert ("example.com/ring/core -> example.com/ring/store -> example.com/ring/api -> example.com/ring/core"
            in by_path["core/go.mod"])
    assert "lib" not in " ".join(by_path)


def test_replace_target_outside_the_scan_is_followed():
    # Only a's go.mod is given; its replace leads to b, whose replace leads back.
    base = os.path.join(ROOT, "bad_two_modules")
    findings, _ = check_artifacts([os.path.join(base, "a", "go.mod")], ["SG719"], base=base)
    assert sorted((f.path, f.line) for f in findings) == [("a/go.mod", 7), ("b/go.mod", 7)]


def test_module_graph_is_not_built_when_the_rule_is_off():
    base = os.path.join(ROOT, "bad_two_modules")
    got = collect(_gomods("bad_two_modules"), base, module_graph=False)
    assert got.facts.modules is None  # (the go.mod files themselves are read for SG710-SG715)
    assert collect(_gomods("bad_two_modules"), base, module_graph=True).facts.modules is not None


def test_unreadable_go_mod_is_one_diagnostic_and_the_rest_is_checked(tmp_path):
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "go.mod").write_text(
            f"module example.com/{name}\n\nrequire example.com/{other} v0.0.0\n\nreplace example.com/{other} => ../{other}\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "go.mod").write_bytes(b"module example.com/c\n\x00\x01")
    gomods = [str(tmp_path / n / "go.mod") for n in "abc"]
    findings, diagnostics = check_artifacts(gomods, ["SG719"], base=str(tmp_path))
    assert [d.line() for d in diagnostics] == ["c/go.mod: binary file, not read"]
    assert sorted(f.path for f in findings) == ["a/go.mod", "b/go.mod"]


def test_suppression_in_go_mod(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "go.mod").write_text("module example.com/a\n\nrequire example.com/b v0.0.0\n\n"
                                           "//steadygo:ignore SG719 -- split planned in PLAT-12\n"
                                           "replace example.com/b => ../b\n")
    (tmp_path / "b" / "go.mod").write_text("module example.com/b\n\nrequire example.com/a v0.0.0\n\n"
                                           "replace example.com/a => ../a\n")
    findings, _ = check_artifacts([str(tmp_path / n / "go.mod") for n in "ab"], ["SG719"], base=str(tmp_path))
    active = sorted(f.path for f in findings if f.suppressed is None)
    assert active == ["b/go.mod"]
    assert [f.path for f in findings if f.suppressed] == ["a/go.mod"]


def test_check_command_finds_the_cycle_through_discovery():
    base = os.path.join(ROOT, "bad_two_modules")
    proc = subprocess.run([sys.executable, "-m", "steadygo", "check", "--isolated", "--select", "SG719",
                           "--format", "json", "--exit-zero", "."], cwd=base, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    import json

    found = sorted((f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "SG719")
    assert found == [("a/go.mod", 7), ("b/go.mod", 7)]


def test_edges_say_how_they_are_made(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "go.mod").write_text(
        "module example.com/a\n\nrequire (\n\texample.com/b v1.0.0\n\texample.com/c v0.3.0 // indirect\n"
        "\texample.com/d v0.0.0\n)\n\nreplace example.com/b => example.com/fork/b v1.0.1\n"
        "replace example.com/d => ../d\n")
    graph = local_module_graph([str(tmp_path / "a" / "go.mod")], str(tmp_path))
    got = [(e.target, e.via, e.line, e.indirect) for e in graph.edges]
    assert got == [("example.com/fork/b@v1.0.1", "replace-module", 9, False),
                   ("example.com/c@v0.3.0", "require", 5, True),
                   ("example.com/d => ../d", "replace", 10, False)]
    assert graph.notes == ["a/go.mod:10: replace example.com/d => ../d: no readable go.mod there"]


def test_strongly_connected_groups():
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")]
    assert strongly_connected(list("abcdef"), edges) == [["a", "b", "c"], ["d", "e"]]
    assert strongly_connected(["x"], [("x", "x")]) == []


def test_deep_chain_needs_no_recursion():
    n = 5000
    edges = [(f"m{i}", f"m{i + 1}") for i in range(n)] + [(f"m{n}", "m0")]
    groups = strongly_connected([f"m{i}" for i in range(n + 1)], edges)
    assert len(groups) == 1 and len(groups[0]) == n + 1


def test_graph_fact_round_trips_as_json():
    base = os.path.join(ROOT, "bad_three_module_ring")
    graph = local_module_graph(_gomods("bad_three_module_ring"), base)
    again = ModuleGraph.from_dict(graph.to_dict())
    assert again == graph and again.local_cycles() == [
        ["example.com/ring/api", "example.com/ring/core", "example.com/ring/store"]]
