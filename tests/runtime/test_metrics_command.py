"""`steadygo metrics`: the findings of each stored exposition, checked both
ways (every expected finding, and nothing else), the summary table before
the findings, the JSON evidence, exit codes, baseline, and a live URL that
negotiates the format (Accept) and gzip."""

from __future__ import annotations

import gzip
import http.server
import json
import threading

import pytest

from .runtime_helpers import FIXTURES, cli

METRICS = FIXTURES / "metrics"
BROKEN = METRICS / "broken.prom"

# (rule, line, words the message must hold) of broken.prom with --max-series 20 --slo-latency 0.3
BROKEN_WANT = {
    ("SG941", 2, "counter 'http_requests': counter metrics should have \"_total\" suffix"),
    ("SG941", 5, "histogram 'request_latency_ms': metric names should not contain abbreviated units"),
    ("SG945", 5, "histogram 'request_latency_ms' has 1 finite bucket(s) (100), fewer than 5"),
    ("SG941", 11, "gauge 'cacheHits': metric names should be written in 'snake_case' not 'camelCase'"),
    ("SG942", 11, "gauge 'cacheHits' has no HELP line"),
    ("SG946", 13, "'rpc_duration_seconds' has no bucket bound near the 0.3 s latency SLO (the nearest bound is 0.2 s)"),
    ("SG943", 24, "'orders_total' exposes 30 series (threshold 20); label 'customer' has the most distinct values (30)"),
    ("SG944", 24, "'orders_total' label 'customer' holds e-mail addresses (30 distinct values"),
    ("SG944", 24, "'orders_total' label 'order_id' holds numeric ids (30 distinct values"),
}


def _run(capsys, argv):
    rc = cli(["metrics", *argv, "--isolated", "--format", "json"])
    out, err = capsys.readouterr()
    assert err == "", err
    return rc, json.loads(out)


def _matched(findings, want):
    got = [(f["rule_id"], f["line"], f["message"]) for f in findings]
    missing = [w for w in want if not any(g[0] == w[0] and g[1] == w[1] and w[2] in g[2] for g in got)]
    extra = [g for g in got if not any(g[0] == w[0] and g[1] == w[1] and w[2] in g[2] for w in want)]
    assert not missing and not extra, f"missing {missing}\nextra {extra}"


def test_broken_exposition_findings_both_ways(capsys):
    rc, doc = _run(capsys, [str(BROKEN), "--max-series", "20", "--slo-latency", "0.3"])
    assert rc == 1
    _matched(doc["findings"], BROKEN_WANT)
    ev = doc["evidence"]
    assert ev["command"] == "metrics" and ev["checked_rules"] == [f"SG94{i}" for i in range(1, 7)]
    assert ev["summary"]["families"] == 5 and ev["summary"]["series"] == 45 and ev["summary"]["format"] == "text"
    assert ev["summary"]["top_families"][0] == {"family": "orders_total", "type": "counter", "series": 30, "line": 24,
                                                "top_label": "customer", "top_label_values": 30, "buckets": None}


def test_thresholds_move_the_verdicts(capsys):
    # Default --max-series 1000 and no --slo-latency: SG943 and SG946 stay quiet.
    rc, doc = _run(capsys, [str(BROKEN)])
    assert {f["rule_id"] for f in doc["findings"]} == {"SG941", "SG942", "SG944", "SG945"}
    rc, doc = _run(capsys, [str(BROKEN), "--min-distinct", "31", "--min-buckets", "1"])
    assert {f["rule_id"] for f in doc["findings"]} == {"SG941", "SG942"}


def test_clean_exposition_has_no_findings(capsys):
    rc, doc = _run(capsys, [str(METRICS / "clean.prom"), "--slo-latency", "0.25", "--max-series", "8"])
    assert rc == 0 and doc["findings"] == []
    assert doc["evidence"]["summary"]["top_families"][0]["buckets"] == 5


def test_text_report_leads_with_the_summary_table(capsys):
    rc = cli(["metrics", str(BROKEN), "--isolated", "--max-series", "20"])
    out = capsys.readouterr().out
    assert rc == 1
    head = out.index(f"{BROKEN}: 5 metric families, 45 series (text format")
    table = out.index("largest families")
    first_finding = out.index("SG941")
    assert head < table < out.index("orders_total") < first_finding
    assert "customer (30)" in out[table:first_finding]


