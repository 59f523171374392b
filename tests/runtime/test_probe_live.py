"""`steadygo probe` tells the two fixture services apart, finding by finding.

livebroken has every live breakpoint (no server timeouts, pprof and expvar on
the public port, a user-id label, a counter without _total, a two-bucket
histogram, /healthz and /readyz one handler whose body leaks versions and a
connection string, /work leaking a goroutine per request); liveok does each
of those right and serves pprof on a separate -admin listener.  Both are
probed with every check on, the same options, and their JSON evidence is
compared: each expected finding is present for livebroken, none of them for
liveok, and both runs evaluated the same live rules (so an absence is a pass,
not a check that did not run)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from . import hostile
from .runtime_helpers import GOPROGS, cli, source_line

HOLD = 6  # liveok cuts slow clients at 2 s (ReadHeaderTimeout) and idle ones at 5 s (IdleTimeout)
BURST = 30
PRIMED = 25  # /work requests before the probe: 25 distinct user_id values, over --min-distinct 20
SECRET = "s3cret-pw"  # the password in livebroken's health body: must never be printed


def _start(exe, *args) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen([str(exe), "-addr", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    lines = [proc.stdout.readline().decode().strip() for _ in range(2 if "-admin" in args else 1)]
    if not all(lines):
        proc.kill()
        pytest.fail(f"{exe.name} did not print its addresses")
    return proc, lines


def _prime(base: str) -> None:
    for _ in range(PRIMED):
        with urllib.request.urlopen(base + "/work?ms=1", timeout=10) as r:
            r.read()


def _probe(argv: list[str]) -> tuple[int, dict, str]:
    r = subprocess.run([sys.executable, "-m", "steadygo", "probe", *argv, "--isolated", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout), r.stderr


COMMON = ["--slow-clients", "--hold", str(HOLD), "--leak-burst", "/work", "--requests", str(BURST),
          "--timeout", "60"]


@pytest.fixture(scope="module")
def broken(gobuild, tmp_path_factory):
    proc, (addr,) = _start(gobuild("livebroken"))
    try:
        base = "http://" + addr
        _prime(base)
        d = tmp_path_factory.mktemp("probe-broken")
        rc, doc, err = _probe([base, *COMMON, "--format", f"text={d / 'report.txt'}",
                               "--format", f"sarif={d / 'report.sarif'}"])
        yield {"base": base, "rc": rc, "doc": doc, "stderr": err, "dir": d}
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def ok(gobuild):
    proc, (addr, admin) = _start(gobuild("liveok"), "-admin", "127.0.0.1:0")
    try:
        base = "http://" + addr
        _prime(base)
        rc, doc, err = _probe([base, *COMMON, "--pprof-url", f"http://{admin}/debug/pprof/"])
        yield {"base": base, "rc": rc, "doc": doc, "stderr": err}
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _findings(run, rule: str) -> list[dict]:
    return [f for f in run["doc"]["findings"] if f["rule_id"] == rule]


LEAK_LINE = source_line(GOPROGS / "livebroken" / "main.go", "go func() { <-parked }()")

# rule -> (severity, what the finding must say) for livebroken
EXPECTED = {
    "SG941": ("warning", lambda f, b: f["path"] == b + "/metrics" and "'orders_processed'" in f["message"]
              and "_total" in f["message"]),
    "SG944": ("warning", lambda f, b: "'user_id' holds UUIDs" in f["message"]),
    "SG945": ("info", lambda f, b: "'request_latency_seconds' has 1 finite bucket" in f["message"]),
    "SG953": ("warning", lambda f, b: f["path"] == b + "/readyz" and "what /healthz answers" in f["message"]),
    "SG954": ("error", lambda f, b: f["path"] in (b + "/healthz", b + "/readyz") and "postgres://shop:****@"
              in f["message"] and "go1." in f["message"] and "internal host names" in f["message"]),
    "SG961": ("error", lambda f, b: f["path"] == b + "/debug/pprof/" and "goroutines right now" in f["message"]),
    "SG962": ("warning", lambda f, b: f["path"] == b + "/debug/vars" and "cmdline" in f["message"]),
    "SG971": ("error", lambda f, b: "3 of 3 slow clients" in f["message"] and f"after {HOLD}.0 s" in f["message"]),
    "SG972": ("warning", lambda f, b: "idle keep-alive connection was still open" in f["message"]),
    "SG906": ("warning", lambda f, b: f"livebroken/main.go:{LEAK_LINE} grew by {BURST}" in f["message"]
              and "goroutines created by main.work" in f["message"]),
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_broken_has_each_expected_finding(broken, rule):
    severity, says = EXPECTED[rule]
    found = _findings(broken, rule)
    assert found, f"{rule} missing: {[f['rule_id'] for f in broken['doc']['findings']]}"
    assert all(f["severity"] == severity and says(f, broken["base"]) for f in found), found


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_ok_has_none_of_them(ok, rule):
    severity, _ = EXPECTED[rule]
    assert not [f for f in _findings(ok, rule) if f["severity"] == severity], _findings(ok, rule)


def test_ok_findings_and_exit_codes(ok, broken):
    # liveok's terse "ok" on /healthz and /readyz is only a hint (info): one
    # probe cannot see that its readiness turns 503 before the drain.
    assert [(f["rule_id"], f["severity"]) for f in ok["doc"]["findings"]] == [("SG953", "info")]
    assert ok["rc"] == 0 and ok["stderr"] == ""
    assert broken["rc"] == 1 and broken["stderr"] == ""


def test_both_runs_evaluated_the_same_live_rules(ok, broken):
    want = set(EXPECTED) | {"SG951", "SG952", "SG942", "SG943", "SG901"}
    for run in (ok, broken):
        ev = run["doc"]["evidence"]
        assert ev["command"] == "probe" and ev["target"] == run["base"]
        assert want <= set(ev["checked_rules"]), sorted(want - set(ev["checked_rules"]))
        assert ev["not_checked"] == []
    assert "SG946" not in broken["doc"]["evidence"]["checked_rules"]  # no --slo-latency: not evaluated


def test_measured_timeouts(ok, broken):
    ok_ev, bad_ev = ok["doc"]["evidence"], broken["doc"]["evidence"]
    # liveok: ReadHeaderTimeout 2 s, IdleTimeout 5 s, both measured.
    assert ok_ev["slow_clients"]["held"] == 0 and len(ok_ev["slow_clients"]["cut_after_seconds"]) == 3
    assert all(1.5 <= s <= 4.0 for s in ok_ev["slow_clients"]["cut_after_seconds"]), ok_ev["slow_clients"]
    assert 4.0 <= ok_ev["idle_connection"]["closed_after_seconds"] <= HOLD, ok_ev["idle_connection"]
    assert bad_ev["slow_clients"] == {"opened": 3, "held": 3, "bound_seconds": HOLD, "cut_after_seconds": []}
    assert bad_ev["idle_connection"]["closed_after_seconds"] is None


def test_leak_burst_growth(ok, broken):
    bad, good = broken["doc"]["evidence"]["leak_burst"], ok["doc"]["evidence"]["leak_burst"]
    assert bad["answers"] == {"2xx": BURST} and good["answers"] == {"2xx": BURST}
    # By creation site, not in total: the probe's own closed connections
    # take their goroutines with them meanwhile.
    top = bad["growth_by_site"][0]
    assert top["site"].startswith("main.work ") and top["after"] - top["before"] == BURST, top
    assert all(g["after"] - g["before"] < BURST // 2 for g in good["growth_by_site"]), good["growth_by_site"]
    pprof = broken["doc"]["evidence"]["pprof"]
    assert f"reports {pprof['goroutines']:,} goroutines" in _findings(broken, "SG961")[0]["message"]


def test_the_password_is_masked_in_every_report(broken):
    d = broken["dir"]
    text, sarif = (d / "report.txt").read_text(), (d / "report.sarif").read_text()
    assert "SG954" in text and "postgres://shop:****@db.internal" in text
    rule_ids = {r["ruleId"] for run in json.loads(sarif)["runs"] for r in run["results"]}
    assert set(EXPECTED) <= rule_ids
    for out in (text, sarif, json.dumps(broken["doc"])):
        assert SECRET not in out


def test_timeout_bounds_the_whole_probe(gobuild):
    """A --hold far past --timeout: the slow-client check gets what is left."""
    proc, (addr,) = _start(gobuild("livebroken"))
    try:
        r = hostile.run_guarded(["probe", "http://" + addr, "--slow-clients", "--hold", "60", "--timeout", "5",
                                 "--isolated", "--format", "json"], 60)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    ev = json.loads(r.stdout)["evidence"]
    assert r.seconds < 5 + 20 and ev["seconds"] <= 5.5, (r.seconds, ev["seconds"])
    assert ev["slow_clients"]["bound_seconds"] < 5 and "SG971" in ev["checked_rules"]


def test_live_rules_are_listed_explained_and_declare_what_they_prove(capsys):
    from steadygo import registry

    by_id = registry.rules_by_id()
    proves = {rid: by_id[rid].meta.proves for rid in ("SG951", "SG961", "SG971", "SG972", "SG954")}
    assert proves == {"SG951": ("SG611",), "SG961": ("SG610",), "SG971": ("SG101", "SG102"),
                      "SG972": ("SG104",), "SG954": ()}
    assert all(by_id[p] for ps in proves.values() for p in ps)  # each names a registered static rule
    assert cli(["rules", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    for rid in ("SG951", "SG952", "SG953", "SG954", "SG961", "SG962", "SG971", "SG972"):
        assert rows[rid]["status"] == "preview" and rows[rid]["layer"] == "runtime"
    assert cli(["explain", "slow-client-not-cut"]) == 0
    assert "# SG971: slow-client-not-cut" in capsys.readouterr().out
