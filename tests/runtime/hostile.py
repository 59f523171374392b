"""Hostile inputs for the hardening tests, made in the test: pprof profiles
built field by field, nested gzip and gzip bombs, a misbehaving HTTP server on
127.0.0.1, and a child-process runner that measures time and peak memory."""

from __future__ import annotations

import errno
import gzip
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from steadygo.runtime import profile_pb2


def goroutine_profile(samples: list[list[int]], funcs: tuple[str, ...] = ("main.worker",),
                      kind: str = "goroutine") -> bytes:
    """A pprof goroutine profile: one location per function, every sample on
    that stack, with the given value lists (an empty list is a sample with
    no count)."""
    pb = profile_pb2.Profile()
    strings = ["", kind, "count"]

    def s(text: str) -> int:
        strings.append(text)
        return len(strings) - 1

    st = pb.sample_type.add()
    st.type, st.unit = 1, 2
    for i, name in enumerate(funcs, 1):
        fn = pb.function.add()
        fn.id, fn.name, fn.filename = i, s(name), s(f"/src/{i}.go")
        loc = pb.location.add()
        loc.id = i
        ln = loc.line.add()
        ln.function_id, ln.line = i, 10 * i
    for values in samples:
        smp = pb.sample.add()
        smp.location_id.extend(range(1, len(funcs) + 1))
        smp.value.extend(values)
    pb.string_table.extend(strings)
    return pb.SerializeToString()


def heap_profile(funcs: tuple[str, ...] = ("main.handler", "main.grow"), value: int = 4096) -> bytes:
    pb = profile_pb2.Profile()
    strings = ["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects", "inuse_space"]
    for t, u in ((1, 2), (3, 4), (5, 2), (6, 4)):
        st = pb.sample_type.add()
        st.type, st.unit = t, u
    for i, name in enumerate(funcs, 1):
        strings += [name, f"/src/{i}.go"]
        fn = pb.function.add()
        fn.id, fn.name, fn.filename = i, len(strings) - 2, len(strings) - 1
        loc = pb.location.add()
        loc.id = i
        ln = loc.line.add()
        ln.function_id, ln.line = i, 7 * i
    smp = pb.sample.add()
    smp.location_id.extend(range(1, len(funcs) + 1))
    smp.value.extend([1, value, 1, value])
    pb.string_table.extend(strings)
    return pb.SerializeToString()


def zeros_gzip(size: int) -> bytes:
    """gzip of ``size`` zero bytes, compressed a MiB at a time (a bomb that
    is small on disk)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [c.compress(block) for _ in range(size >> 20)]
    parts.append(c.compress(bytes(size & ((1 << 20) - 1))))
    parts.append(c.flush())
    return b"".join(parts)


def nest_gzip(data: bytes, layers: int) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data)
    return data


# --------------------------------------------------------------------------- a hostile HTTP server


@contextmanager
def hostile_server(handler, lifetime: float = 60.0):
    """A raw-socket server on 127.0.0.1 that hands each connection to
    ``handler(conn)``; it stops by itself after ``lifetime`` seconds."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()
    end = time.monotonic() + lifetime

    def serve_one(conn):
        try:
            conn.settimeout(5)
            conn.recv(65536)  # the request; its content does not matter
            handler(conn, stop)
        except OSError:
            pass
        finally:
            conn.close()

    def loop():
        while not stop.is_set() and time.monotonic() < end:
            try:
                conn, _ = srv.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        t.join(timeout=5)
        srv.close()


def not_found(conn, stop) -> None:
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")


