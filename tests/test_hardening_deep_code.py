"""Issue 20 F18/F20, the parts the per-file budget could not reach: time
spent in C (a tree-sitter query over a tree deeper than its 16-bit depth
counter) and in the facts pass, which runs outside the rules' budget.

Before: a 100,000-call chain ``f()()()...`` took about 110 s in ``check`` (one
query of 80,000 calls alone took 48 s), and a call under 40,000 parentheses
took 68 s (each step up ``Node.parent`` costs the node's depth)."""

from __future__ import annotations

import json
import os
import time

from steadygo.config import Config
from steadygo.engine import scan
from steadygo.golang.functions import FunctionIndex
from steadygo.golang.parse import FUNC_TYPES, QUERY_DEPTH_LIMIT, ancestors, captures, parse
from steadygo.golang.source import GoFile

from helpers import ROOT
from runtime.hostile import run_guarded

PARTLY = "code nested too deeply for the analysis to reach its innermost part; file only partly analysed"


def _chain(calls: int) -> str:
    return "package p\nfunc g(){ f" + "()" * calls + "}\n"


def _nested_call(depth: int) -> str:
    return ('package main\n\nimport "net/http"\n\nfunc main() {\n\tx := ' + "(" * depth
            + 'http.ListenAndServe(":8080", nil)' + ")" * depth + "\n\t_ = x\n}\n")


def _module(tmp_path, source: str) -> str:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(source)
    return str(tmp_path)


def test_a_query_over_a_tree_deeper_than_the_cursor_can_count_stays_linear():
    tree = parse(_chain(80_000).encode())
    started = time.monotonic()
    calls = captures("(call_expression) @call", tree.root_node)["call"]
    assert time.monotonic() - started < 5  # 48 s before
    # the calls the cursor can reach are all there; the rest is what F20's warning is for
    assert QUERY_DEPTH_LIMIT - 10 < len(calls) <= QUERY_DEPTH_LIMIT


def test_a_100k_call_chain_is_checked_in_seconds_and_said_to_be_partly_analysed(tmp_path):
    root = _module(tmp_path, _chain(100_000))
    # a budget far above the cap: what keeps this short must not be the budget
    os.environ["STEADYGO_FILE_BUDGET"] = "600"
    try:
        run = run_guarded(["check", root, "--no-cache", "--isolated", "--jobs", "1", "--format", "json"],
                          time_cap=30, cwd=root)
    finally:
        del os.environ["STEADYGO_FILE_BUDGET"]
    assert run.seconds < 20, run.seconds
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [(d["path"], d["message"]) for d in doc["diagnostics"]] == [("main.go", PARTLY)]
    assert run.max_rss_mib < 400, run.max_rss_mib


def test_the_function_around_a_deep_node_is_found_without_climbing_parent_by_parent(tmp_path):
    root = _module(tmp_path, _nested_call(40_000))
    started = time.monotonic()
    res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
    assert time.monotonic() - started < 10  # 68 s before, in the facts pass
    assert [f.rule_id for f in res.findings] == ["SG101"] and res.diagnostics == []


def test_a_finding_just_above_the_depth_limit_is_reported_and_just_below_it_is_warned_about(tmp_path):
    # the warning and the cursor's reach use the same limit: nothing vanishes unannounced
    for depth, findings, diagnostics in ((QUERY_DEPTH_LIMIT - 20, ["SG101"], []),
                                         (QUERY_DEPTH_LIMIT + 10, [], [PARTLY])):
        d = tmp_path / str(depth)
        d.mkdir()
        root = _module(d, _nested_call(depth))
        res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
        assert [f.rule_id for f in res.findings] == findings
        assert [x.message for x in res.diagnostics] == diagnostics


def _climbed(node) -> list[int]:
    return [n.id for n in ancestors(node) if n.type in FUNC_TYPES]


def _fixture_sources():
    base = os.path.join(ROOT, "tests", "fixtures", "go")
    for d, _, names in sorted(os.walk(base)):
        for name in sorted(names):
            if name.endswith(".go"):
                yield os.path.join(d, name)


def test_enclosing_functions_from_spans_agree_with_climbing_the_tree():
    extra = {
        "equal-span.go": "package p\nvar f = func() { _ = func() {} }\n",  # expression_list spans the literal
        "broken.go": "package p\nfunc a() {\n\tgo func() {\n\t\tx := \n\t}()\n}\nfunc b() { c() }\n",
        "methods.go": "package p\ntype T int\nfunc (T) M() { defer func() { recover() }(); func() { g() }() }\n",
    }
    files = [(p, open(p, "rb").read()) for p in _fixture_sources()]
    files += [(name, text.encode()) for name, text in extra.items()]
    assert len(files) > 50
    checked = 0
    for path, source in files:
        file = GoFile(path, path, source)
        index = FunctionIndex(file)
        for node in captures("(_) @n", file.root)["n"]:
            assert [fi.node.id for fi in index.enclosing_chain(node)] == _climbed(node), (path, node)
            checked += 1
    assert checked > 10_000


def test_ancestors_with_the_root_give_the_same_nodes_in_the_same_order():
    source = _nested_call(200).encode()
    root = parse(source).root_node
    at = source.index(b"http.Listen")
    call = root.descendant_for_byte_range(at, at + 1)
    plain = list(ancestors(call))
    assert len(plain) > 200
    assert [n.id for n in ancestors(call, root=root)] == [n.id for n in plain]
    stop = plain[120]
    assert [n.id for n in ancestors(call, stop, root=root)] == [n.id for n in plain[:120]]
    assert list(ancestors(root, root=root)) == []


def _nested_handlers(depth: int) -> str:
    return ('package main\n\nimport "net/http"\n\nfunc main() {\n'
            + 'http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {\n' * depth
            + "})\n" * depth + "}\n")


def test_routes_in_nested_handlers_cost_no_more_than_the_square(tmp_path):
    # each route looked for a router prefix in every function around it,
    # rebuilding an assignment index each time: 1,000 levels ran > 300 s
    root = _module(tmp_path, _nested_handlers(1000))
    started = time.monotonic()
    res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
    assert time.monotonic() - started < 20
    assert res.diagnostics == []


def test_the_facts_pass_is_under_the_file_budget(tmp_path, monkeypatch):
    from steadygo import engine
    from steadygo.golang import facts as gofacts

    def expensive(pkg):
        end = time.monotonic() + 10
        while time.monotonic() < end:  # Python code the timer can interrupt, as the real facts pass is
            pass

    monkeypatch.setattr(engine, "FILE_BUDGET_SECONDS", 0.5)
    monkeypatch.setattr(gofacts, "extract_facts", expensive)
    root = _module(tmp_path, 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n')
    started = time.monotonic()
    res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
    assert time.monotonic() - started < 5
    assert [d.line() for d in res.diagnostics] == [
        "main.go: reading the facts of this package stopped after 0.5 s (code shaped to be expensive to analyse); "
        "checks that use them (listeners, routes, limits) may miss this package"]
    assert [f.rule_id for f in res.findings] == ["SG101"]  # the rules still ran
