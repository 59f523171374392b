"""`steadygo metrics` on bad input and hostile endpoints: each is one line on
stderr naming the input, exit 2, no traceback, within its time and byte
limits (run in a child with an address-space cap, time and peak RSS measured)."""

from __future__ import annotations

import gzip

import pytest

from . import hostile
from .runtime_helpers import cli

TIME_CAP = 60  # seconds: a hang fails the test instead of the suite
RSS_CAP_MIB = 400


def _refused(argv, *needles, stdin_path=None):
    r = hostile.run_guarded(["metrics", *argv, "--isolated"], TIME_CAP)
    hostile.assert_one_line_error(r.stderr, *needles)
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout)
    assert r.max_rss_mib < RSS_CAP_MIB, r.max_rss_mib
    return r


@pytest.mark.parametrize("content, needles", [
    (b"", ("x.prom: empty input",)),
    (b"\n  \n", ("x.prom: empty input",)),
    (bytes(range(256)) * 4, ("x.prom: line 1: binary data",)),
    (b"\x89PNG\r\n\x1a\n" + b"\xff" * 64, ("x.prom: line 1: not UTF-8",)),
    (b"# HELP a x\n# TYPE a gauge\na 1\na{b=c} 2\n", ("x.prom: line 4: malformed sample line",)),
    (b"a 1\nb 1 2 3 x\n", ("x.prom: line 2: malformed sample line",)),
    (b"a{x=\"1\" 1\n", ("x.prom: line 1: malformed sample line",)),
    (b"# TYPE a gauge\n# TYPE a counter\n", ("x.prom: line 2: second TYPE line",)),
    (b"<!DOCTYPE html><html><body>login</body></html>", ("x.prom: this is an HTML page",)),
    (b"# TYPE a counter\na_total 1\n# EOF\ntrailing 1\n# EOF\n", ("x.prom: line 4: not valid OpenMetrics",)),
])
def test_bad_file(tmp_path, capsys, content, needles):
    """In-process (the child-process cases below cover time and memory)."""
    p = tmp_path / "x.prom"
    p.write_bytes(content)
    assert cli(["metrics", str(p), "--isolated"]) == 2
    out, err = capsys.readouterr()
    hostile.assert_one_line_error(err, *[n.replace("x.prom", str(p)) for n in needles])
    assert out == ""


def test_bad_stdin(capsys, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok 1\nbad line here\n")))
    assert cli(["metrics", "-", "--isolated"]) == 2
    hostile.assert_one_line_error(capsys.readouterr().err, "standard input: line 2: malformed sample line")


def test_gzip_bomb_file_is_stopped_at_the_limit(tmp_path):
    p = tmp_path / "bomb.prom.gz"
    p.write_bytes(hostile.zeros_gzip(512 << 20))  # 512 MiB of zeros in 0.5 MiB
    r = _refused([str(p), "--max-bytes", "16M"], "decompressed size is over the 16 MiB limit")
    assert r.seconds < 30


def test_gzip_bomb_from_a_server(tmp_path):
    bomb = hostile.zeros_gzip(256 << 20)

    def serve(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb)

    with hostile.hostile_server(serve) as base:
        _refused([base + "/metrics", "--max-bytes", "8M", "--timeout", "20"],
                 base + "/metrics: decompressed size is over the 8 MiB limit")


def test_two_gigabyte_content_length_is_capped():
    def serve(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n")
        chunk = b"a_metric 1\n" * 10000
        for _ in range(2000):  # far more than the limit, as fast as the client reads
            if stop.is_set():
                return
            conn.sendall(chunk)

    with hostile.hostile_server(serve) as base:
        _refused([base + "/metrics", "--max-bytes", "4M", "--timeout", "20"],
                 base + "/metrics: response is over the 4 MiB limit")


def test_endless_trickle_is_given_up_on_in_time():
    def serve(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
        hostile.trickle(conn, stop, b"a 1\n" * 100, every=0.2)

    with hostile.hostile_server(serve, lifetime=90) as base:
        r = _refused([base + "/metrics", "--timeout", "2"], "no complete response within the 2 s time budget")
    assert r.seconds < 2 + 20  # the budget plus interpreter start-up on a loaded machine


def test_redirect_to_another_host_is_not_followed():
    def serve(conn, stop):
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://metrics.example.invalid/metrics\r\n"
                     b"Content-Length: 0\r\n\r\n")

    with hostile.hostile_server(serve) as base:
        _refused([base + "/metrics"], "redirected to another host (metrics.example.invalid); not following")


def test_non_http_bytes_on_the_port():
    def serve(conn, stop):
        conn.sendall(b"\x00\x01SSH-2.0-OpenSSH\r\n" * 4)

    with hostile.hostile_server(serve) as base:
        _refused([base + "/metrics", "--timeout", "5"], base + "/metrics: the answer is not valid HTTP: ")


def test_connection_refused():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    _refused([f"http://127.0.0.1:{port}/metrics", "--timeout", "5"], f"http://127.0.0.1:{port}/metrics: ")


def test_gzipped_file_is_read(tmp_path):
    p = tmp_path / "ok.prom.gz"
    p.write_bytes(gzip.compress(b"# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"))
    r = hostile.run_guarded(["metrics", str(p), "--isolated"], TIME_CAP)
    assert r.returncode == 0 and "1 metric families, 1 series" in r.stdout, r.stdout + r.stderr
