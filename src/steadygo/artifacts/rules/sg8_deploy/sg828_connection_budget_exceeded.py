"""SG828: open connections per pod x pods exceed what the database accepts."""

from __future__ import annotations

from steadygo.artifacts.joins import by_module
from steadygo.artifacts.k8s_links import hpas_of
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ConnectionBudgetExceeded(ArtifactRule):
    meta = deploy_meta(
        "SG828", "connection-budget-exceeded", Severity.ERROR,
        "database refuses connections at peak scale",
        "SetMaxOpenConns x replicas (HPA maxReplicas) is above [database] max-connections, or the pool is unbounded.")

    def check(self, ctx: ArtifactContext) -> None:
        limit = (ctx.settings.get("database") or {}).get("max_connections")
        if not limit:
            return  # the database's limit is the user's to state
        for root, joined in by_module(ctx.joined).items():
            service = ctx.services.get(root)
            if service is None:
                continue
            opens = [p for p in service.pools if p.setting == "SetMaxOpenConns"]
            if not opens and not any(p.setting == "SetMaxIdleConns" for p in service.pools):
                continue  # no sign the code uses database/sql's pool
            known = [p for p in opens if p.value is not None]
            if len(known) != len(opens):
                continue  # a size computed at run time: no arithmetic to show
            per_pod = sum(p.value for p in known)
            pods, parts = 0, []
            for j in _workloads(joined):
                n, how = _peak_pods(ctx, j.workload)
                pods += n
                parts.append(f"{j.workload.kind} {j.workload.name} {n} ({how})")
            w = joined[0].workload
            line = w.replicas_line or w.line
            if not opens:
                ctx.report(w.path, line,
                           f"{service.module} never calls SetMaxOpenConns: each of its {pods} pod(s) may open "
                           f"unlimited connections against a database that accepts {limit}; set it to at most "
                           f"{max(1, int(limit * 0.9) // max(pods, 1))} per pod",
                           severity=Severity.WARNING)
                continue
            total = per_pod * pods
            if total <= limit:
                continue
            where = known[0].location
            ctx.report(w.path, line,
                       f"{service.module}: SetMaxOpenConns {per_pod:g} x {pods} pod(s) at peak ({'; '.join(parts)}) "
                       f"= {total:g} connections > [database] max-connections {limit}: at peak scale new "
                       f"connections are refused; at most {max(1, int(limit * 0.9) // pods)} per pod leaves 10% "
                       "for migrations and admin",
                       related=((where.path, where.line, f"SetMaxOpenConns({per_pod:g})"),))


def _workloads(joined):
    seen, out = set(), []
    for j in joined:
        key = (j.workload.kind, j.workload.name, j.workload.namespace)
        if key not in seen:
            seen.add(key)
            out.append(j)
    return out


def _peak_pods(ctx: ArtifactContext, w) -> tuple[int, str]:
    scaled = hpas_of(ctx.manifests, w)
    if scaled:
        top = max((h.max_replicas or 1) for h in scaled)
        return top, "HPA maxReplicas"
    if w.kind == "DaemonSet":
        return 1, "per node, counted once"
    return (w.replicas if w.replicas is not None else 1), "replicas"
