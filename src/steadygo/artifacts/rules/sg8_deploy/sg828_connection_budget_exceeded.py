"""SG828: open connections per pod x pods exceed what the database (or Redis) accepts."""

from __future__ import annotations

import math

from steadygo.artifacts.joins import by_module
from steadygo.artifacts.k8s_links import hpas_of
from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity
from steadygo.golang.client_pools import PGX_DEFAULT, PGX_DEFAULT_FLOOR

# A limit so high that no node has that many cores: the CPU-sized default
# cannot exceed the budget then, and saying so would be noise.
_MAX_NODE_CORES = 256


class ConnectionBudgetExceeded(ArtifactRule):
    meta = deploy_meta(
        "SG828", "connection-budget-exceeded", Severity.ERROR,
        "database refuses connections at peak scale",
        "Pool sizes (database/sql SetMaxOpenConns, pgxpool MaxConns, go-redis PoolSize) x replicas (HPA "
        "maxReplicas) are above [database] max-connections / [redis] max-clients, or the pool is unbounded.")

    def check(self, ctx: ArtifactContext) -> None:
        db_limit = (ctx.settings.get("database") or {}).get("max_connections")
        redis_limit = (ctx.settings.get("redis") or {}).get("max_clients")
        if not db_limit and not redis_limit:
            return  # the servers' limits are the user's to state
        for root, joined in by_module(ctx.joined).items():
            service = ctx.services.get(root)
            if service is None:
                continue
            workloads = _workloads(joined)
            peaks = [(j, *_peak_pods(ctx, j.workload)) for j in workloads]
            pods = sum(n for _, n, _ in peaks)
            parts = "; ".join(f"{j.workload.kind} {j.workload.name} {n} ({how})" for j, n, how in peaks)
            w = joined[0].workload
            line = w.replicas_line or w.line
            if db_limit:
                self._database(ctx, service, w, line, pods, parts, db_limit)
            if redis_limit:
                self._redis(ctx, service, peaks, w, line, pods, parts, redis_limit)

    def _database(self, ctx, service, w, line, pods, parts, limit) -> None:
        sql = [p for p in service.pools if p.library == "database/sql"]
        pgx = [p for p in service.pools if p.library == "pgxpool"]
        opens = [p for p in sql if p.setting == "SetMaxOpenConns"]
        sql_used = bool(opens) or any(p.setting == "SetMaxIdleConns" for p in sql)
        if not sql_used and not pgx:
            return  # no sign the code uses database/sql's or pgx's pool
        if sql_used and not opens:
            ctx.report(w.path, line,
                       f"{service.module} never calls SetMaxOpenConns: each of its {pods} pod(s) may open "
                       f"unlimited connections against a database that accepts {limit}; set it to at most "
                       f"{max(1, int(limit * 0.9) // max(pods, 1))} per pod",
                       severity=Severity.WARNING)
            return
        if any(p.value is None for p in opens) or any(p.value is None and p.default is None for p in pgx):
            return  # a size computed at run time (or read from a connection string): no arithmetic to show
        terms, related = [], []
        if opens:
            terms.append((f"SetMaxOpenConns {sum(p.value for p in opens):g}", sum(p.value for p in opens)))
            related.append((opens[0].location.path, opens[0].location.line, f"SetMaxOpenConns({opens[0].value:g})"))
        sized = [p for p in pgx if p.value is not None]
        if sized:
            how = "/".join(sorted({p.setting for p in sized}))  # MaxConns, or pool_max_conns in the DSN
            terms.append((f"pgxpool {how} {sum(p.value for p in sized):g}", sum(p.value for p in sized)))
            related.append((sized[0].location.path, sized[0].location.line, f"pgxpool {sized[0].setting} {sized[0].value:g}"))
        defaults = [p for p in pgx if p.value is None]
        if defaults:
            floor = PGX_DEFAULT_FLOOR * len(defaults)
            terms.append((f"pgxpool default {PGX_DEFAULT} >= {floor}", floor))
            related.append((defaults[0].location.path, defaults[0].location.line,
                            f"pgxpool pool without MaxConns (default {PGX_DEFAULT})"))
        per_pod = sum(v for _, v in terms)
        shown = " + ".join(t for t, _ in terms) + (f" = {per_pod:g}" if len(terms) > 1 else "")
        total = per_pod * pods
        fix = f"at most {max(1, int(limit * 0.9) // max(pods, 1))} per pod leaves 10% for migrations and admin"
        if total > limit:
            ctx.report(w.path, line,
                       f"{service.module}: {shown} x {pods} pod(s) at peak ({parts}) = {total:g} connections > "
                       f"[database] max-connections {limit}: at peak scale new connections are refused; {fix}",
                       related=tuple(related))
        elif defaults:
            # max(4, NumCPU) connections per default pool: one per core above the floor
            cores = _cores_that_exceed(limit, per_pod - PGX_DEFAULT_FLOOR * len(defaults), len(defaults), pods, 1)
            if cores is not None:
                ctx.report(w.path, line,
                           f"{service.module}: pgxpool sizes {len(defaults)} pool(s) by runtime.NumCPU() (the node's "
                           f"cores, not the pod's CPU limit; default {PGX_DEFAULT}): on nodes with more than {cores} "
                           f"cores, {pods} pod(s) at peak ({parts}) open more than [database] max-connections "
                           f"{limit}; set MaxConns ({fix})", severity=Severity.WARNING, related=tuple(related))

    def _redis(self, ctx, service, peaks, w, line, pods, parts, limit) -> None:
        pools = [p for p in service.pools if p.library == "go-redis"]
        if not pools or any(p.value is None and p.default is None for p in pools):
            return
        explicit = sum(p.value for p in pools if p.value is not None)
        defaults = [p for p in pools if p.value is None]
        procs = [_gomaxprocs(service, j.container) for j, _, _ in peaks]
        related = tuple((p.location.path, p.location.line, f"{p.target} PoolSize " +
                         (f"{p.value:g}" if p.value is not None else f"unset (default {p.default})")) for p in pools)
        per_node = "; ClusterOptions/RingOptions pools are per Redis node, as is maxclients" if any(
            "Cluster" in p.target or "Ring" in p.target for p in pools) else ""
        if not defaults or all(n is not None for n in procs):
            total = sum((explicit + 10 * len(defaults) * (n or 0)) * pods_j for (_, pods_j, _), n in zip(peaks, procs))
            if total <= limit:
                return
            if defaults:
                shown = (f"PoolSize {explicit:g} + " if explicit else "") + \
                        f"{len(defaults)} pool(s) without PoolSize (default 10 x GOMAXPROCS " + \
                        ", ".join(f"{n} = {10 * n * len(defaults)}" for n in sorted(set(procs))) + " per pod)"
            else:
                shown = f"PoolSize {explicit:g}"
            ctx.report(w.path, line,
                       f"{service.module}: go-redis {shown} x {pods} pod(s) at peak ({parts}) = {total:g} "
                       f"connections > [redis] max-clients {limit}: Redis refuses new clients at peak scale "
                       f"(ERR max number of clients reached){per_node}; set PoolSize to at most "
                       f"{max(1, int(limit * 0.9) // max(pods, 1))} per pod", related=related)
            return
        cores = _cores_that_exceed(limit, explicit, len(defaults), pods, 10)
        if cores is not None:
            ctx.report(w.path, line,
                       f"{service.module}: {len(defaults)} go-redis pool(s) without PoolSize take the default 10 x "
                       f"GOMAXPROCS, and GOMAXPROCS is the node's cores here (no GOMAXPROCS env, no CPU limit the "
                       f"runtime follows): on nodes with more than {cores} cores, {pods} pod(s) at peak ({parts}) "
                       f"open more than [redis] max-clients {limit}{per_node}; set PoolSize",
                       severity=Severity.WARNING, related=related)


