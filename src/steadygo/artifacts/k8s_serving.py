"""Which ports and Services carry traffic, as opposed to metrics scrapes.

Only exact conventional names count as metrics-only: Grafana's ``http-metrics``
is the main HTTP port of Mimir and Loki, so it counts as serving.
"""

from __future__ import annotations

from steadygo.artifacts.facts import Container

_METRICS_PORT_NAMES = frozenset({"metrics", "prometheus", "monitoring", "profiling", "pprof", "healthz", "health"})


def serving_ports(c: Container) -> list[int]:
    """The container's ports minus those named only for metrics or health."""
    scrape = {n for name, n in c.ports.items() if name.lower() in _METRICS_PORT_NAMES}
    return [n for n in c.port_numbers if n not in scrape]


def is_metrics_service(name: str) -> bool:
    """``argocd-server-metrics``, ``controller-manager-metrics-service``, ``metrics``."""
    n = name.lower()
    return n == "metrics" or n.endswith(("-metrics", "-metrics-service", "-metrics-svc"))
