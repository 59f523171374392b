"""What a run understood, per module: HTTP servers by framework, routes,
listeners, shutdown paths, health endpoints, SQL pool settings, metrics,
tracing, loggers and clients, and what the facts could not resolve.

The reports print it so a reader can tell "judged fine" from "never seen":
a scan that found no HTTP server has nothing to say about server timeouts,
and the scorecard says "nothing to check" for those rows instead of a green
"covered" (see ``subject_state``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Rule ids whose subject is an HTTP server the code starts, Prometheus
# metrics it defines, or OpenTelemetry tracing it sets up.  Rules not listed
# have subjects the facts do not inventory (clients, contexts, errors...):
# their "covered" stands.
_SERVER_RULES = {"SG101", "SG102", "SG103", "SG104", "SG601", "SG602", "SG603", "SG604", "SG605", "SG610", "SG611",
                 "SG612", "SG613", "SG614"}
_METRIC_RULES = {"SG510", "SG511", "SG512", "SG513", "SG514", "SG515", "SG516", "SG517"}
_TRACING_RULES = {"SG630", "SG631", "SG632", "SG633"}


@dataclass
class ModuleInventory:
    module: str  # module path ('' outside any module)
    servers: Counter = field(default_factory=Counter)  # framework -> listeners
    routes: int = 0
    health: int = 0
    shutdown: int = 0  # http/grpc Shutdown/GracefulStop calls
    grpc: int = 0
    pools: int = 0
    metrics: int = 0
    tracing: int = 0
    loggers: list[str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)
    unmodelled: list[str] = field(default_factory=list)  # server frameworks imported whose servers are not modelled
    unresolved: list[str] = field(default_factory=list)

    def line(self) -> str:
        servers = ", ".join(f"{n} {fw}" for fw, n in sorted(self.servers.items())) or "none"
        parts = [f"HTTP servers: {servers}", f"routes {self.routes}", f"health endpoints {self.health}",
                 f"shutdown paths {self.shutdown}"]
        if self.grpc:
            parts.append(f"gRPC servers {self.grpc}")
        parts += [f"SQL pool settings {self.pools}", f"metrics {self.metrics}", f"tracing setups {self.tracing}"]
        if self.loggers:
            parts.append("loggers " + ", ".join(self.loggers))
        if self.clients:
            parts.append("clients " + ", ".join(self.clients))
        text = f"{self.module or '(no module)'}: " + "; ".join(parts)
        if self.unmodelled:
            text += "; servers not modelled (not judged): " + ", ".join(self.unmodelled)
        if self.unresolved:
            text += "; not resolved: " + ", ".join(self.unresolved)
        return text


def _framework(call: str) -> str:
    head = call.split(".", 1)[0]
    return {"http": "net/http", "Server": "net/http"}.get(head, head)


def of_facts(module: str, facts) -> ModuleInventory:
    inv = ModuleInventory(module=module)
    for listener in facts.listeners:
        inv.servers[_framework(listener.call)] += 1
    inv.routes = len(facts.routes)
    inv.health = len(facts.health_endpoints)
    inv.shutdown = sum(1 for s in facts.shutdown_calls if s.kind in ("http", "grpc"))
    inv.grpc = len(facts.grpc_servers)
    inv.pools = len(facts.pools)
    inv.metrics = len(facts.metrics)
    inv.tracing = len(facts.tracing)
    inv.loggers = list(facts.loggers)
    inv.clients = list(facts.dependencies)
    inv.unmodelled = list(facts.unmodelled_servers)
    unknown = Counter()
    unknown["listener address"] = sum(1 for listener in facts.listeners if listener.port is None)
    unknown["metric name"] = sum(1 for m in facts.metrics if not m.name)
    unknown["shutdown deadline"] = sum(1 for s in facts.shutdown_calls
                                       if s.kind in ("http", "grpc") and s.deadline == "unknown")
    inv.unresolved = [f"{n} {what}{'es' if n != 1 and what.endswith('ss') else 's' if n != 1 else ''}"
                      for what, n in unknown.items() if n]
    return inv


def of_result(result) -> list[ModuleInventory]:
    """One inventory per module with Go code in the run, in module order."""
    out = []
    for root in sorted(result.module_facts):
        facts = result.module_facts[root]
        out.append(of_facts(facts.module or "", facts))
    return out


def subject_state(rule_id: str, inventories: list[ModuleInventory]) -> tuple[str, str]:
    """("absent", why) when the rule's subject is not in the code, ("unmodelled",
    why) when it is there in a framework steadygo does not model (a kratos
    server: not checked, never "nothing to check"), else ("", "")."""
    if not inventories:
        return "", ""
    if rule_id in _SERVER_RULES and not any(inv.servers or inv.routes for inv in inventories):
        unmodelled = sorted({u for inv in inventories for u in inv.unmodelled})
        if unmodelled:
            return "unmodelled", f"the HTTP servers here use {', '.join(unmodelled)}, which steadygo does not model"
        return "absent", "nothing to check: no HTTP server found"
    if rule_id in _METRIC_RULES and not any(inv.metrics for inv in inventories):
        return "absent", "nothing to check: no Prometheus metric defined"
    if rule_id in _TRACING_RULES and not any(inv.tracing for inv in inventories):
        return "absent", "nothing to check: no OpenTelemetry tracing set up"
    return "", ""
