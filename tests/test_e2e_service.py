"""The end-to-end fixture service: tests/fixtures/e2e/shop-broken (code, two
Dockerfiles, manifests, .steadygo.toml) where every cross-artifact check
fires, and shop-fixed, its twin where none does and no code-layer limit advice
is left over.  Both compile for real; expectations sit next to the offending
lines in every file and are checked both ways."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

import pytest

from conftest import FIXTURES
from wantfile import expectations

E2E = os.path.join(FIXTURES, "e2e")
BROKEN = os.path.join(E2E, "shop-broken")
FIXED = os.path.join(E2E, "shop-fixed")
CROSS = {"SG806", "SG813", "SG820", "SG821", "SG822", "SG823", "SG825", "SG826", "SG827", "SG828", "SG829", "SG830"}


def _go() -> str:
    venv_go = os.path.join(os.path.dirname(sys.executable), "go")
    return venv_go if os.path.exists(venv_go) else shutil.which("go")


def _steadygo(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "steadygo", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120)


def _wants(root):
    want = Counter()
    for d, _, files in os.walk(root):
        for name in files:
            full = os.path.join(d, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            for (line, rid), n in expectations(open(full, encoding="utf-8").read()).items():
                want[(rel, line, rid)] += n
    return want


def _findings(root, *extra, stdin=None):
    proc = _steadygo("check", ".", "--preview", "--no-cache", "--format", "json", "--exit-zero", *extra,
                     cwd=root, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("root", [BROKEN, FIXED], ids=["broken", "fixed"])
def test_twins_compile_for_real(root):
    # the build cache the runtime tests share, so the standard library is compiled once per machine
    cache = os.environ.get("STEADYGO_TEST_GOCACHE") or os.path.join(tempfile.gettempdir(), "steadygo-test-gocache")
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOPROXY="off", GOCACHE=cache,
               CGO_ENABLED=os.environ.get("CGO_ENABLED", "1"))
    proc = subprocess.run([_go(), "build", "-o", os.devnull, "./..."], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_broken_twin_every_cross_check_fires_and_nothing_else():
    report = _findings(BROKEN)
    got = Counter((f["path"], f["line"], f["rule_id"]) for f in report["findings"])
    want = _wants(BROKEN)
    assert got == want, f"missing {sorted(want - got)}\nunexpected {sorted(got - want)}"
    assert CROSS <= {rid for _, _, rid in got}
    # the joined verdicts replace the code layer's guesses about the deployment
    assert not {"SG605", "SG620", "SG621", "SG701"} & {rid for _, _, rid in got}
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    assert "25 s < preStop 10 s + Shutdown 20 s + 2 s margin = 32 s" in by_rule["SG820"]["message"]
    assert "25 x 14 pod(s)" in by_rule["SG828"]["message"]
    # a cross-artifact finding names every file it joins
    assert {r["path"] for r in by_rule["SG827"]["related"]} == {"Dockerfile.worker", "cmd/worker/main.go"}
    assert [r["path"] for r in by_rule["SG830"]["related"]] == ["cmd/worker/main.go"]


def test_broken_twin_sarif_related_locations(tmp_path):
    out = tmp_path / "r.sarif"
    proc = _steadygo("check", ".", "--preview", "--no-cache", "--format", f"sarif={out}", "--exit-zero", cwd=BROKEN)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())["runs"][0]["results"]
    sg820 = next(r for r in results if r["ruleId"] == "SG820")
    related = sg820["relatedLocations"]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "cmd/shop/main.go"
    assert related[0]["physicalLocation"]["region"]["startLine"] > 0


def test_fixed_twin_has_no_finding_at_all():
    report = _findings(FIXED)
    assert report["findings"] == [], [(f["rule_id"], f["path"], f["line"], f["message"]) for f in report["findings"]]


def test_fixed_twin_code_advice_needs_the_manifests(tmp_path):
    """Without the deployment, the code layer still guesses (SG620):
    the fixed twin's silence comes from the joined verdict, not from rules
    that never fire."""
    code_only = tmp_path / "shop"
    shutil.copytree(FIXED, code_only, ignore=shutil.ignore_patterns("deploy"))
    rules = {f["rule_id"] for f in _findings(str(code_only))["findings"]}
    assert "SG620" in rules  # (SG621's hand-over is proven by the SG813 fixture trees: this twin is go 1.27)
    # the same manifests piped in (helm template ... | steadygo check --k8s - .) settle them again
    manifests = open(os.path.join(FIXED, "deploy", "shop.yaml"), encoding="utf-8").read()
    assert _findings(str(code_only), "--k8s", "-", stdin=manifests)["findings"] == []


def test_broken_manifests_on_stdin_are_joined_the_same_way(tmp_path):
    code_only = tmp_path / "shop"
    shutil.copytree(BROKEN, code_only, ignore=shutil.ignore_patterns("deploy"))
    text = "---\n".join(open(os.path.join(BROKEN, "deploy", n), encoding="utf-8").read()
                        for n in ("shop.yaml", "worker.yaml"))
    rules = Counter(f["rule_id"] for f in _findings(str(code_only), "--k8s", "-", stdin=text)["findings"]
                    if f["path"] == "<stdin>")
    assert set(rules) == CROSS - {"SG829"}  # SG829 is reported on the Go file


def test_facts_show_deploy_facts_and_how_each_link_was_made():
    proc = _steadygo("facts", ".", "--format", "json", cwd=BROKEN)
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    links = {c["workload"]: c for c in facts["links"]["containers"]}
    assert links["Deployment/worker"]["dockerfile"] == "Dockerfile.worker"
    assert "image name 'worker'" in links["Deployment/worker"]["how"]
    assert {w["name"] for w in facts["deploy"]["workloads"]} == {"shop", "worker"}
    assert {d["path"] for d in facts["build"]["dockerfiles"]} == {"Dockerfile.shop", "Dockerfile.worker"}
    # the readiness-flip verdict SG605 and SG830 share: shop fails /readyz before Shutdown, worker does not
    assert {s["location"]["path"]: s["readiness_flip"] for s in facts["shutdown_calls"]} == {
        "cmd/shop/main.go": "flipped", "cmd/worker/main.go": "no_flip"}
    text = _steadygo("facts", ".", cwd=BROKEN).stdout
    assert "Deployment/shop container shop runs Dockerfile.shop -> example.com/shop" in text
    assert "readiness=no_flip  cmd/worker/main.go:43" in text
