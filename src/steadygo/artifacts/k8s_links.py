"""Relations between Kubernetes objects of one scan: which Service selects
which workload, which HPA scales it, which PDB covers it."""

from __future__ import annotations

import re

from steadygo.artifacts.facts import HPA, PDB, K8sService, ManifestFacts, Workload

# Images that are not Go services (sidecars and data stores often deployed
# beside one): Go-runtime advice such as GOMEMLIMIT does not apply to them.
_NOT_GO = re.compile(r"(?:^|/)(?:nginx|nginx-unprivileged|redis|postgres|mysql|mariadb|memcached|envoy|envoyproxy|"
                     r"proxyv2|haproxy|httpd|rabbitmq|mongo|elasticsearch|fluent-bit|fluentd|busybox|alpine|"
                     r"python|node|openjdk|eclipse-temurin|ruby|php)(?::|@|$)")


def same_namespace(a: str | None, b: str | None) -> bool:
    """An object without metadata.namespace goes wherever it is applied."""
    return a is None or b is None or a == b


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


class _Index:
    """Services by one of their selector pairs, HPAs by target: looking each
    workload's up costs a dict hit instead of a scan (1,000 manifests would
    otherwise make a million label comparisons per rule)."""

    def __init__(self, m: ManifestFacts):
        self.services: dict[tuple[str, str], list[K8sService]] = {}
        for s in m.services:
            if s.selector:
                k, v = min(s.selector.items())
                self.services.setdefault((k, v), []).append(s)
        self.hpas: dict[tuple[str, str], list[HPA]] = {}
        for h in m.hpas:
            self.hpas.setdefault((h.target_kind, h.target_name), []).append(h)
        self.pdbs: dict[tuple[str, str], list[PDB]] = {}
        for p in m.pdbs:
            if p.selector:
                self.pdbs.setdefault(min(p.selector.items()), []).append(p)
        self.workload_namespaces = {w.namespace for w in m.workloads}


def index(m: ManifestFacts) -> _Index:
    idx = m.__dict__.get("_index")
    if idx is None:
        idx = _Index(m)
        m.__dict__["_index"] = idx  # not a dataclass field: to_dict() leaves it out
    return idx


def services_of(m: ManifestFacts, w: Workload) -> list[K8sService]:
    by_pair = index(m).services
    found: list[K8sService] = []
    for pair in w.labels.items():
        for s in by_pair.get(pair, ()):
            if same_namespace(s.namespace, w.namespace) and selects(s.selector, w.labels) and s not in found:
                found.append(s)
    return found


def hpas_of(m: ManifestFacts, w: Workload) -> list[HPA]:
    return [h for h in index(m).hpas.get((w.kind, w.name), ()) if same_namespace(h.namespace, w.namespace)]


def pdbs_of(m: ManifestFacts, w: Workload) -> list[PDB]:
    by_pair = index(m).pdbs
    found: list[PDB] = []
    for pair in w.labels.items():
        for p in by_pair.get(pair, ()):
            if same_namespace(p.namespace, w.namespace) and selects(p.selector, w.labels) and p not in found:
                found.append(p)
    return found


def has_workloads_in(m: ManifestFacts, namespace: str | None) -> bool:
    spaces = index(m).workload_namespaces
    return bool(spaces) and (namespace is None or None in spaces or namespace in spaces)


def probably_not_go(image: str | None) -> bool:
    return bool(image) and _NOT_GO.search(image.lower()) is not None


def min_replicas(m: ManifestFacts, w: Workload) -> int:
    """Fewest pods the workload runs: HPA minReplicas when an HPA scales it
    (default 1), else spec.replicas (default 1)."""
    scaled = hpas_of(m, w)
    if scaled:
        return min(h.min_replicas if h.min_replicas is not None else 1 for h in scaled)
    return w.replicas if w.replicas is not None else 1
