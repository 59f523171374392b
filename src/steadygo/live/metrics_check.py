"""The metrics part of a probe: the exposition at --metrics-path, read and
linted exactly as ``steadygo metrics URL`` does (SG941-SG946)."""

from __future__ import annotations

from steadygo.errors import UserError
from steadygo.live.outcome import Outcome
from steadygo.live.session import Session
from steadygo.runtime import exposition, exposition_lint


def run(session: Session, path: str, slo_latency: float | None, top: int) -> Outcome:
    out = Outcome()
    r = session.get(path, accept=exposition.ACCEPT)
    if r is None:
        out.errors.append(f"metrics: {session.last_error()}")
        return out
    if r.refused:
        out.errors.append(f"metrics: {r.refused}")
        return out
    if r.status != 200:
        # No metrics endpoint is the service's choice, not a broken answer.
        out.skipped.append(f"metrics: {r.url} answered HTTP {r.status}")
        return out
    try:
        expo = exposition.parse(r.data, r.url, r.content_type)
    except UserError as exc:
        out.errors.append(f"metrics: {exc}")
        return out
    th = exposition_lint.Thresholds(slo_latency=slo_latency)
    out.findings = exposition_lint.findings(expo, th)
    out.checked = [r for r in exposition_lint.CHECKED_RULES if r != "SG946" or slo_latency is not None]
    out.evidence["metrics"] = {"url": r.url, **exposition_lint.summary(expo, top)}
    return out