def answer(body: bytes, status: str = "200 OK", headers: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n{headers}\r\n").encode() + body


@contextmanager
def routed_server(routes: dict, lifetime: float = 60.0):
    """A raw-socket server on 127.0.0.1 that hands each connection to the
    handler of its request path (``routes[path](conn, stop)``, the query
    ignored), 404 for any other path; it stops by itself after ``lifetime``."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()
    end = time.monotonic() + lifetime

    def serve_one(conn):
        try:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            parts = head.split(b" ", 2)
            path = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 1 else ""
            routes.get(path, not_found)(conn, stop)
        except OSError:
            pass
        finally:
            conn.close()

    def loop():
        while not stop.is_set() and time.monotonic() < end:
            try:
                conn, _ = srv.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        t.join(timeout=5)
        srv.close()


def trickle(conn, stop, data: bytes, every: float, limit: int = 200) -> None:
    """Send ``data`` one byte every ``every`` seconds (at most ``limit`` bytes)."""
    for b in data[:limit]:
        if stop.is_set():
            return
        conn.sendall(bytes([b]))
        time.sleep(every)


# --------------------------------------------------------------------------- resource guard


@dataclass
class Guarded:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float


# No steadygo command may get near this much address space on the inputs of
# these tests; it is a safety net so a regression fails instead of swapping.
ADDRESS_SPACE_CAP = 3 << 30


# The child reports its own peak RSS from /proc/self/status (VmHWM, the high
# water mark of its address space since exec) when it exits.  wait4's
# ru_maxrss cannot be used: Linux carries the forking parent's RSS over into
# the child's maxrss, so every child of a big pytest process looks big.
_CHILD = ("import atexit, os, runpy, sys\n"
          "def _hwm():\n"
          "    with open('/proc/self/status') as fh:\n"
          "        kb = next(line.split()[1] for line in fh if line.startswith('VmHWM:'))\n"
          "    with open(os.environ['STEADYGO_TEST_HWM'], 'w') as out:\n"
          "        out.write(kb)\n"
          "atexit.register(_hwm)\n"
          "sys.argv = ['steadygo'] + sys.argv[1:]\n"
          "runpy.run_module('steadygo', run_name='__main__')\n")


def run_guarded(argv: list[str], time_cap: float, cwd: str | None = None) -> Guarded:
    """Run ``python -m steadygo ARGV`` in a child with an address-space cap,
    kill it at ``time_cap`` seconds, and report its own peak RSS."""

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))

    with tempfile.TemporaryDirectory() as d:
        hwm = os.path.join(d, "hwm")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), STEADYGO_TEST_HWM=hwm)
        with open(os.path.join(d, "out"), "w+b") as out, open(os.path.join(d, "err"), "w+b") as err:
            start = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-c", _CHILD, *argv], stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, preexec_fn=limits, cwd=cwd, env=env)
            try:
                proc.wait(timeout=time_cap)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise AssertionError(f"steadygo {' '.join(argv)} still running after {time_cap} s: killed") from None
            elapsed = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        with open(hwm) as fh:
            peak_kib = int(fh.read())
    return Guarded(proc.returncode, stdout, stderr, elapsed, peak_kib / 1024)


def assert_one_line_error(stderr: str, *needles: str) -> None:
    assert stderr.count("\n") == 1 and stderr.startswith("steadygo: error: "), stderr
    assert "Traceback" not in stderr
    for n in needles:
        assert n in stderr, (n, stderr)


# --------------------------------------------------------------------------- -o faults

OUTPUT_FAULTS = ["missing directory", "a directory", "read-only file system", "full disk"]


def output_fault(kind: str, tmp_path, monkeypatch) -> str:
    """-> the -o path for this fault, patching os where the fault cannot be
    made for real without root-only mounts (read-only file system, full disk)."""
    if kind == "missing directory":
        return str(tmp_path / "no" / "such" / "dir" / "out.txt")
    if kind == "a directory":
        d = tmp_path / "adir"
        d.mkdir()
        return str(d)
    target = tmp_path / "out.txt"
    if kind == "read-only file system":
        real_open = os.open

        def ro_open(path, flags, *a, **kw):
            if str(path).startswith(str(tmp_path)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *a, **kw)

        monkeypatch.setattr(os, "open", ro_open)
        return str(target)
    assert kind == "full disk"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    return str(target)
