"""What the chaos proxy's connection records say about the client: calls
that hung past the bound (no timeout), calls given up early (a timeout, and
how long it is), and reconnects after a failed connection (retries, and
whether they storm).

A *retry* is a connection from the same source opened within
``retry_window`` seconds after one of its connections failed (reset by the
proxy, given up by the client, refused by the upstream, cut by the
connection limit); each failed connection is followed by at most one retry,
so retries of one call form a chain.  A chain longer than ``max_retries``
is a retry storm."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from steadygo.findings import Finding
from steadygo.runtime.chaos_proxy import Conn

CHECKED_RULES = ("SG991", "SG992")
MAX_LISTED = 500  # connections listed in the evidence; the counts cover all
FAILED_ENDINGS = ("proxy-reset", "upstream-refused", "over-limit")


@dataclass(frozen=True)
class Bounds:
    hang_bound: float
    retry_window: float
    max_retries: int


def _failed(c: Conn) -> bool:
    return c.ended_by in FAILED_ENDINGS or c.gave_up_after is not None or (c.fault == "blackhole" and c.ended_by == "client")


def _longest_wait(c: Conn, ended: float) -> float:
    """The longest time the client waited for an answer on this connection:
    answered waits, the wait it gave up, or the wait still open at its end."""
    waits = list(c.waits)
    if c.gave_up_after is not None:
        waits.append(c.gave_up_after)
    elif c.pending_since is not None and c.ended_by not in FAILED_ENDINGS:
        waits.append((c.closed if c.closed is not None else ended) - c.pending_since)
    return max(waits, default=0.0)


def retry_chains(conns: list[Conn], window: float) -> list[list[Conn]]:
    """Retry chains of one source, in order of opening: each failed
    connection claims the first unclaimed later connection opened within
    ``window`` of its end."""
    ordered = sorted(conns, key=lambda c: c.opened)
    next_of: dict[int, Conn] = {}
    claimed: set[int] = set()
    for c in ordered:
        if not _failed(c) or c.closed is None:
            continue
        for later in ordered:
            # Only a connection opened after this one ended (a millisecond of
            # slack for the two timestamps' order) can be its retry.
            if later.id in claimed or later.opened <= c.opened or later.opened < c.closed - 0.001:
                continue
            if later.opened - c.closed <= window:
                next_of[c.id] = later
                claimed.add(later.id)
            break
    chains = []
    for c in ordered:
        if c.id in claimed or c.id not in next_of:
            continue
        chain = [c]
        while chain[-1].id in next_of:
            chain.append(next_of[chain[-1].id])
        chains.append(chain)
    return chains


def analyse(conns: list[Conn], ended: float, b: Bounds) -> dict:
    by_source: dict[str, list[Conn]] = defaultdict(list)
    for c in conns:
        by_source[c.source].append(c)
    sources = {}
    for src, cs in sorted(by_source.items()):
        chains = retry_chains(cs, b.retry_window)
        waits = [(c, _longest_wait(c, ended)) for c in cs]
        hung = [w for c, w in waits if w >= b.hang_bound]
        gave_up = sorted(c.gave_up_after for c in cs if c.gave_up_after is not None and c.gave_up_after < b.hang_bound)
        longest = max(chains, key=len, default=[])
        sources[src] = {
            "connections": len(cs),
            "answered": sum(1 for c in cs if c.waits),
            "reset_by_proxy": sum(1 for c in cs if c.ended_by == "proxy-reset"),
            "upstream_refused": sum(1 for c in cs if c.ended_by == "upstream-refused"),
            "over_limit": sum(1 for c in cs if c.ended_by == "over-limit"),
            "hung_past_bound": len(hung),
            "longest_wait": round(max((w for _, w in waits), default=0.0), 3),
            "gave_up": len(gave_up),
            "gave_up_after": {"min": round(gave_up[0], 3), "max": round(gave_up[-1], 3)} if gave_up else None,
            "retries": sum(len(ch) - 1 for ch in chains),
            "longest_retry_chain": len(longest) - 1 if longest else 0,
            "retry_gaps": [round(b2.opened - a.closed, 3) for a, b2 in zip(longest, longest[1:])],
        }
    return sources


def connection_rows(conns: list[Conn], ended: float) -> list[dict]:
    return [{"id": c.id, "source": c.source, "opened": round(c.opened, 3),
             "closed": round(c.closed, 3) if c.closed is not None else None, "fault": c.fault, "ended_by": c.ended_by,
             "waits": [round(w, 3) for w in c.waits],
             "gave_up_after": round(c.gave_up_after, 3) if c.gave_up_after is not None else None,
             "longest_wait": round(_longest_wait(c, ended), 3), "bytes_up": c.bytes_up, "bytes_down": c.bytes_down}
            for c in conns[:MAX_LISTED]]


def findings(ev: dict) -> list[Finding]:
    from steadygo.evidence.rules.sg9_runtime import sg991_outbound_call_hung_past_bound as sg991
    from steadygo.evidence.rules.sg9_runtime import sg992_retry_storm as sg992

    target, b = "tcp://" + ev["target"], ev["bounds"]
    out: list[Finding] = []
    for src, s in ev["sources"].items():
        if s["hung_past_bound"]:
            out.append(sg991.finding(target, src, s["hung_past_bound"], s["longest_wait"], b["hang_bound"]))
        if s["longest_retry_chain"] > b["max_retries"]:
            gaps = ", ".join(f"{g:.2f}" for g in s["retry_gaps"][:8]) + (" ..." if len(s["retry_gaps"]) > 8 else "")
            out.append(sg992.finding(target, src, s["longest_retry_chain"], b["retry_window"], gaps + " s"))
    return out
