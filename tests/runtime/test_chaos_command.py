"""`steadygo chaos`: liveok (2 s client timeout, one retry after 100 ms) and
livebroken (http.Get: no timeout, no retry) call a second liveok through a
chaos proxy each; chaos tells them apart finding by finding and number by
number.  Also: a retry storm (SG992), byte transparency, the end on SIGINT,
and bad input (port in use, upstream refused, bad flags)."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import run_cli

from .live_procs import free_port, read_stderr_line, start_service, steadygo_bg, stop

CALLS = 3  # parallel /upstream requests per service: parallel, so one call's next attempt is never taken for a retry


def _chaos(upstream: str, *flags: str):
    proc = steadygo_bg("chaos", "--isolated", "--format", "json", "--listen", "127.0.0.1:0", "--upstream", upstream,
                       *flags)
    line = read_stderr_line(proc, "listening on")
    return proc, line.split("listening on ")[1].split(",")[0]


def _finish(proc, timeout: float = 60.0):
    out, err = proc.communicate(timeout=timeout)
    err = getattr(proc, "early_stderr", "") + err.decode()
    assert "Traceback" not in err, err
    return proc.returncode, json.loads(out)


def _get(url: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # our own timeout: the service did not answer


def _drive(base: str, timeout: float) -> list[int]:
    with ThreadPoolExecutor(CALLS) as pool:
        return list(pool.map(lambda _: _get(base + "/upstream", timeout), range(CALLS)))


def _drive_apart(base: str, timeout: float, pause: float) -> list[int]:
    """One call at a time, ``pause`` apart: longer than the retry window, so
    a call's first attempt cannot be taken for the previous call's retry."""
    codes = []
    for i in range(CALLS):
        if i:
            time.sleep(pause)
        codes.append(_get(base + "/upstream", timeout))
    return codes


@pytest.fixture
def services(gobuild):
    """An upstream liveok; liveok and livebroken each calling it through its
    own chaos proxy (started by the test with the faults it wants)."""
    procs = []
    # Built before any proxy starts: a first build takes seconds of the proxy's --duration.
    liveok, livebroken = gobuild("liveok"), gobuild("livebroken")

    def run(*chaos_flags: str):
        upstream, up_addr = start_service(liveok)
        procs.append(upstream)
        chaos_ok, ok_addr = _chaos(up_addr, *chaos_flags)
        chaos_broken, broken_addr = _chaos(up_addr, *chaos_flags)
        procs.extend([chaos_ok, chaos_broken])
        ok, ok_base = start_service(liveok, "-upstream", f"http://{ok_addr}")
        broken, broken_base = start_service(livebroken, "-upstream", f"http://{broken_addr}")
        procs.extend([ok, broken])
        return (chaos_ok, "http://" + ok_base), (chaos_broken, "http://" + broken_base)

    yield run
    for p in procs:
        stop(p)


def _only_source(doc):
    assert list(doc["evidence"]["sources"]) == ["127.0.0.1"]
    return doc["evidence"]["sources"]["127.0.0.1"]


def test_blackhole_ok_fails_fast_and_retries_once_broken_hangs(services):
    (chaos_ok, ok), (chaos_broken, broken) = services("--blackhole-after", "0", "--hang-bound", "5",
                                                      "--duration", "9")
    with ThreadPoolExecutor(2) as pool:
        ok_codes, broken_codes = pool.map(lambda b: _drive(b, 8.0), (ok, broken))
    assert ok_codes == [502] * CALLS  # both attempts timed out: liveok answers 502 at ~4.1 s
    assert broken_codes == [0] * CALLS  # livebroken never answers: our 8 s timeout ends the wait

    rc_ok, doc_ok = _finish(chaos_ok)
    rc_broken, doc_broken = _finish(chaos_broken)
    for doc in (doc_ok, doc_broken):
        assert doc["evidence"]["command"] == "chaos" and doc["evidence"]["checked_rules"] == ["SG991", "SG992"]
        assert doc["evidence"]["target"].startswith("127.0.0.1:")

    assert rc_ok == 0 and doc_ok["findings"] == []
    s = _only_source(doc_ok)
    assert s["connections"] == 2 * CALLS and s["gave_up"] == 2 * CALLS and s["hung_past_bound"] == 0
    assert 1.8 <= s["gave_up_after"]["min"] <= s["gave_up_after"]["max"] <= 3.0  # the 2 s client timeout, measured
    assert s["retries"] == CALLS and s["longest_retry_chain"] == 1
    assert all(0.05 <= g <= 0.6 for g in s["retry_gaps"])  # the 100 ms pause before the retry

    assert rc_broken == 1
    assert [f["rule_id"] for f in doc_broken["findings"]] == ["SG991"]
    s = _only_source(doc_broken)
    assert s["connections"] == CALLS and s["hung_past_bound"] == CALLS and s["gave_up"] == 0 and s["retries"] == 0
    assert s["longest_wait"] >= 5
    assert f"{CALLS} call(s) from 127.0.0.1 waited past the 5 s bound" in doc_broken["findings"][0]["message"]
    assert doc_broken["findings"][0]["path"] == "tcp://" + doc_broken["evidence"]["target"]


def test_latency_ok_gives_up_at_its_timeout_broken_waits_it_out(services):
    (chaos_ok, ok), (chaos_broken, broken) = services("--latency", "3s", "--hang-bound", "2.5s", "--duration", "7s")
    with ThreadPoolExecutor(2) as pool:
        ok_codes, broken_codes = pool.map(lambda b: _drive(b, 6.0), (ok, broken))
    assert ok_codes == [502] * CALLS and broken_codes == [200] * CALLS

    rc_ok, doc_ok = _finish(chaos_ok)
    rc_broken, doc_broken = _finish(chaos_broken)
    assert rc_ok == 0 and doc_ok["findings"] == []
    s = _only_source(doc_ok)
    assert s["gave_up"] == 2 * CALLS and s["answered"] == 0 and s["retries"] == CALLS
    assert 1.8 <= s["gave_up_after"]["min"] <= s["gave_up_after"]["max"] <= 2.49

    assert rc_broken == 1 and [f["rule_id"] for f in doc_broken["findings"]] == ["SG991"]
    s = _only_source(doc_broken)
    assert s["answered"] == CALLS and s["gave_up"] == 0 and 2.9 <= s["longest_wait"] < 4.5


def test_resets_show_one_retry_per_call_for_ok_and_none_for_broken(services):
    (chaos_ok, ok), (chaos_broken, broken) = services("--reset-rate", "1", "--hang-bound", "2", "--duration", "6",
                                                      "--retry-window", "0.5")
    with ThreadPoolExecutor(2) as pool:
        ok_codes, broken_codes = pool.map(lambda b: _drive_apart(b, 3.0, 1.0), (ok, broken))
    assert ok_codes == [502] * CALLS and broken_codes == [502] * CALLS

    rc_ok, doc_ok = _finish(chaos_ok)
    rc_broken, doc_broken = _finish(chaos_broken)
    assert rc_ok == 0 and rc_broken == 0 and doc_ok["findings"] == doc_broken["findings"] == []
    s_ok, s_broken = _only_source(doc_ok), _only_source(doc_broken)
    assert s_ok["reset_by_proxy"] == 2 * CALLS and s_ok["retries"] == CALLS and s_ok["longest_retry_chain"] == 1
    assert s_broken["reset_by_proxy"] == CALLS and s_broken["retries"] == 0


@pytest.mark.parametrize("report", [(), ("--fail-on", "error")], ids=["default", "fail-on-error"])
def test_retry_storm_is_reported(gobuild, tmp_path, report):
    sarif = tmp_path / "chaos.sarif"
    upstream, up_addr = start_service(gobuild("liveok"))
    try:
        proc, addr = _chaos(up_addr, "--reset-rate", "1", "--hang-bound", "1", "--duration", "6", "--max-retries", "3",
                            "--format", f"sarif={sarif}", *report)
        host, port = addr.rsplit(":", 1)
        for _ in range(8):  # a client that reconnects at once after every reset, eight times
            try:
                with socket.create_connection((host, int(port)), timeout=5) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.recv(10)
            except ConnectionResetError:
                pass
        rc, doc = _finish(proc)
    finally:
        stop(upstream)
    assert [f["rule_id"] for f in doc["findings"]] == ["SG992"], doc["evidence"]["connections"]
    # SG992 is a warning: it fails the default run and not a --fail-on error one.
    assert rc == (0 if report else 1)
    assert "retried 7 times in a row, each within 1 s" in doc["findings"][0]["message"]
    assert _only_source(doc)["longest_retry_chain"] == 7
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SG992"]


def _echo_server():
    srv = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with c:
                while data := c.recv(65536):
                    c.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _stop(srv) -> None:
    """Really stop listening: on Linux, close() alone leaves a socket that
    another thread is blocked in accept() on still accepting (the test saw
    the "dead" dependency answer 'ping'); shutdown wakes that accept first."""
    try:
        srv.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or never listened
    srv.close()


def test_bytes_pass_unchanged_and_sigint_ends_the_run_with_a_report():
    srv = _echo_server()
    try:
        proc, addr = _chaos("127.0.0.1:%d" % srv.getsockname()[1], "--duration", "60")
        payload = os.urandom(1 << 20)
        host, port = addr.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            threading.Thread(target=s.sendall, args=(payload,), daemon=True).start()
            got = b""
            while len(got) < len(payload):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        assert got == payload
        proc.send_signal(signal.SIGINT)
        rc, doc = _finish(proc, timeout=20)
    finally:
        srv.close()
    assert rc == 0 and doc["findings"] == []
    assert doc["evidence"]["duration"] < 50  # ended by SIGINT, not by --duration
    row = doc["evidence"]["connections"][0]
    assert row["bytes_up"] == row["bytes_down"] == len(payload)


def test_connections_over_the_limit_are_reset_at_once():
    srv = _echo_server()
    try:
        proc, addr = _chaos("127.0.0.1:%d" % srv.getsockname()[1], "--max-connections", "1", "--duration", "4",
                            "--hang-bound", "3")
        host, port = addr.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as held:
            held.sendall(b"ping")
            assert held.recv(4) == b"ping"  # the one allowed connection works
            try:
                with socket.create_connection((host, int(port)), timeout=5) as extra:
                    extra.sendall(b"x")
                    got = extra.recv(1)
            except ConnectionResetError:  # on connect, send or receive: the RST may come at any of them
                got = None
            assert got is None  # reset, not answered and not closed politely
        rc, doc = _finish(proc)
    finally:
        srv.close()
    assert rc == 0
    rows = doc["evidence"]["connections"]
    assert [(r["fault"], r["ended_by"]) for r in rows][1] == ("over-limit", "over-limit")
    assert _only_source(doc)["over_limit"] == 1


def _round_trip(host: str, port: int, payload: bytes = b"ping") -> bytes:
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(payload)
            return s.recv(len(payload))
    except ConnectionResetError:
        return b"<reset>"


def test_jitter_spreads_the_latency_and_a_dead_upstream_is_a_failed_connection():
    srv = _echo_server()
    try:
        proc, addr = _chaos("127.0.0.1:%d" % srv.getsockname()[1], "--latency", "0.6s", "--jitter", "0.4s",
                            "--seed", "7", "--duration", "8", "--hang-bound", "3")
        host, port = addr.rsplit(":", 1)
        answers = [_round_trip(host, int(port)) for _ in range(4)]
        _stop(srv)  # the dependency goes away mid-run
        answers.append(_round_trip(host, int(port)))
        proc.send_signal(signal.SIGINT)
        rc, doc = _finish(proc)
    finally:
        srv.close()
    assert answers == [b"ping"] * 4 + [b"<reset>"]
    rows = doc["evidence"]["connections"]
    waits = [r["waits"][0] for r in rows[:4]]
    assert all(0.15 <= w <= 1.3 for w in waits) and max(waits) - min(waits) > 0.05, waits
    assert rows[4]["fault"] == rows[4]["ended_by"] == "upstream-refused"
    assert _only_source(doc)["upstream_refused"] == 1 and rc == 0


def _bad(*argv):
    """Exit 2 and one error line (argparse's own flag errors come after its
    usage text, as for every command)."""
    p = run_cli("chaos", "--isolated", *argv)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and lines and lines[-1].startswith("steadygo"), p.stderr
    assert len(lines) == 1 or lines[0].startswith("usage: "), p.stderr
    return lines[-1]


def test_port_in_use():
    up = socket.create_server(("127.0.0.1", 0))
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        msg = _bad("--listen", "127.0.0.1:%d" % taken.getsockname()[1], "--upstream",
                   "127.0.0.1:%d" % up.getsockname()[1], "--duration", "5", "--hang-bound", "1")
    finally:
        up.close()
        taken.close()
    assert "cannot listen" in msg and "in use" in msg


def test_upstream_refused():
    port = free_port()
    msg = _bad("--listen", "127.0.0.1:0", "--upstream", f"127.0.0.1:{port}", "--duration", "5", "--hang-bound", "1")
    assert msg == f"steadygo: error: upstream 127.0.0.1:{port}: Connection refused"


@pytest.mark.parametrize("argv, words", [
    (["--listen", "nope", "--upstream", "127.0.0.1:1"], "--listen 'nope': expected HOST:PORT"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--duration", "5s"], "must be shorter than --duration"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--latency", "2 parsecs"], "not a duration"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--reset-rate", "1.5"], "not a fraction"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--max-connections", "100000"],
     "'100000' is not between 1 and 10,000"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--max-connections", "0"], "is not between 1"),
])
def test_bad_flags(argv, words):
    assert words in _bad(*argv)


def test_more_connections_than_open_files_allow_is_refused_before_listening():
    # Under ulimit -n 128 a run allowing 100 connections (200 descriptors)
    # ran out of them mid-run: a traceback per failed accept, and failed
    # upstream dials counted as retries.  Refused up front instead.
    import resource
    import subprocess
    import sys

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

    up = socket.create_server(("127.0.0.1", 0))
    try:
        p = subprocess.run([sys.executable, "-m", "steadygo", "chaos", "--isolated", "--listen", "127.0.0.1:0",
                            "--upstream", "127.0.0.1:%d" % up.getsockname()[1], "--duration", "5",
                            "--hang-bound", "1"], capture_output=True, text=True, timeout=60, preexec_fn=low_limit)
    finally:
        up.close()
    assert p.returncode == 2 and "Traceback" not in p.stderr and "listening on" not in p.stderr, p.stderr
    assert p.stderr.strip() == ("steadygo: error: --max-connections 100 needs 264 open files (two per connection and "
                                "64 spare), the limit is 128 (hard 128): use --max-connections 32 or raise ulimit -n")