def _cores_that_exceed(limit: int, fixed: float, pools: int, pods: int, per_core: int) -> int | None:
    """The largest core count at which ``pods x (fixed + pools x per_core x
    cores)`` stays within ``limit``; None when it is too large to matter."""
    room = limit / max(pods, 1) - fixed
    cores = math.floor(room / (pools * per_core)) if room > 0 else 0
    return cores if cores < _MAX_NODE_CORES else None


def _gomaxprocs(service, c) -> int | None:
    """GOMAXPROCS of a deployed Go process, when the manifest and code tell:
    the env value, else the CPU limit rounded up where the runtime follows it
    (go 1.25+, or automaxprocs)."""
    env = c.env_value("GOMAXPROCS")
    if env is not None:
        return int(env.value) if (env.value or "").isdigit() and int(env.value) > 0 else None
    if c.has_env_from:
        return None
    cpu = _cpu(c.resources.limits.get("cpu"))
    follows = any(m.kind == "automaxprocs" for m in service.gomaxprocs) or _at_least_1_25(service.go_version)
    return max(1, math.ceil(cpu)) if cpu is not None and follows else None


def _cpu(value) -> float | None:
    text = str(value).strip() if value is not None else ""
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None


def _at_least_1_25(version: str | None) -> bool:
    try:
        major, minor = (int(x) for x in (version or "").split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (1, 25)


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
