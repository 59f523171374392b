"""`steadygo probe` against bad targets and hostile endpoints, each in a
child process with an address-space cap (time and peak RSS measured).

Two outcomes, per STYLE.md exit codes:
- a target that gives no HTTP answer at all (refused, DNS, TLS, silence,
  not HTTP) is unusable input: one line on stderr naming the URL, exit 2,
  no report;
- a target that answers but one endpoint misbehaves (endless body, 2 GB
  Content-Length, gzip bomb, redirect off the host, malformed exposition):
  the report is complete, the broken part is named once as not checked (and
  as one error line on stderr), its rules are not in checked_rules, exit 2.
A redirect or an error status on a health path is a finding (SG952)."""

from __future__ import annotations

import json
import socket

import pytest

from . import hostile

TIME_CAP = 60  # seconds: a hang fails the test instead of the suite
RSS_CAP_MIB = 400
SLACK = 20  # interpreter start-up and a loaded machine, on top of --timeout
HEALTHY = {"/healthz": lambda conn, stop: conn.sendall(hostile.answer(b"ok\n"))}


def _unusable(argv: list[str], timeout: float, *needles: str) -> hostile.Guarded:
    r = hostile.run_guarded(["probe", *argv, "--timeout", str(timeout), "--isolated"], TIME_CAP)
    hostile.assert_one_line_error(r.stderr, *needles)
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout)
    assert r.seconds < timeout + SLACK, r.seconds
    assert r.max_rss_mib < RSS_CAP_MIB, r.max_rss_mib
    return r


def _probe_json(base: str, *extra: str, timeout: float = 10) -> tuple[hostile.Guarded, dict]:
    r = hostile.run_guarded(["probe", base, "--timeout", str(timeout), "--isolated", "--format", "json", *extra],
                            TIME_CAP)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.seconds < timeout + SLACK, r.seconds
    assert r.max_rss_mib < RSS_CAP_MIB, r.max_rss_mib
    return r, json.loads(r.stdout)


def _broken_part(routes: dict, part: str, *needles: str, extra: tuple[str, ...] = ()) -> dict:
    """The health path answers; ``part`` misbehaves: report complete, that
    part named once as not checked, exit 2."""
    with hostile.routed_server({**HEALTHY, **routes}) as base:
        r, doc = _probe_json(base, "--max-bytes", "1M", *extra)
    ev = doc["evidence"]
    assert r.returncode == 2, (r.returncode, r.stderr)
    errors = [line for line in r.stderr.splitlines() if line]
    assert len(errors) == 1 and errors[0].startswith(f"steadygo: error: {part}: "), r.stderr
    for n in needles:
        assert n in errors[0], (n, errors[0])
    assert [n for n in ev["not_checked"] if n.startswith(part + ":")] == [errors[0][len("steadygo: error: "):]]
    assert "SG952" in ev["checked_rules"] and ev["health"][0]["status"] == 200
    return ev


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


# --------------------------------------------------------------------------- no HTTP answer at all: exit 2, one line


def test_connection_refused():
    port = _closed_port()
    _unusable([f"http://127.0.0.1:{port}"], 5, f"http://127.0.0.1:{port}/healthz: ", "ConnectError")


def test_dns_failure():
    _unusable(["http://steadygo-probe.invalid:8080"], 10, "steadygo-probe.invalid")


def test_tls_error():
    def plain_http(conn, stop):  # answers a TLS hello with plain text
        conn.sendall(hostile.answer(b"ok\n"))

    with hostile.hostile_server(plain_http) as base:
        _unusable([base.replace("http://", "https://")], 5, base.replace("http://", "https://") + "/healthz: ")


def test_accept_and_never_answer():
    def silent(conn, stop):
        stop.wait(30)

    with hostile.hostile_server(silent) as base:
        r = _unusable([base], 3, "no complete response within the 3 s time budget")
    assert r.seconds < 3 + SLACK


def test_silence_past_the_health_bound_names_that_bound_not_timeout():
    # --timeout 7 is not what cut the first answer at 5 s: the message says
    # which limit it was, so the user does not raise the wrong one.
    def silent(conn, stop):
        stop.wait(30)

    with hostile.hostile_server(silent) as base:
        r = _unusable([base, "--health-path", "/healthz"], 7,
                      "/healthz: no complete response within 5 s (the bound on one health answer")
    assert "(--timeout)" not in r.stderr
    assert r.seconds < 7 + SLACK