def test_exit_zero_fail_on_and_baseline(capsys, tmp_path):
    assert cli(["metrics", str(BROKEN), "--isolated", "--exit-zero", "--format", "json"]) == 0
    capsys.readouterr()
    assert cli(["metrics", str(BROKEN), "--isolated", "--fail-on", "error", "--format", "json"]) == 0
    capsys.readouterr()
    from steadygo import baseline as baseline_mod
    from steadygo.findings import finding_from_dict

    rc, before = _run(capsys, [str(BROKEN)])
    known = [finding_from_dict(f) for f in before["findings"]]
    bl = str(tmp_path / "baseline.json")
    baseline_mod.save(baseline_mod.from_findings(known, bl), bl)
    rc, doc = _run(capsys, [str(BROKEN), "--baseline", bl])
    assert rc == 0 and known and all(f["suppressed"] == "baseline" for f in doc["findings"])
    assert len(doc["findings"]) == len(known)


class _Served(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server API
        _Served.seen.append(dict(self.headers))
        om = self.path == "/om"
        if om:
            body = b"# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total 1\n# EOF\n"
            ctype = "application/openmetrics-text; version=1.0.0; charset=utf-8"
        else:
            body = BROKEN.read_bytes()
            ctype = "text/plain; version=0.0.4; charset=utf-8"
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        if gz:
            body = gzip.compress(body)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    _Served.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Served)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    t.join(timeout=5)


def test_live_url_negotiates_format_and_gzip(capsys, served):
    rc, doc = _run(capsys, [served + "/metrics", "--max-series", "20", "--slo-latency", "0.3"])
    _matched(doc["findings"], BROKEN_WANT)  # the same verdicts as the file, located at the URL
    assert {f["path"] for f in doc["findings"]} == {served + "/metrics"}
    hdrs = _Served.seen[0]
    assert hdrs["Accept"].startswith("text/plain;version=0.0.4") and "application/openmetrics-text" in hdrs["Accept"]
    assert hdrs["Accept-Encoding"] == "gzip"
    # The server's Content-Type picks the parser: OpenMetrics counters are judged by their exposed _total name.
    rc, doc = _run(capsys, [served + "/om"])
    assert rc == 0 and doc["findings"] == [] and doc["evidence"]["summary"]["format"] == "openmetrics"
    assert doc["evidence"]["summary"]["top_families"][0]["family"] == "jobs_total"


@pytest.mark.parametrize("values, shape", [
    ([f"10.0.{i // 250}.{i % 250}" for i in range(30)], "IP addresses"),
    ([f"[2001:db8::{i:x}]:9090" for i in range(30)], "IP addresses"),
    ([f"10.0.0.{i}:{40000 + i}" for i in range(30)], "IP addresses"),
    ([f"/api/orders/{1000 + i}/items" for i in range(30)], "paths with ids in them"),
    ([f"/u/{i:08x}deadbeef" for i in range(30)], "paths with ids in them"),
    ([f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(30)], "UUIDs"),
    ([f"user{i}@example.com" for i in range(30)], "e-mail addresses"),
    ([str(100000 + i) for i in range(30)], "numeric ids"),
    ([f"{i:040x}" for i in range(1, 31)], "hex ids or hashes"),
    # Bounded sets: route templates, status codes, versions, 999.1.1.1 is no address.
    ([f"/api/v1/resource{chr(97 + i % 26)}/{{id}}" for i in range(30)], None),
    ([str(200 + i) for i in range(30)], None),
    ([f"999.{i}.1.1" for i in range(30)], None),
])
def test_label_value_shapes(values, shape):
    from steadygo.runtime import exposition_lint

    assert exposition_lint.value_shape(values) == shape


def test_the_two_fixture_services_told_apart_by_their_scrape(gobuild, capsys):
    # `steadygo metrics URL` on its own (not through probe): livebroken's
    # counter without _total, its UUID-valued user_id label and its
    # one-bucket histogram; liveok's scrape is clean.
    import subprocess
    import urllib.request

    got = {}
    for name in ("livebroken", "liveok"):
        proc = subprocess.Popen([str(gobuild(name)), "-addr", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        try:
            base = "http://" + proc.stdout.readline().decode().strip()
            for _ in range(25):  # 25 distinct user ids at livebroken: over --min-distinct 20
                with urllib.request.urlopen(base + "/work?ms=1", timeout=10) as r:
                    r.read()
            rc, doc = _run(capsys, [base + "/metrics", "--slo-latency", "0.25"])  # a liveok bound
        finally:
            proc.kill()
            proc.wait(timeout=10)
        assert doc["evidence"]["checked_rules"] == [f"SG94{i}" for i in range(1, 7)]
        got[name] = (rc, sorted((f["rule_id"], f["message"].split("'")[1]) for f in doc["findings"]))
    assert got["livebroken"][0] == 1 and {("SG941", "orders_processed"), ("SG942", "orders_processed"),
                                          ("SG944", "api_requests_total"), ("SG945", "request_latency_seconds"),
                                          ("SG946", "request_latency_seconds")} <= set(got["livebroken"][1])
    assert got["liveok"] == (0, []), got["liveok"]
