"""One probe's budget and its requests to the target.

Every check asks the session, never the network: the session gives each
request what is left of the one ``--timeout`` budget, keeps the byte cap, and
turns a transport failure (refused, DNS, TLS, timeout, over the byte limit,
a redirect off the host) into ``None`` plus a recorded reason, so one hostile
endpoint stops one check, not the probe."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from steadygo.errors import UserError
from steadygo.redact import redact
from steadygo.runtime import fetch

# A request started with less than this left would only time out.
_MIN_SLICE = 0.05


def check_target(url: str) -> None:
    """A URL the probe may contact: usable, and without user:password
    (every finding is located at a URL under it, so a password would be
    printed in every report)."""
    fetch.check_url(url)
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UserError(f"{redact(url)}: credentials in the URL are not supported (they would be printed in "
                        "the reports); probe an address that needs none")


@dataclass
class Session:
    base: str  # scheme://host:port plus the URL's own path prefix, no trailing slash
    timeout: float
    max_bytes: int
    started: float = field(default_factory=time.monotonic)
    answered: int = 0  # requests that got an HTTP answer, whatever its status
    errors: list[str] = field(default_factory=list)  # every transport failure, in order
    timed_out: set[str] = field(default_factory=set)  # URLs that gave no complete answer in their time
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_url(cls, url: str, timeout: float, max_bytes: int) -> "Session":
        check_target(url)
        parts = urlsplit(url)
        # A service behind a path prefix (http://gw/orders) has its health
        # and metrics paths under that prefix; the query is dropped.
        base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        return cls(base=base, timeout=timeout, max_bytes=max_bytes)

    def left(self) -> float:
        return self.timeout - (time.monotonic() - self.started)

    def url(self, path: str) -> str:
        return path if fetch.is_url(path) else self.base + ("" if path.startswith("/") else "/") + path

    def get(self, path: str, accept: str = "*/*", max_bytes: int | None = None,
            timeout: float | None = None, bound: str = "") -> fetch.Response | None:
        """The answer, or None with the reason in ``errors``; ``timeout``
        bounds this request further than what is left of the budget, and
        ``bound`` names that limit in the message when it is what ran out."""
        url = self.url(path)
        left = self.left() if timeout is None else min(self.left(), timeout)
        if left < _MIN_SLICE:
            self._failed(f"{url}: not requested, the {self.timeout:g} s time budget (--timeout) is used up")
            return None
        try:
            own = timeout is not None and left >= timeout
            resp = fetch.get(url, max_bytes or self.max_bytes, left, accept=accept,
                             budget=timeout if own else self.timeout,
                             budget_name=(bound or "--timeout") if own else "--timeout")
        except fetch.OutOfTime as exc:
            with self._lock:
                self.timed_out.add(url)
            self._failed(str(exc))
            return None
        except UserError as exc:
            self._failed(str(exc))
            return None
        with self._lock:
            self.answered += 1
        return resp

    def pause(self, seconds: float) -> None:
        """Sleep, but never past the budget (a second is kept for what follows)."""
        time.sleep(max(min(seconds, self.left() - 1.0), 0.0))

    def last_error(self) -> str:
        return self.errors[-1] if self.errors else ""

    def _failed(self, reason: str) -> None:
        with self._lock:
            self.errors.append(reason)
