"""One verdict: live evidence from `probe` joined with the static findings
of the same service by `check --evidence`.  livebroken's static SG101 (no
server timeouts) is proved by the live SG971 (slow clients held), its SG610
(pprof on DefaultServeMux) by SG961 (pprof answered on the probed port);
liveok has neither static finding, and its probe shows the live checks ran
and passed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .runtime_helpers import GOPROGS

ROOT = GOPROGS.parent.parent.parent


def _serve(exe):
    proc = subprocess.Popen([str(exe), "-addr", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    addr = proc.stdout.readline().decode().strip()
    if not addr:
        proc.kill()
        pytest.fail(f"{exe.name} did not print its address")
    return proc, "http://" + addr


def _steadygo(*argv: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "steadygo", *argv], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert "Traceback" not in r.stderr, r.stderr
    return r


@pytest.mark.parametrize("name", ["livebroken", "liveok"])
def test_probe_evidence_proves_the_static_findings(gobuild, tmp_path, name):
    proc, base = _serve(gobuild(name))
    try:
        evidence = tmp_path / "probe.json"
        _steadygo("probe", base, "--slow-clients", "--hold", "4", "--timeout", "60", "--isolated",
                  "--format", f"json={evidence}")
    finally:
        proc.kill()
        proc.wait(timeout=10)
    doc = json.loads(evidence.read_text())
    assert {"SG961", "SG971"} <= set(doc["evidence"]["checked_rules"])
    r = _steadygo("check", f"tests/runtime/goprogs/{name}", "--isolated", "--preview", "--evidence", str(evidence), "--format", "json")
    findings = json.loads(r.stdout)["findings"]
    live = {(f["rule_id"], f["live"]["verdict"], f["live"]["by"]) for f in findings if f.get("live")}
    if name == "livebroken":
        assert {("SG101", "proved", "SG971"), ("SG610", "proved", "SG961")} <= live
        # The live findings themselves are in the same report, located at the URL.
        assert any(f["rule_id"] == "SG971" and f["path"].startswith(base) for f in findings)
    else:
        assert not [f for f in findings if f["rule_id"] in ("SG101", "SG102", "SG610", "SG961", "SG971")]
        assert not live
