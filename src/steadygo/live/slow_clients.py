"""Slow clients and an idle keep-alive connection (SG971, SG972).

N connections send a request's headers one byte every half second and never
finish them; one more connection sends a whole request, reads the answer
and then says nothing.  A server with ReadHeaderTimeout cuts the first kind,
one with IdleTimeout (or ReadTimeout) closes the second; we watch for at most
``hold`` seconds, within what is left of the probe's budget, and record when
each was cut.  Everything runs in one loop over a handful of sockets: the
load is a few bytes a second.

Go answers a header timeout by closing the connection (sometimes after a
"408 Request Timeout"); any byte, end of stream or reset from the server
counts as a cut."""

from __future__ import annotations

import re
import select
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from steadygo.errors import UserError
from steadygo.evidence.rules.sg9_runtime import (sg971_slow_client_not_cut as sg971,
                                                 sg972_idle_connection_not_closed as sg972)
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session
from steadygo.runtime import fetch

MAX_CLIENTS = 64
DEFAULT_CLIENTS = 3
DEFAULT_HOLD = 10.0
_INTERVAL = 0.5
_MIN_HOLD = 1.0
_CONNECT = 3.0  # per connection, within the budget
_RESERVE = 1.0  # kept from the hold for connecting and closing (loopback: milliseconds)
_RESPONSE_CAP = 1 << 20  # the idle connection's one answer
_LENGTH = re.compile(rb"^content-length:\s*(\d{1,12})\s*$", re.I | re.M)


@dataclass
class _Conn:
    sock: socket.socket
    opened: float
    to_send: bytes = b""
    cut_after: float | None = None
    # idle connection only
    received: bytearray = field(default_factory=bytearray)
    idle_since: float | None = None


def run(session: Session, path: str, clients: int, hold: float) -> Outcome:
    out = Outcome()
    bound = min(hold, session.left() - _RESERVE)
    if bound < _MIN_HOLD:
        out.skipped.append(f"slow clients: under {_MIN_HOLD:g} s of the time budget left (raise --timeout)")
        return out
    parts = urlsplit(session.base)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = fetch.resolve(host, port, min(_CONNECT, session.left()))[0]
    except UserError as exc:
        out.skipped.append(f"slow clients: {exc}")
        return out
    target = urlsplit(session.url(path)).path or "/"
    head = (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: steadygo-probe\r\n").encode()
    tls = ssl.create_default_context() if parts.scheme == "https" else None
    slow, errors = [], []
    for _ in range(clients):
        c = _open(address, port, host, tls, errors)
        if c is not None:
            c.to_send = head + b"X-Steadygo-Slow: " + b"a" * int(bound / _INTERVAL + 2)
            slow.append(c)
    idle = _open(address, port, host, tls, errors)
    if idle is not None and not _send(idle, head + b"\r\n"):
        idle = None
    if not slow and idle is None:
        out.skipped.append(f"slow clients: cannot connect to {parts.netloc} ({errors[0] if errors else '?'})")
        return out
    _watch(slow, idle, bound)
    _close(slow + ([idle] if idle else []))
    return _judge(out, session.url(path), slow, idle, bound)


def _judge(out: Outcome, url: str, slow: list[_Conn], idle: _Conn | None, bound: float) -> Outcome:
    if slow:
        out.checked.append("SG971")
        held = [c for c in slow if c.cut_after is None]
        out.evidence["slow_clients"] = {"opened": len(slow), "held": len(held), "bound_seconds": round(bound, 1),
                                        "cut_after_seconds": sorted(round(c.cut_after, 2) for c in slow
                                                                    if c.cut_after is not None)}
        if held:
            out.findings.append(sg971.finding(url, len(held), len(slow), bound))
    if idle is not None and idle.idle_since is None and idle.cut_after is None:
        out.skipped.append("idle connection: the answer to its request did not complete in time")
    elif idle is not None:
        out.checked.append("SG972")
        closed = None if idle.cut_after is None else max(idle.cut_after - (idle.idle_since or 0.0), 0.0)
        out.evidence["idle_connection"] = {"closed_after_seconds": None if closed is None else round(closed, 2),
                                           "bound_seconds": round(bound, 1)}
        if idle.cut_after is None:
            out.findings.append(sg972.finding(url, time.monotonic() - idle.opened - (idle.idle_since or 0.0)))
    return out


def _open(address: str, port: int, host: str, tls, errors: list[str]) -> _Conn | None:
    try:
        sock = socket.create_connection((address, port), timeout=_CONNECT)
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
    except (OSError, ssl.SSLError) as exc:
        errors.append(getattr(exc, "strerror", None) or str(exc))
        return None
    sock.settimeout(1.0)
    return _Conn(sock=sock, opened=time.monotonic())


def _send(c: _Conn, data: bytes) -> bool:
    try:
        c.sock.sendall(data)
        return True
    except OSError:
        c.cut_after = time.monotonic() - c.opened
        return False


def _watch(slow: list[_Conn], idle: _Conn | None, bound: float) -> None:
    end = time.monotonic() + bound
    next_byte = time.monotonic()
    while time.monotonic() < end:
        live = [c for c in slow if c.cut_after is None]
        if idle is not None and idle.cut_after is None:
            live.append(idle)
        if not live:
            return
        now = time.monotonic()
        if now >= next_byte:
            for c in slow:
                if c.cut_after is None and c.to_send:
                    if _send(c, c.to_send[:1]):
                        c.to_send = c.to_send[1:]
            next_byte = now + _INTERVAL
        wait = max(min(next_byte, end) - time.monotonic(), 0.0)
        try:
            readable, _, _ = select.select([c.sock for c in live if c.cut_after is None], [], [], wait)
        except (OSError, ValueError):
            return
        for c in live:
            if c.sock in readable:
                _read(c, is_idle=c is idle)


def _read(c: _Conn, is_idle: bool) -> None:
    try:
        data = c.sock.recv(65536)
    except ssl.SSLWantReadError:
        return
    except OSError:
        data = b""
    now = time.monotonic()
    if not data or not is_idle or c.idle_since is not None:
        # A slow client hears from the server only when it is cut (a 408 or
        # the end of the stream); the idle one, once answered, likewise.
        c.cut_after = now - c.opened
        return
    c.received += data
    if _answer_complete(c.received):
        c.idle_since = now - c.opened
    elif len(c.received) > _RESPONSE_CAP:
        c.cut_after = now - c.opened  # an endless answer: not a keep-alive we can judge


def _answer_complete(buf: bytearray) -> bool:
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    headers = bytes(buf[:end])
    m = _LENGTH.search(headers)
    if m:
        return len(buf) - end - 4 >= int(m.group(1))
    if b"chunked" in headers.lower():
        return buf.endswith(b"0\r\n\r\n")
    return False


def _close(conns: list[_Conn]) -> None:
    for c in conns:
        try:
            c.sock.close()
        except OSError:
            pass
