"""Issue 20 F16, the part left: ``--timeout`` is one wall-clock budget over
name resolution, connecting, the headers and the body.  getaddrinfo takes no
timeout, so a resolver that does not answer held a fetch for as long as the
resolver's retries lasted, whatever --timeout said.  The slow resolver is
made by replacing socket.getaddrinfo (in process, and in the child of a real
CLI run), so nothing depends on the machine's DNS or /etc/hosts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from steadygo.errors import UserError
from steadygo.runtime import fetch

from runtime import hostile

DUMP = b"goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n"


def _answer(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(DUMP), DUMP))


def _slow_resolver(monkeypatch, seconds: float, calls: list):
    """getaddrinfo that takes ``seconds`` for *.invalid names and then says
    127.0.0.1: had the fetch waited, it would have succeeded."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).endswith(".invalid"):
            calls.append(host)
            time.sleep(seconds)
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_resolver_that_does_not_answer_is_inside_the_time_budget(monkeypatch):
    calls: list = []
    _slow_resolver(monkeypatch, 8.0, calls)
    with hostile.hostile_server(_answer) as base:
        port = base.rsplit(":", 1)[1]
        started = time.monotonic()
        with pytest.raises(UserError) as err:
            fetch.read_artifact(f"http://dump.slow.invalid:{port}/debug/pprof/goroutine", timeout=1.0)
        elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed  # 8 s and a success before
    assert str(err.value) == (f"http://dump.slow.invalid:{port}/debug/pprof/goroutine: no complete response "
                              "within the 1 s time budget (--timeout)")
    assert calls == ["dump.slow.invalid"]


def test_the_budget_is_shared_between_resolving_and_reading(monkeypatch):
    # 0.8 s to resolve, then headers a byte every 0.1 s: each part fits in 1.5 s, together they do not
    _slow_resolver(monkeypatch, 0.8, [])

    def headers_slowly(conn, stop):
        hostile.trickle(conn, stop, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", every=0.1)

    with hostile.hostile_server(headers_slowly) as base:
        port = base.rsplit(":", 1)[1]
        started = time.monotonic()
        with pytest.raises(UserError, match="time budget"):
            fetch.read_artifact(f"http://dump.slow.invalid:{port}/x", timeout=1.5)
        assert time.monotonic() - started < 3


def test_a_resolved_name_is_fetched_from_the_address_it_resolved_to(monkeypatch):
    calls: list = []
    _slow_resolver(monkeypatch, 0.0, calls)
    with hostile.hostile_server(_answer) as base:
        port = base.rsplit(":", 1)[1]
        art = fetch.read_artifact(f"http://svc.fast.invalid:{port}/debug/pprof/goroutine", timeout=5)
    assert bytes(art.data) == DUMP and art.content_type == "text/plain"
    assert calls == ["svc.fast.invalid"]


def test_a_name_that_does_not_resolve_is_one_line_naming_the_url(monkeypatch):
    def fails(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fails)
    with pytest.raises(UserError) as err:
        fetch.read_artifact("http://nowhere.invalid/debug/pprof/goroutine", timeout=2)
    assert str(err.value) == ("http://nowhere.invalid/debug/pprof/goroutine: ConnectError: cannot resolve "
                              "nowhere.invalid: Name or service not known")


# A real command line whose resolver hangs: the child replaces getaddrinfo
# before running steadygo, exactly as the in-process tests do.
_CHILD = ("import runpy, socket, sys, time\n"
          "real = socket.getaddrinfo\n"
          "def slow(host, port, *a, **k):\n"
          "    if str(host).endswith('.invalid'):\n"
          "        time.sleep(30)\n"
          "        host = '127.0.0.1'\n"
          "    return real(host, port, *a, **k)\n"
          "socket.getaddrinfo = slow\n"
          "sys.argv = ['steadygo'] + sys.argv[1:]\n"
          "runpy.run_module('steadygo', run_name='__main__')\n")


@pytest.mark.parametrize("host", ["dump.slow.invalid", "127.0.0.1"])
def test_cli_timeout_holds_over_a_hanging_resolver_and_a_silent_server(host):
    def silent(conn, stop):
        stop.wait(20)  # accepts, reads the request, never answers

    with hostile.hostile_server(silent) as base:
        port = base.rsplit(":", 1)[1]
        url = f"http://{host}:{port}/debug/pprof/goroutine"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), NO_COLOR="1")
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", _CHILD, "goroutines", url, "--timeout", "2"],
                              capture_output=True, text=True, env=env, timeout=60)
        elapsed = time.monotonic() - started
    assert elapsed < 8, elapsed
    assert proc.returncode == 2
    assert proc.stderr == f"steadygo: error: {url}: no complete response within the 2 s time budget (--timeout)\n"
