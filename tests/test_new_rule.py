"""scripts/new_rule.py, run in a temporary copy of the repository, leaves a
rule that imports, is registered, has a complete doc page and fixtures, and
runs on its own fixtures without an internal error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _copy(tmp_path):
    for part in ("src", "docs", "scripts", os.path.join("tests", "fixtures", "go")):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(tmp_path, part), symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _run(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": os.path.join(tmp_path, "src")}
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_new_rule_is_importable_registered_documented_and_runs(tmp_path):
    repo = _copy(tmp_path)
    p = _run(repo, "scripts/new_rule.py", "SG199", "server-without-max-header-bytes")
    assert p.returncode == 0, p.stderr
    rule_file = os.path.join(repo, "src/steadygo/golang/rules/sg1_http/sg199_server_without_max_header_bytes.py")
    assert os.path.exists(rule_file)
    fixtures = sorted(os.listdir(os.path.join(repo, "tests/fixtures/go/sg1_http")))
    assert [f for f in fixtures if f.startswith("sg199_")] == [f"sg199_{k}_{i}.go" for k in ("bad", "good") for i in (1, 2, 3)]

    check = """
import json, sys
from steadygo import docs_pages, registry
from steadygo.golang.rules import sg1_http
rule = registry.lookup("SG199")
page = docs_pages.page("SG199")
headings = [l.strip() for l in page.splitlines() if l.startswith("## ")]
print(json.dumps({
    "file": sys.modules[type(rule).__module__].__file__,
    "name": rule.meta.name, "status": rule.meta.status,
    "in_family": any(r is rule for r in sg1_http.RULES),
    "ids": [r.meta.id for r in sg1_http.RULES],
    "headings_ok": headings == list(docs_pages.REQUIRED_HEADINGS),
    "first_line": page.splitlines()[0],
}))
"""
    p = _run(repo, "-c", check)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert os.path.samefile(got["file"], rule_file)
    assert got["name"] == "server-without-max-header-bytes" and got["status"] == "preview"
    assert got["in_family"] and got["ids"] == sorted(got["ids"]) and got["ids"][-1] == "SG199"
    assert got["headings_ok"] and got["first_line"] == "# SG199: server-without-max-header-bytes"

    p = _run(repo, "-m", "steadygo", "check", "tests/fixtures/go/sg1_http/sg199_good_1.go", "--select", "SG199",
             "--preview", "--no-cache", "--isolated", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["diagnostics"] == []


def test_new_rule_refuses_a_taken_id(tmp_path):
    repo = _copy(tmp_path)
    p = _run(repo, "scripts/new_rule.py", "SG101", "something-else")
    assert p.returncode == 2 and "SG101 taken" in p.stderr
    assert not os.path.exists(os.path.join(repo, "src/steadygo/golang/rules/sg1_http/sg101_something_else.py"))
