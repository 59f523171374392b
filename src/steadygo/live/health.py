"""Health endpoints: which answer, how fast, whether readiness says anything
liveness does not, and whether the bodies show internals (SG951-SG954).

With no --health-path the usual candidates are tried and a 404 only means
"not this one"; paths the user names are expected to answer, so any non-2xx
on them is a finding."""

from __future__ import annotations

from dataclasses import dataclass

from steadygo.evidence.rules.sg9_runtime import (sg951_no_health_endpoint_answers as sg951,
                                                 sg952_health_endpoint_failing_or_slow as sg952,
                                                 sg953_readiness_answers_like_liveness as sg953,
                                                 sg954_health_body_leaks_internals as sg954)
from steadygo.live import body_leaks
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session

CANDIDATES = ("/healthz", "/readyz", "/livez", "/health", "/ready")
# Bigger health answers are cut here: the leak scan reads 64 KiB, and a
# health endpoint streaming more is not one we need all of.
_BODY_CAP = 1 << 20
_ABSENT = (404, 405, 410, 501)
# Asked once next to the default candidates: a server that answers this the
# same as a candidate answers every path alike (a landing page, an SPA), and
# that candidate is not a health endpoint.
CANARY = "/.steadygo-probe-no-such-path"
# "ok", "OK\n", {"status":"ok"}: nothing in it a readiness check could vary.
_TERSE = 24
# A health answer is bounded by this many times --health-latency (at least
# 5 s): one hanging endpoint is a finding, and leaves budget for the rest.
_PATIENCE = 5.0


@dataclass
class Answer:
    path: str
    url: str
    status: int
    seconds: float
    body: bytes
    content_type: str
    location: str


def is_readiness(path: str) -> bool:
    return "ready" in path.lower()


def run(session: Session, paths: list[str] | None, latency: float) -> Outcome:
    out = Outcome()
    explicit = bool(paths)
    tried = list(dict.fromkeys(paths or CANDIDATES))
    answers: list[Answer] = []
    unreachable, hanging = [], []
    patience = max(_PATIENCE, _PATIENCE * latency)
    for path in tried:
        r = session.get(path, max_bytes=min(_BODY_CAP, session.max_bytes), timeout=patience,
                        bound="the bound on one health answer; --health-latency raises it")
        if r is None:
            (hanging if session.url(path) in session.timed_out else unreachable).append(path)
            continue
        answers.append(Answer(path, r.url, r.status, r.seconds, bytes(r.data), r.content_type, r.location))
    catch_all = set() if explicit or not answers else _served_by_catch_all(session, answers)
    out.evidence = {"health": [{"path": a.path, "status": a.status, "seconds": round(a.seconds, 4),
                                "bytes": len(a.body), "catch_all": a.path in catch_all} for a in answers]}
    if unreachable:
        out.errors.append(f"health: no usable answer from {', '.join(unreachable)} ({session.last_error()})")
    if not answers:
        if hanging:
            out.errors.append(f"health: no answer from {', '.join(hanging)} within {patience:g} s")
        return out
    present = [a for a in answers if a.status not in _ABSENT and a.path not in catch_all]
    out.checked += ["SG951", "SG952", "SG954"]
    if not present:
        if not unreachable:
            out.findings.append(sg951.finding(session.base, [(a.path, f"{a.status} (as any path)" if a.path in catch_all
                                                              else str(a.status)) for a in answers]))
        return out
    for path in hanging:
        out.findings.append(sg952.hanging(session.url(path), min(patience, session.timeout)))
    for a in answers:
        if not 200 <= a.status < 300 and (a in present or explicit):
            out.findings.append(sg952.failing(a.url, a.status, a.location))
        elif 200 <= a.status < 300 and a.seconds > latency:
            out.findings.append(sg952.slow(a.url, a.seconds, latency))
        if a in present:
            leak = body_leaks.scan(a.body)
            if leak is not None:
                out.findings.append(sg954.finding(a.url, leak.kinds, leak.examples, leak.credential,
                                                  leak.version_only))
    _compare_readiness(present, out)
    return out


def _served_by_catch_all(session: Session, answers: list[Answer]) -> set[str]:
    r = session.get(CANARY, max_bytes=min(_BODY_CAP, session.max_bytes))
    if r is None or not 200 <= r.status < 300:
        return set()
    return {a.path for a in answers if a.status == r.status and a.body == bytes(r.data)}


def _compare_readiness(present: list[Answer], out: Outcome) -> None:
    """SG953 is judged only when a readiness path and a liveness path both
    answered: identical status and body bytes.  The handler behind them is
    not observable; identical terse bodies are only a hint (info)."""
    ready = [a for a in present if is_readiness(a.path)]
    live = [a for a in present if not is_readiness(a.path)]
    if not ready or not live:
        return
    out.checked.append("SG953")
    for r in ready:
        same = next((lv for lv in live if lv.status == r.status and lv.body == r.body
                     and lv.content_type == r.content_type), None)
        if same is not None:
            detailed = len(r.body.strip()) > _TERSE
            out.findings.append(sg953.finding(r.url, same.path, r.status, len(r.body), detailed))
