"""``steadygo probe URL``: every live check in order, within one budget.

Order matters only for time: the cheap GETs first (health, metrics, pprof,
expvar), then what holds connections (slow clients), then what loads the
service (the leak burst), so a tight --timeout still gets the verdicts that
cost least.  A target that gives none of those cheap GETs an HTTP answer is
unusable input: one line (the first failure), exit 2, no report."""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.errors import UserError
from steadygo.findings import Finding
from steadygo.live import debug_endpoints, health, leak_burst, metrics_check, slow_clients
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session


@dataclass(frozen=True)
class Plan:
    url: str
    timeout: float
    max_bytes: int
    metrics_path: str = "/metrics"
    health_paths: tuple[str, ...] = ()  # empty: health.CANDIDATES
    health_latency: float = 1.0
    pprof_path: str = "/debug/pprof/"
    slo_latency: float | None = None
    clients: int = 0  # slow clients to open; 0: that check is not run
    hold: float = slow_clients.DEFAULT_HOLD
    leak_path: str | None = None
    pprof_url: str | None = None
    requests: int = leak_burst.DEFAULT_REQUESTS
    concurrency: int = leak_burst.DEFAULT_CONCURRENCY
    settle: float = leak_burst.DEFAULT_SETTLE
    top: int = 10


@dataclass
class ProbeResult:
    target: str
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # unusable answers (Outcome.errors): exit 2
    evidence: dict = field(default_factory=dict)
    seconds: float = 0.0


def run(plan: Plan) -> ProbeResult:
    session = Session.for_url(plan.url, plan.timeout, plan.max_bytes)
    result = ProbeResult(target=plan.url)
    hp = health.run(session, list(plan.health_paths), plan.health_latency)
    _add(result, hp)
    _add(result, metrics_check.run(session, plan.metrics_path, plan.slo_latency, plan.top))
    _add(result, debug_endpoints.run(session, plan.pprof_path))
    if session.answered == 0:
        # Nothing answered HTTP: refused, DNS, TLS, silence, not HTTP at all.
        raise UserError(session.errors[0] if session.errors else f"{plan.url}: no answer")
    if plan.clients:
        _add(result, slow_clients.run(session, _steady_path(hp), plan.clients, plan.hold))
    if plan.leak_path is not None:
        pprof = debug_endpoints.pprof_base(plan.pprof_url or session.url(plan.pprof_path))
        _add(result, leak_burst.run(session, plan.leak_path, pprof, plan.requests, plan.concurrency, plan.settle))
    result.seconds = plan.timeout - session.left()
    return result


def _add(result: ProbeResult, o: Outcome) -> None:
    result.findings += o.findings
    result.checked += [r for r in o.checked if r not in result.checked]
    result.skipped += o.skipped
    result.errors += o.errors
    result.evidence.update(o.evidence)


def _steady_path(hp: Outcome) -> str:
    """A path the slow and idle connections ask for: a health path that
    answered 2xx (cheap for the service), else the root."""
    for row in hp.evidence.get("health", []):
        if 200 <= row["status"] < 300:
            return row["path"]
    return "/"
