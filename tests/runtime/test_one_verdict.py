"""One verdict: live evidence from `probe` joined with the static findings
of the same service by `check --evidence`.  livebroken's static SG101 (no
server timeouts) is proved by the live SG971 (slow clients held), its SG610
(pprof on DefaultServeMux) by SG961 (pprof answered on the probed port);
liveok has neither static finding, and its probe shows the live checks ran
and passed.  shutdown-test evidence proves livebroken's SG601 (no SIGTERM
handling), chaos evidence its SG105 (a client without timeout)."""

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


def test_shutdown_test_evidence_proves_the_static_shutdown_finding(gobuild, tmp_path):
    # livebroken has no SIGTERM handling (static SG601); shutdown-test sees
    # the signal kill it with requests in flight (SG981, SG984), and the
    # join marks SG601 proved.  liveok drains: no live finding, no verdict.
    from .live_procs import free_port

    verdicts = {}
    for name in ("livebroken", "liveok"):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        evidence = tmp_path / f"{name}.json"
        _steadygo("shutdown-test", "--isolated", "--url", base, "--load-path", "/work?ms=800", "--ready-url",
                  base + "/readyz", "--signal-after", "1", "--duration", "6", "--format", f"json={evidence}",
                  "--", str(gobuild(name)), "-addr", f"127.0.0.1:{port}")
        r = _steadygo("check", f"tests/runtime/goprogs/{name}", "--isolated", "--preview", "--evidence",
                      str(evidence), "--format", "json")
        findings = json.loads(r.stdout)["findings"]
        verdicts[name] = ({(f["rule_id"], f["live"]["verdict"], f["live"]["by"], f["live"]["command"])
                           for f in findings if f.get("live")},
                          {f["rule_id"] for f in findings if f["rule_id"].startswith("SG98")})
    live, measured = verdicts["livebroken"]
    assert any(v[0] == "SG601" and v[1] == "proved" and v[2] in ("SG981", "SG984") and v[3] == "shutdown-test"
               for v in live), live
    assert {"SG981", "SG984"} <= measured
    assert verdicts["liveok"] == (set(), set())


def test_chaos_evidence_proves_the_client_without_timeout(gobuild, tmp_path):
    # livebroken calls its upstream with http.Get (static SG105: the default
    # client has no timeout); behind a blackholing chaos proxy the call hangs
    # past the bound (SG991), and the join marks SG105 proved at its line.
    import urllib.error
    import urllib.request

    from .live_procs import read_stderr_line, steadygo_bg

    upstream, up_base = _serve(gobuild("liveok"))
    evidence = tmp_path / "chaos.json"
    try:
        chaos = steadygo_bg("chaos", "--isolated", "--listen", "127.0.0.1:0", "--upstream", up_base[len("http://"):],
                            "--blackhole-after", "0", "--hang-bound", "2s", "--duration", "5s",
                            "--format", f"json={evidence}")
        listen = read_stderr_line(chaos, "listening on").split("listening on ")[1].split(",")[0]
        service = subprocess.Popen([str(gobuild("livebroken")), "-addr", "127.0.0.1:0", "-upstream",
                                    "http://" + listen], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            base = "http://" + service.stdout.readline().decode().strip()
            try:
                urllib.request.urlopen(base + "/upstream", timeout=3.5).read()
            except (urllib.error.URLError, TimeoutError):
                pass  # it hangs: that is the point
            chaos.communicate(timeout=30)
        finally:
            service.kill()
            service.wait(timeout=10)
    finally:
        upstream.kill()
        upstream.wait(timeout=10)
    doc = json.loads(evidence.read_text())
    assert "SG991" in {f["rule_id"] for f in doc["findings"]}
    r = _steadygo("check", "tests/runtime/goprogs/livebroken", "--isolated", "--preview", "--evidence", str(evidence),
                  "--format", "json")
    live = {(f["rule_id"], f["live"]["verdict"], f["live"]["by"]) for f in json.loads(r.stdout)["findings"]
            if f.get("live")}
    assert ("SG105", "proved", "SG991") in live, live