def test_non_http_bytes_on_the_port():
    def ssh(conn, stop):
        conn.sendall(b"\x00\x01SSH-2.0-OpenSSH\r\n" * 4)

    with hostile.hostile_server(ssh) as base:
        _unusable([base], 5, base + "/healthz: the answer is not valid HTTP: ")


def test_bad_url_is_a_usage_error():
    _unusable(["ftp://127.0.0.1/"], 5, "not a usable URL")


# --------------------------------------------------------------------------- one endpoint misbehaves: report + exit 2


def test_endless_metrics_body_is_capped():
    def endless(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        line = b"a_metric 1\n" * 1000
        while not stop.is_set():
            conn.sendall(line)

    ev = _broken_part({"/metrics": endless}, "metrics", "/metrics: response is over the 1 MiB limit")
    assert not {"SG941", "SG944"} & set(ev["checked_rules"])


def test_two_gigabyte_content_length_is_capped():
    def huge(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n")
        for _ in range(400):
            if stop.is_set():
                return
            conn.sendall(b"a_metric 1\n" * 10000)

    _broken_part({"/metrics": huge}, "metrics", "over the 1 MiB limit")


def test_gzip_bomb_is_stopped_at_the_limit():
    bomb = hostile.zeros_gzip(256 << 20)

    def serve(conn, stop):
        conn.sendall(hostile.answer(bomb, headers="Content-Type: text/plain\r\nContent-Encoding: gzip\r\n"))

    _broken_part({"/metrics": serve}, "metrics", "decompressed size is over the 1 MiB limit")


def test_redirect_of_metrics_to_another_host_is_not_followed():
    def away(conn, stop):
        conn.sendall(hostile.answer(b"", "302 Found", "Location: http://metrics.example.invalid/metrics\r\n"))

    _broken_part({"/metrics": away}, "metrics", "redirected to another host (metrics.example.invalid); not following")


def test_redirect_of_metrics_to_another_scheme_is_not_followed():
    def away(conn, stop):
        conn.sendall(hostile.answer(b"", "301 Moved Permanently", "Location: ftp://127.0.0.1/metrics\r\n"))

    _broken_part({"/metrics": away}, "metrics", "which is not an http(s) URL; not following")


def test_malformed_exposition():
    def bad(conn, stop):
        conn.sendall(hostile.answer(b"# HELP a x\n# TYPE a gauge\na 1\na{b=c} 2\n"))

    _broken_part({"/metrics": bad}, "metrics", "/metrics: line 4: malformed sample line")


def test_endless_trickle_on_metrics_is_given_up_on_in_time():
    def trickle(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
        hostile.trickle(conn, stop, b"a 1\n" * 100, every=0.2)

    ev = _broken_part({"/metrics": trickle}, "metrics", "time budget", extra=("--timeout", "4"))
    # The budget is the whole probe's: what came after metrics was not asked
    # for once it was used up, and says so.
    assert any("time budget" in n for n in ev["not_checked"] if not n.startswith("metrics:"))


# --------------------------------------------------------------------------- findings, not errors


def test_health_redirect_to_another_host_is_a_finding_not_followed():
    def away(conn, stop):
        conn.sendall(hostile.answer(b"", "302 Found", "Location: http://login.example.invalid/\r\n"))

    with hostile.routed_server({"/healthz": away}) as base:
        r, doc = _probe_json(base, "--health-path", "/healthz")
    found = [f for f in doc["findings"] if f["rule_id"] == "SG952"]
    assert r.returncode == 1 and len(found) == 1, (r.returncode, doc["findings"])
    assert "HTTP 302" in found[0]["message"] and "login.example.invalid" in found[0]["message"]
    assert "not followed" in found[0]["message"]


def test_no_health_endpoint_answers():
    with hostile.routed_server({}) as base:  # 404 for every path
        r, doc = _probe_json(base)
    ids = [f["rule_id"] for f in doc["findings"]]
    assert r.returncode == 1 and ids == ["SG951"], (r.returncode, ids)
    assert "/healthz 404" in doc["findings"][0]["message"] and doc["findings"][0]["path"] == base
    # 404 on /metrics, /debug/pprof/ and /debug/vars is absence, not breakage.
    assert {"SG951", "SG961", "SG962"} <= set(doc["evidence"]["checked_rules"])
    assert any(n.startswith("metrics:") and "HTTP 404" in n for n in doc["evidence"]["not_checked"])


def test_failing_and_slow_health_paths():
    def failing(conn, stop):
        conn.sendall(hostile.answer(b"db down\n", "503 Service Unavailable"))

    def slow(conn, stop):
        stop.wait(1.5)
        conn.sendall(hostile.answer(b"ok\n"))

    with hostile.routed_server({"/readyz": failing, "/livez": slow}) as base:
        r, doc = _probe_json(base, "--health-latency", "0.5")
    by_path = {f["path"]: f["message"] for f in doc["findings"] if f["rule_id"] == "SG952"}
    assert "HTTP 503" in by_path[base + "/readyz"]
    assert "threshold 0.5 s" in by_path[base + "/livez"]
    assert "SG951" not in {f["rule_id"] for f in doc["findings"]}


@pytest.mark.parametrize("ready_body, severity", [(b"ok\n", "info"),
                                                  (b'{"status":"ok","checks":{"db":"up","cache":"up"}}', "warning")])
def test_readiness_identical_to_liveness(ready_body, severity):
    same = lambda conn, stop: conn.sendall(hostile.answer(ready_body))  # noqa: E731
    with hostile.routed_server({"/healthz": same, "/readyz": same}) as base:
        _, doc = _probe_json(base)
    found = [f for f in doc["findings"] if f["rule_id"] == "SG953"]
    assert [(f["path"], f["severity"]) for f in found] == [(base + "/readyz", severity)]


def test_readiness_that_differs_is_not_reported():
    with hostile.routed_server({"/healthz": lambda c, s: c.sendall(hostile.answer(b"ok\n")),
                                "/readyz": lambda c, s: c.sendall(hostile.answer(b"ready\n"))}) as base:
        _, doc = _probe_json(base)
    assert "SG953" in doc["evidence"]["checked_rules"]
    assert not [f for f in doc["findings"] if f["rule_id"] == "SG953"]


def test_a_stack_trace_in_a_health_body_is_reported():
    trace = b"panic: runtime error\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:12 +0x1d\n"
    with hostile.routed_server({"/healthz": lambda c, s: c.sendall(hostile.answer(trace, "500 Internal Server Error"))}) as base:
        _, doc = _probe_json(base)
    leak = [f for f in doc["findings"] if f["rule_id"] == "SG954"]
    assert len(leak) == 1 and "a stack trace" in leak[0]["message"] and leak[0]["severity"] == "warning"


def test_a_hanging_health_path_is_a_finding_and_the_rest_still_runs():
    def hang(conn, stop):
        stop.wait(30)

    metrics = b"# HELP up_total Ups.\n# TYPE up_total counter\nup_total 1\n"
    with hostile.routed_server({"/healthz": lambda c, s: c.sendall(hostile.answer(b"ok\n")), "/readyz": hang,
                                "/metrics": lambda c, s: c.sendall(hostile.answer(metrics))}) as base:
        r, doc = _probe_json(base, "--health-path", "/healthz", "--health-path", "/readyz", timeout=20)
    found = [f for f in doc["findings"] if f["rule_id"] == "SG952"]
    assert r.returncode == 1 and [f["path"] for f in found] == [base + "/readyz"], (r.returncode, found)
    assert "no complete answer within 5 s" in found[0]["message"]
    assert doc["evidence"]["metrics"]["series"] == 1 and "SG941" in doc["evidence"]["checked_rules"]
    assert r.seconds < 5 + SLACK


def test_paths_are_under_the_urls_own_prefix():
    with hostile.routed_server({"/api/healthz": lambda c, s: c.sendall(hostile.answer(b"ok\n"))}) as base:
        r, doc = _probe_json(base + "/api/")
    health = {h["path"]: h["status"] for h in doc["evidence"]["health"]}
    assert health["/healthz"] == 200 and health["/readyz"] == 404
    assert r.returncode == 0 and not doc["findings"], doc["findings"]
    assert any(n.startswith(f"metrics: {base}/api/metrics answered HTTP 404") for n in doc["evidence"]["not_checked"])


def test_credentials_in_the_url_are_refused_masked():
    r = _unusable(["http://admin:hunter22@127.0.0.1:9/"], 5, "credentials in the URL are not supported",
                  "admin:****@127.0.0.1")
    assert "hunter22" not in r.stderr


def test_leak_burst_without_pprof_is_noted_not_run():
    with hostile.routed_server(HEALTHY) as base:
        r, doc = _probe_json(base, "--leak-burst", "/work", "--requests", "5")
    ev = doc["evidence"]
    assert r.returncode == 0 and "SG906" not in ev["checked_rules"] and "leak_burst" not in ev
    assert any(n.startswith("leak burst: no goroutine dump at") and "--pprof-url" in n for n in ev["not_checked"])
