"""`steadygo shutdown-test`: the two fixture services told apart finding by
finding (liveok drains: readiness 503 first, every request completes, exit
0; livebroken dies by SIGTERM mid-request with readiness still 200), the
grace period turned into a SIGKILL, the child's whole process group gone
after Ctrl-C or SIGTERM to steadygo, and bad input as one line with exit 2
and nothing left running."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest

from helpers import run_cli

from .live_procs import children_of, free_port, live_members, steadygo_bg

LOAD = "/work?ms=800"  # slow enough that the 4 workers are mid-request at SIGTERM


def _shutdown_test(exe, *extra, service_args=(), port=None):
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    p = run_cli("shutdown-test", "--isolated", "--format", "json", "--url", base, "--load-path", LOAD,
                "--ready-url", base + "/readyz", "--concurrency", "4", "--signal-after", "1", "--duration", "6",
                *extra, "--", str(exe), "-addr", f"127.0.0.1:{port}", *service_args)
    return p, (json.loads(p.stdout) if p.stdout.strip() else None)


def _rules(doc):
    return sorted(f["rule_id"] for f in doc["findings"])


def test_liveok_drains_and_livebroken_drops_requests_finding_by_finding(gobuild):
    ok, ok_doc = _shutdown_test(gobuild("liveok"))
    broken, broken_doc = _shutdown_test(gobuild("livebroken"))

    assert ok.returncode == 0, ok.stderr
    assert _rules(ok_doc) == []
    ev = ok_doc["evidence"]
    assert ev["command"] == "shutdown-test" and ev["target"].startswith("http://127.0.0.1:")
    assert ev["checked_rules"] == ["SG981", "SG982", "SG983", "SG984"]
    assert ev["requests"]["in_flight_at_sigterm"] >= 1 and ev["requests"]["failed"] == 0
    assert ev["requests"]["completed"] == ev["requests"]["sent"] >= 4
    rd = ev["readiness"]
    assert rd["status"] == 503 and rd["failed_before_listener_closed"]
    # liveok holds readiness at 503 for -drain-delay (1 s) before Shutdown closes the listener.
    assert rd["failed_at"] < 0.6 and rd["listener_closed_at"] >= 0.9
    assert ev["exit"]["code"] == 0 and ev["exit"]["signal"] is None
    assert 0.9 <= ev["exit"]["seconds_after_sigterm"] < 5
    assert ev["drops_requests_in_rolling_deploy"] is False

    assert broken.returncode == 1, broken.stderr
    assert _rules(broken_doc) == ["SG981", "SG982", "SG984"]
    ev = broken_doc["evidence"]
    assert ev["exit"]["signal"] == "SIGTERM" and ev["exit"]["code"] is None
    # Every request in flight at SIGTERM is cut, but one whose answer was
    # already on its way in the millisecond before the kill may complete.
    req = ev["requests"]
    assert req["in_flight_at_sigterm"] >= 1
    assert req["failed_in_flight_at_sigterm"] >= max(1, req["in_flight_at_sigterm"] - 1)
    assert ev["readiness"]["failed_at"] is None and not ev["readiness"]["failed_before_listener_closed"]
    assert ev["drops_requests_in_rolling_deploy"] is True
    by_rule = {f["rule_id"]: f for f in broken_doc["findings"]}
    assert "were in flight at SIGTERM" in by_rule["SG981"]["message"]
    assert "killed by SIGTERM" in by_rule["SG984"]["message"]
    assert "never answered non-2xx" in by_rule["SG982"]["message"]


def test_drain_past_the_grace_period_is_killed_like_kubernetes_does(gobuild):
    # A 3 s readiness drain against a 1.5 s grace period: SIGKILL at 1.5 s.
    # The address and the drain delay reach the service only through --env.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    script = f'exec {gobuild("liveok")} -addr "127.0.0.1:$SG_TEST_PORT" -drain-delay "$SG_TEST_DRAIN"'
    p = run_cli("shutdown-test", "--isolated", "--format", "json", "--url", base, "--load-path", LOAD,
                "--ready-url", base + "/readyz", "--signal-after", "1", "--duration", "6", "--grace-period", "1.5",
                "--env", f"SG_TEST_PORT={port}", "--env", "SG_TEST_DRAIN=3s", "--", "sh", "-c", script)
    doc = json.loads(p.stdout)
    assert p.returncode == 1, p.stderr
    assert _rules(doc) == ["SG983"]
    ex = doc["evidence"]["exit"]
    assert ex["killed_after_grace_period"] and ex["signal"] == "SIGKILL"
    assert 1.5 <= ex["seconds_after_sigterm"] < 4
    assert "killed with SIGKILL" in doc["findings"][0]["message"]


def test_a_wrapper_that_dies_on_sigterm_takes_its_server_with_it(gobuild):
    # sh runs liveok in the background and dies of the SIGTERM itself: in a
    # container that is PID 1 exiting, and the server goes with it.  The
    # server's group is killed at once, so its in-flight requests are cut,
    # not finished by a process a real pod would no longer have.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    script = f"{gobuild('liveok')} -addr 127.0.0.1:{port} & wait"
    p = run_cli("shutdown-test", "--isolated", "--format", "json", "--url", base, "--load-path", LOAD,
                "--ready-url", base + "/readyz", "--signal-after", "1", "--duration", "6", "--", "sh", "-c", script)
    doc = json.loads(p.stdout)
    ev = doc["evidence"]
    assert p.returncode == 1, p.stderr
    assert ev["exit"]["signal"] == "SIGTERM" and ev["requests"]["in_flight_at_sigterm"] >= 1
    assert ev["requests"]["failed_in_flight_at_sigterm"] >= 1, ev["requests"]
    assert {"SG981", "SG984"} <= set(_rules(doc)) and ev["drops_requests_in_rolling_deploy"]


def _with_pprof(exe, public_pprof=False):
    port, admin = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    pprof = f"http://127.0.0.1:{port if public_pprof else admin}/debug/pprof/goroutine"
    args = ["-addr", f"127.0.0.1:{port}"] + ([] if public_pprof else ["-admin", f"127.0.0.1:{admin}"])
    # 300 ms requests: they have all ended well inside the 1 s drain delay,
    # when the goroutine count is read.
    p = run_cli("shutdown-test", "--isolated", "--format", "json", "--url", base, "--load-path", "/work?ms=300",
                "--ready-url", base + "/readyz", "--signal-after", "1", "--duration", "6", "--pprof-url", pprof,
                "--", str(exe), *args)
    return p, json.loads(p.stdout)


def test_goroutines_left_at_exit_tell_drainleak_from_liveok(gobuild):
    leak, leak_doc = _with_pprof(gobuild("drainleak"))
    ok, ok_doc = _with_pprof(gobuild("liveok"))

    assert leak.returncode == 1, leak.stderr
    assert _rules(leak_doc) == ["SG985"]
    g, sent = leak_doc["evidence"]["goroutines"], leak_doc["evidence"]["requests"]["sent"]
    assert g["measured"] and "SG985" in leak_doc["evidence"]["checked_rules"]
    assert g["last_at_exit"] - g["before_load"] == sent  # drainleak parks one goroutine per /work request
    assert f"{sent} outlived their requests" in leak_doc["findings"][0]["message"]

    assert ok.returncode == 0 and _rules(ok_doc) == []
    g = ok_doc["evidence"]["goroutines"]
    assert g["measured"] and "SG985" in ok_doc["evidence"]["checked_rules"]
    assert g["last_at_exit"] <= g["before_load"] + 2


def test_goroutines_unmeasurable_when_the_dump_dies_with_the_service(gobuild):
    # livebroken serves pprof on its public port and dies at SIGTERM: no
    # count after the requests ended, so SG985 is not evaluated (not "passed").
    p, doc = _with_pprof(gobuild("livebroken"), public_pprof=True)
    assert doc["evidence"]["goroutines"]["measured"] is False
    assert doc["evidence"]["checked_rules"] == ["SG981", "SG982", "SG983", "SG984"]
    assert "SG985" not in _rules(doc)


def test_report_formats_and_exit_zero(gobuild, tmp_path):
    sarif, junit = tmp_path / "s.sarif", tmp_path / "s.xml"
    p, doc = _shutdown_test(gobuild("livebroken"), "--exit-zero", "--format", f"sarif={sarif}",
                            "--format", f"junit={junit}")
    assert p.returncode == 0, p.stderr
    assert _rules(doc) == ["SG981", "SG982", "SG984"]
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["SG981", "SG982", "SG984"]
    # The location is the service URL (SARIF's reporter percent-encodes it as a relative URI).
    assert all("127.0.0.1" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert junit.read_text().count("SG98") >= 3


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never ready")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupting_steadygo_kills_the_whole_child_group(gobuild, tmp_path, sig):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # A shell that leaves a grandchild behind and execs the service: both
    # must go with the group.
    script = f"sleep 300 & exec {gobuild('liveok')} -addr 127.0.0.1:{port}"
    proc = steadygo_bg("shutdown-test", "--isolated", "--url", base, "--load-path", LOAD, "--ready-url",
                       base + "/readyz", "--signal-after", "60", "--duration", "60", "--", "sh", "-c", script)
    try:
        _wait_ready(base + "/readyz")
        kids = children_of(proc.pid)
        assert len(kids) == 1, kids
        pgid = os.getpgid(kids[0])
        assert pgid == kids[0] != os.getpgid(proc.pid)  # its own group
        assert len(live_members(pgid)) == 2  # the service and the sleep
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err.decode() and "interrupted" in err.decode()
    deadline = time.monotonic() + 5
    while live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_members(pgid) == []


def _bad(*argv):
    p = run_cli("shutdown-test", "--isolated", *argv)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and lines[0].startswith("steadygo: error: "), p.stderr
    return lines[0]


def test_command_not_found():
    port = free_port()
    msg = _bad("--url", f"http://127.0.0.1:{port}", "--ready-url", f"http://127.0.0.1:{port}/readyz", "--",
               "/nonexistent/steadygo-no-such-service")
    assert "/nonexistent/steadygo-no-such-service: command not found" in msg


def test_no_command_after_the_dashes():
    assert "needs the service command after --" in _bad("--url", "http://127.0.0.1:1", "--ready-url",
                                                         "http://127.0.0.1:1/readyz")


def test_service_that_exits_at_once(tmp_path):
    port = free_port()
    msg = _bad("--url", f"http://127.0.0.1:{port}", "--ready-url", f"http://127.0.0.1:{port}/readyz", "--",
               "sh", "-c", "echo listen: address already in use >&2; exit 3")
    assert "exited at once (exit code 3)" in msg and "listen: address already in use" in msg


def test_service_never_ready_is_stopped_with_its_group(gobuild, tmp_path):
    port, other = free_port(), free_port()
    pidfile = tmp_path / "pid"
    script = f"echo $$ > {pidfile}; exec {gobuild('liveok')} -addr 127.0.0.1:{port}"
    started = time.monotonic()
    msg = _bad("--url", f"http://127.0.0.1:{port}", "--ready-url", f"http://127.0.0.1:{other}/readyz",
               "--ready-timeout", "1.5", "--", "sh", "-c", script)
    assert time.monotonic() - started < 30
    assert f"http://127.0.0.1:{other}/readyz: not ready within 1.5 s (nothing answered)" in msg
    assert live_members(int(pidfile.read_text())) == []


def test_bad_env_pair():
    assert "--env 'NOEQUALS': expected K=V" in _bad("--url", "http://127.0.0.1:1", "--ready-url",
                                                    "http://127.0.0.1:1/r", "--env", "NOEQUALS", "--", "true")


@pytest.mark.parametrize("flag, value, limit", [("--concurrency", "100000", "64"), ("--concurrency", "0", "64"),
                                                ("--requests", "1000000", "10,000")])
def test_load_beyond_its_bounds_is_refused_before_anything_starts(tmp_path, flag, value, limit):
    # A hundred thousand worker threads took 40 s to start: the SIGTERM came
    # long after --signal-after and nothing was in flight.  Refused instead.
    marker = tmp_path / "started"
    p = run_cli("shutdown-test", "--isolated", "--url", "http://127.0.0.1:1", "--ready-url", "http://127.0.0.1:1/r",
                flag, value, "--", "touch", str(marker))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert f"argument {flag}: '{value}' is not between 1 and {limit}" in p.stderr
    assert not marker.exists()


def test_nothing_in_flight_at_sigterm_is_said(gobuild):
    # The load ended (--duration 1) before the signal (--signal-after 2):
    # "would drop no requests" proved nothing about in-flight requests.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    p = run_cli("shutdown-test", "--isolated", "--url", base, "--load-path", "/work?ms=10", "--ready-url",
                base + "/readyz", "--duration", "1", "--signal-after", "2", "--", str(gobuild("liveok")),
                "-addr", f"127.0.0.1:{port}")
    assert p.returncode == 0, p.stderr
    text = " ".join(p.stdout.split())
    assert "0 in flight at SIGTERM" in text and "a rolling deploy would drop no requests" in text
    assert ("note: no request was in flight at SIGTERM, so the drain of in-flight requests was not exercised: "
            "choose a slower --load-path, or a --signal-after below --duration (2 s vs 1 s)") in text
