"""From buckets to a diagnosis: creation sites, ranked leak suspects, growth
between two dumps, and the findings (SG901-SG910) a reader acts on.

Ranking principle: proof beats heuristics.  Goroutines the GC proved leaked
(goroutineleak profile, ``(leaked)`` state) always rank first; heuristic
suspects are ordered by a score of count x how suspicious the wait state is x
how long they have waited.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from steadygo.findings import CODE_LOCATION, Finding
from steadygo.evidence.rules import sg9_runtime as R
from steadygo.evidence.rules.base import evidence_finding
from steadygo.evidence.rules.sg9_runtime import (sg906_goroutine_count_growth as sg906, sg908_process_crashed as sg908,
                                                 sg909_data_race_reported as sg909,
                                                 sg910_goroutine_dump_truncated as sg910)
from steadygo.runtime.goroutines import Bucket, Dump, Frame, base_state, is_user_func

# A healthy service has small pools of goroutines parked on channels (workers,
# tickers).  Below this many goroutines in one bucket we do not call it a
# suspect unless they have also waited for minutes.
DEFAULT_MIN_COUNT = 10
LONG_WAIT_MINUTES = 10

_CHANNEL = {"chan send", "chan receive", "chan send (nil chan)", "chan receive (nil chan)"}
_SELECT = {"select", "select (no cases)"}
_LOCK = {"semacquire", "sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock",
         "sync.WaitGroup.Wait"}
_WEIGHT = {"chan send": 1.0, "chan receive": 0.8, "chan send (nil chan)": 1.0, "chan receive (nil chan)": 1.0,
           "select (no cases)": 1.0, "select": 0.6, "IO wait": 0.4}

_WHY = {
    "chan send": "the receiver returned early and nobody reads the channel any more",
    "chan send (nil chan)": "they send on a nil channel, which blocks forever",
    "chan receive": "nothing will ever send on or close the channel",
    "chan receive (nil chan)": "they receive from a nil channel, which blocks forever",
    "select": "no case of the select can become ready (no ctx.Done() or timeout case that fires)",
    "select (no cases)": "an empty select{} blocks forever",
    "IO wait": "outbound reads without a deadline wait on a peer that does not answer",
}


@dataclass
class Site:
    """Goroutines grouped by where they were created."""

    key: str  # creator function + file:line, or "(no creator)"
    creator: Frame | None
    count: int = 0
    buckets: list[Bucket] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)


@dataclass
class Suspect:
    rule: object  # an EvidenceRule
    bucket: Bucket
    score: float
    definite: bool
    message: str
    source_link: str = ""  # path:line under --src, when found
    static: list[Finding] = field(default_factory=list)


@dataclass
class Analysis:
    dump: Dump
    sites: list[Site]
    suspects: list[Suspect]
    module: str | None = None
    states: Counter = field(default_factory=Counter)


def site_key(b: Bucket) -> str:
    c = b.created_by
    if c is None:
        return "(no creator)"
    return f"{c.func} {c.file}:{c.line}" if c.file else c.func


def creation_sites(dump: Dump) -> list[Site]:
    sites: dict[str, Site] = {}
    for b in dump.buckets:
        k = site_key(b)
        s = sites.get(k)
        if s is None:
            s = sites[k] = Site(key=k, creator=b.created_by)
        s.count += b.count
        s.buckets.append(b)
        s.states.update(b.states)
    return sorted(sites.values(), key=lambda s: (-s.count, s.key))


def _fmt_count(n: int) -> str:
    return f"{n:,}"


def _wait_words(b: Bucket) -> str:
    lo, hi = b.wait_range()
    if hi == 0:
        return ""
    if lo == hi:
        return f" for {lo} minute{'s' if lo != 1 else ''}"
    return f" for {lo}\u2013{hi} minutes"


def _short(func: str) -> str:
    # github.com/acme/api/handler.Export -> handler.Export
    return func.rsplit("/", 1)[-1]


def _where(b: Bucket, module: str | None) -> str:
    top = b.top_user_frame(module)
    created = b.created_by
    parts = []
    if created is not None:
        parts.append(f"created by {_short(created.func)}")
    if top is not None and (created is None or top.func != created.func):
        parts.append(f"parked in {_short(top.func)}")
    return ", ".join(parts)


def _is_outbound(b: Bucket) -> bool:
    funcs = [f.func for f in b.frames]
    server_side = any(f.startswith(("net/http.(*conn).serve", "net/http.(*connReader)", "net.(*TCPListener).Accept",
                                    "net.(*netFD).accept", "net/http.(*Server).Serve")) for f in funcs)
    if server_side:
        return False
    return any(f.startswith(("net.(*conn).Read", "net.(*netFD).Read", "net/http.(*persistConn)", "crypto/tls.(*Conn).Read",
                             "bufio.(*Reader)")) for f in funcs)


def classify(b: Bucket, module: str | None, min_count: int) -> tuple[object, float, str] | None:
    """The rule and score for a bucket, or None when it looks healthy."""
    state = b.base_state
    lo, hi = b.wait_range()
    if b.leaked:
        why = _WHY.get(state, "nothing reachable can ever unblock them")
        msg = (f"{_fmt_count(b.leaked)} goroutine{'s' if b.leaked != 1 else ''} proven leaked by the GC"
               f" ({state}{_wait_words(b)}), {_where(b, module) or 'in ' + (b.top_frame.func if b.top_frame else '?')}: {why}")
        return R.LEAK_PROVEN, 1e9 + b.leaked, msg
    user = b.top_user_frame(module)
    if user is None and not (b.created_by and is_user_func(b.created_by.func, module)):
        return None  # runtime/stdlib-only stacks: server accept loops, GC workers...
    if b.count < min_count and not (hi >= LONG_WAIT_MINUTES and b.count >= 2):
        return None
    if state in _CHANNEL:
        rule = R.BLOCKED_ON_CHANNEL
    elif state in _SELECT:
        rule = R.STUCK_IN_SELECT
    elif state in _LOCK:
        rule = R.STUCK_ON_LOCK
    elif state == "IO wait" and _is_outbound(b):
        rule = R.OUTBOUND_IO_WAIT
    elif state == "unknown":
        rule = R.GOROUTINE_PILE_UP
    else:
        return None
    weight = _WEIGHT.get(state, 0.5)
    score = b.count * weight * (1.0 + math.log1p(hi))
    why = _WHY.get(state) or (f"the lock or condition ({state}) is never released or signalled"
                              if state in _LOCK else "state unknown in this dump format; take a debug=2 dump")
    where = _where(b, module)
    msg = (f"{_fmt_count(b.count)} goroutine{'s' if b.count != 1 else ''} {where}{',' if where else ''} "
           f"{'blocked on ' + state if state != 'unknown' else 'parked'}{_wait_words(b)}: {why}")
    return rule, score, " ".join(msg.split())


def analyse(dump: Dump, module: str | None = None, min_count: int = DEFAULT_MIN_COUNT) -> Analysis:
    suspects: list[Suspect] = []
    states: Counter = Counter()
    for b in dump.buckets:
        states.update({base_state(s): n for s, n in b.states.items()})
        c = classify(b, module, min_count)
        if c is None:
            continue
        rule, score, msg = c
        suspects.append(Suspect(rule=rule, bucket=b, score=score, definite=rule is R.LEAK_PROVEN, message=msg))
    suspects.sort(key=lambda s: (-s.score, s.bucket.first_line))
    return Analysis(dump=dump, sites=creation_sites(dump), suspects=suspects, module=module, states=states)


# --------------------------------------------------------------------------- diff


@dataclass
class Growth:
    key: str
    before: int
    after: int
    sample: Bucket | None  # a bucket from the later dump, for line numbers and frames

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass
class DumpDiff:
    before: Dump
    after: Dump
    by_site: list[Growth]
    by_bucket: list[Growth]

    @property
    def total_delta(self) -> int:
        return self.after.total - self.before.total


def _stack_id(b: Bucket) -> str:
    # Compare buckets across dumps by function + file:line only, so debug=1,
    # debug=2 and pprof forms of the same stack line up.
    return "\n".join(f"{f.func} {f.file}:{f.line}" for f in b.frames if not f.func.startswith("runtime."))


def diff(before: Dump, after: Dump) -> DumpDiff:
    def sites(d: Dump) -> dict[str, tuple[int, Bucket]]:
        out: dict[str, list] = {}
        for b in d.buckets:
            k = site_key(b) if d.format == "debug2" and b.created_by else "stack:" + _stack_id(b)
            slot = out.setdefault(k, [0, b])
            slot[0] += b.count
        return {k: (v[0], v[1]) for k, v in out.items()}

    def buckets(d: Dump) -> dict[str, tuple[int, Bucket]]:
        out: dict[str, list] = {}
        for b in d.buckets:
            slot = out.setdefault(_stack_id(b), [0, b])
            slot[0] += b.count
        return {k: (v[0], v[1]) for k, v in out.items()}

    def grow(a: dict, b: dict) -> list[Growth]:
        rows = []
        for k in set(a) | set(b):
            n0 = a.get(k, (0, None))[0]
            n1, bk = b.get(k, (0, None))
            if bk is None:
                bk = a[k][1]
            if n1 != n0:
                rows.append(Growth(key=k, before=n0, after=n1, sample=bk))
        rows.sort(key=lambda g: (-g.delta, g.key))
        return rows

    return DumpDiff(before=before, after=after, by_site=grow(sites(before), sites(after)),
                    by_bucket=grow(buckets(before), buckets(after)))


# --------------------------------------------------------------------------- findings


def code_locations(b: Bucket | None, module: str | None = None) -> tuple[tuple[str, str], ...]:
    """The source lines a bucket's goroutines are about (where they wait,
    where they were created), as ``code_location`` extras for the live join."""
    if b is None:
        return ()
    frames = [b.top_user_frame(module), b.created_by]
    wheres = dict.fromkeys(fr.where() for fr in frames if fr is not None and fr.file and fr.line > 0)
    return tuple((CODE_LOCATION, w) for w in wheres)


def findings(analysis: Analysis, top: int = 20) -> list[Finding]:
    d = analysis.dump
    out: list[Finding] = []
    for h in d.header[:1]:
        out.append(sg908.finding(d.source, h))
    for race in d.races:
        out.append(sg909.finding(d.source, race.line, [f"{a} at {f.func} {f.file}:{f.line}" if f else a
                                                       for a, f in race.accesses[:2]]))
    if d.truncated:
        out.append(sg910.finding(d.source, d.truncated_note))
    for s in analysis.suspects[:top]:
        extra = [("bucket_count", str(s.bucket.count)), ("state", s.bucket.state)]
        if s.source_link:
            extra.append(("source", s.source_link))
        for sf in s.static:
            extra.append(("static_finding", f"{sf.rule_id} {sf.path}:{sf.line}"))
        # Identity: where the bucket's goroutines were created and where they
        # park, not how many there are or how long they waited.
        parked = s.bucket.top_user_frame(analysis.module) or s.bucket.top_frame
        identity = f"{site_key(s.bucket)} | {parked.func if parked else ''} | {s.bucket.base_state}"
        out.append(evidence_finding(s.rule, d.source, s.bucket.first_line, s.message, identity=identity,
                                    extra=tuple(extra) + code_locations(s.bucket, analysis.module)))
    return out


def growth_findings(dd: DumpDiff, fail_if_growth: int | None, min_growth: int = DEFAULT_MIN_COUNT,
                    top: int = 20) -> list[Finding]:
    out: list[Finding] = []
    threshold = min_growth if fail_if_growth is None else min(min_growth, fail_if_growth + 1)
    for g in dd.by_site[:top]:
        if g.delta < max(threshold, 1):
            break
        b = g.sample
        top_user = b.top_user_frame() if b else None
        label = g.key if not g.key.startswith("stack:") else (top_user.func if top_user else g.key[6:].split("\n", 1)[0])
        f = sg906.finding(dd.after.source, b.first_line if b else 0, label, g.before, g.after, fail_if_growth)
        out.append(f.with_(extra=f.extra + code_locations(b)))
    return out
