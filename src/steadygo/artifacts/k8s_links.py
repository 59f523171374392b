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


def services_of(m: ManifestFacts, w: Workload) -> list[K8sService]:
    return [s for s in m.services if same_namespace(s.namespace, w.namespace) and selects(s.selector, w.labels)]


def hpas_of(m: ManifestFacts, w: Workload) -> list[HPA]:
    return [h for h in m.hpas if same_namespace(h.namespace, w.namespace)
            and h.target_name == w.name and h.target_kind == w.kind]


def pdbs_of(m: ManifestFacts, w: Workload) -> list[PDB]:
    return [p for p in m.pdbs if same_namespace(p.namespace, w.namespace) and selects(p.selector, w.labels)]


def probably_not_go(image: str | None) -> bool:
    return bool(image) and _NOT_GO.search(image.lower()) is not None


def min_replicas(m: ManifestFacts, w: Workload) -> int:
    """Fewest pods the workload runs: HPA minReplicas when an HPA scales it
    (default 1), else spec.replicas (default 1)."""
    scaled = hpas_of(m, w)
    if scaled:
        return min(h.min_replicas if h.min_replicas is not None else 1 for h in scaled)
    return w.replicas if w.replicas is not None else 1
