"""The bounded load of ``steadygo shutdown-test``: a few worker threads, each
sending one request at a time on a fresh connection, and what became of
each request (completed, or failed: refused, reset, 5xx, truncated, timed
out).

Workers stop starting requests when the count or the time is used up, when
the service has exited, or once readiness has failed: a load balancer stops
sending new requests then too, so what was sent before is what a real
rolling deploy would have sent.  Every request has a timeout, so the workers
end by themselves."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from steadygo.errors import UserError

FAILURES = ("refused", "reset", "5xx", "truncated", "timeout", "error")
MAX_BODY = 1 << 20  # a load response is read up to this much; the rest is not the test's business


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str  # with the query

    @classmethod
    def parse(cls, url: str, what: str) -> "Target":
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise UserError(f"{what} {url}: not an http:// URL with a host")
        try:
            port = parts.port or 80
        except ValueError:
            raise UserError(f"{what} {url}: bad port") from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.hostname, port, path)


@dataclass(frozen=True)
class Outcome:
    started: float  # monotonic
    ended: float
    result: str  # "completed" or one of FAILURES
    status: int | None


def request(t: Target, timeout: float) -> tuple[str, int | None]:
    """One GET on its own connection: the result name and the status."""
    conn = http.client.HTTPConnection(t.host, t.port, timeout=timeout)
    try:
        conn.request("GET", t.path, headers={"Connection": "close", "User-Agent": "steadygo-shutdown-test"})
        resp = conn.getresponse()
        resp.read(MAX_BODY)
        if resp.status >= 500:
            return "5xx", resp.status
        return "completed", resp.status
    except ConnectionRefusedError:
        return "refused", None
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return "reset", None
    except http.client.IncompleteRead:
        return "truncated", None
    except (socket.timeout, TimeoutError):
        return "timeout", None
    except (OSError, http.client.HTTPException):
        return "error", None
    finally:
        conn.close()


def status_of(t: Target, timeout: float) -> int | None:
    """The status of one GET, or None when nothing answered (refused, reset,
    timed out)."""
    conn = http.client.HTTPConnection(t.host, t.port, timeout=timeout)
    try:
        conn.request("GET", t.path, headers={"Connection": "close", "User-Agent": "steadygo-shutdown-test"})
        resp = conn.getresponse()
        resp.read(64 << 10)
        return resp.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


_TOTAL = re.compile(rb"goroutine profile: total (\d+)")


def goroutine_count(t: Target, timeout: float) -> int | None:
    """The "goroutine profile: total N" of a debug=1 goroutine dump, or None
    when the endpoint does not answer one."""
    conn = http.client.HTTPConnection(t.host, t.port, timeout=timeout)
    try:
        conn.request("GET", t.path, headers={"Connection": "close", "User-Agent": "steadygo-shutdown-test"})
        resp = conn.getresponse()
        head = resp.read(256)
        m = _TOTAL.match(head) if resp.status == 200 else None
        return int(m.group(1)) if m else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def accepts(host: str, port: int, timeout: float) -> bool | None:
    """True when the listener accepts a connection, False when it refuses
    (closed), None when the attempt timed out (unknown)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except ConnectionRefusedError:
        return False
    except OSError:
        return None


@dataclass
class Load:
    target: Target
    concurrency: int
    requests: int
    duration: float
    request_timeout: float
    # False once the service has exited: a load balancer's next request
    # after that proves nothing new, and refused requests would pile up by
    # the hundred in the moment before the drain watcher notices the exit.
    alive: Callable[[], bool] = lambda: True
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: int = 0
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.began = time.monotonic()
        for i in range(self.concurrency):
            th = threading.Thread(target=self._work, name=f"steadygo-load-{i}", daemon=True)
            th.start()
            self._threads.append(th)

    def _take(self) -> bool:
        with self._lock:
            if self.stop.is_set() or not self.alive() or self._sent >= self.requests or time.monotonic() - self.began >= self.duration:
                return False
            self._sent += 1
            return True

    def _work(self) -> None:
        while self._take():
            t0 = time.monotonic()
            result, status = request(self.target, self.request_timeout)
            with self._lock:
                self.outcomes.append(Outcome(t0, time.monotonic(), result, status))

    def join(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for th in self._threads:
            th.join(max(0.0, end - time.monotonic()))

    def all_ended(self) -> bool:
        """No request will be sent any more and every one sent has ended."""
        with self._lock:
            return (self.stop.is_set() or not self.alive()) and len(self.outcomes) == self._sent

    def snapshot(self) -> list[Outcome]:
        with self._lock:
            return sorted(self.outcomes, key=lambda o: o.started)
