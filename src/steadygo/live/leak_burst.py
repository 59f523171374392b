"""--leak-burst PATH: a goroutine dump, a bounded burst of requests, a
settle wait, a second dump; growth by creation site through the dump diff of
``steadygo goroutines BASE NEW`` (SG906), and, where the runtime serves the
goroutineleak profile (Go 1.26+), the goroutines it proves leaked (SG901).

The dumps come from the probed address's pprof, or from --pprof-url when
pprof lives on an admin listener (as it should)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from steadygo.errors import UserError
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session
from steadygo.runtime import goroutines, leaks

DEFAULT_REQUESTS = 50
DEFAULT_CONCURRENCY = 5
DEFAULT_SETTLE = 1.0
MAX_REQUESTS = 10_000
MAX_CONCURRENCY = 64
# Kept back from the burst so the settle wait and the second dump still fit.
_DUMP_RESERVE = 3.0


def run(session: Session, path: str, pprof: str, requests: int, concurrency: int, settle: float) -> Outcome:
    out = Outcome()
    before = _dump(session, pprof + "goroutine", out)
    if before is None:
        return out
    statuses = _burst(session, path, requests, concurrency, settle)
    session.pause(settle)
    after = _dump(session, pprof + "goroutine", out)
    if after is None:
        return out
    dd = leaks.diff(before, after)
    min_growth = max(1, min(leaks.DEFAULT_MIN_COUNT, requests // 2))
    out.checked.append("SG906")
    out.findings += leaks.growth_findings(dd, None, min_growth=min_growth)
    out.evidence["leak_burst"] = {
        "path": path, "requests": requests, "concurrency": concurrency, "settle_seconds": settle,
        "answers": statuses, "goroutines_before": before.total, "goroutines_after": after.total,
        "growth_by_site": [{"site": g.key, "before": g.before, "after": g.after} for g in dd.by_site[:10]],
    }
    proven = _proven_leaks(session, pprof)
    if proven is not None:
        out.checked.append("SG901")
        out.findings += proven
    return out


def _dump(session: Session, url: str, out: Outcome) -> goroutines.Dump | None:
    r = session.get(url + "?debug=2")
    if r is None:
        out.errors.append(f"leak burst: {session.last_error()}")
        return None
    if r.status != 200:
        out.skipped.append(f"leak burst: no goroutine dump at {r.url} (HTTP {r.status}); name pprof with --pprof-url")
        return None
    try:
        return goroutines.parse_bytes(bytes(r.data), r.url, session.max_bytes)
    except UserError as exc:
        out.errors.append(f"leak burst: {exc}")
        return None


def _burst(session: Session, path: str, requests: int, concurrency: int, settle: float) -> dict[str, int]:
    """At most ``requests`` GETs, ``concurrency`` at a time, each bounded by
    what is left of the budget minus the reserve for the second dump."""
    def one(_):
        r = session.get(path, timeout=max(session.left() - settle - _DUMP_RESERVE, 0.0),
                        bound="what --timeout leaves once the settle wait and the second dump are kept")
        if r is None:
            return "failed"
        return "2xx" if 200 <= r.status < 300 else f"{r.status}"

    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, requests or 1))) as pool:
        for status in pool.map(one, range(requests)):
            counts[status] = counts.get(status, 0) + 1
    return counts


def _proven_leaks(session: Session, pprof: str) -> list | None:
    r = session.get(pprof + "goroutineleak?debug=2")
    if r is None or r.status != 200:
        return None
    try:
        dump = goroutines.parse_bytes(bytes(r.data), r.url, session.max_bytes)
    except UserError:
        return None
    return [f for f in leaks.findings(leaks.analyse(dump)) if f.rule_id == "SG901"]
