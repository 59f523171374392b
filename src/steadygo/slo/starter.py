"""The commented starter spec ``steadygo slo init`` writes.  A test keeps it
valid: it must load, generate, and pass ``promtool check rules``."""

STARTER = '''\
# steadygo SLO spec: `steadygo slo generate` turns it into Prometheus rules,
# `steadygo slo explain` shows when each alert fires.  Docs: docs/slo.md
version: 1

# Becomes the `service` label on every rule.
service: my-service

# Labels added to every alert (routing keys such as team or owner).
labels:
  team: my-team

# Default runbook link, added as the `runbook_url` annotation.
runbook_url: https://runbooks.example.com/my-service/slo

# The three alert tiers.  Alertmanager routes on the `slo_tier` label (and
# `severity`); each tier may add labels.  Only L3 may carry a `remediation`
# hook, added as an annotation for an automation receiver to act on.
tiers:
  L1: {severity: warning}        # notify the on-call engineer (mail / chat)
  L2: {severity: error}          # open an incident and notify chat
  L3:                            # phone / SMS; may trigger remediation
    severity: critical
    # remediation: kubectl scale deployment my-service --replicas=8

slos:
  # Error-ratio SLI: bad/total (or good/total) series selectors over counters.
  - name: availability
    description: Requests that do not fail with a 5xx.
    objective: 99.9          # percent, strictly between 0 and 100
    window: 30d              # whole days or weeks, 7d..90d; default 30d
    sli:
      errors:
        bad: http_requests_total{job="my-service",code=~"5.."}
        total: http_requests_total{job="my-service"}

  # Latency SLI: share of requests at or under `le` seconds, from the
  # histogram's _bucket series.  `le` must be one of the histogram's bucket
  # bounds; list them under `buckets` unless the Go code uses the default
  # buckets (prometheus.DefBuckets).
  - name: latency
    description: Requests served within 500 ms.
    objective: 99
    sli:
      latency:
        bucket: http_request_duration_seconds_bucket{job="my-service"}
        le: 0.5
    # Which tier each burn-rate alert goes to; `off` disables one.
    # Defaults: fast (14.4x over 1h) L3, medium (6x over 6h) L2,
    # slow (3x over 1d) L1, slowest (1x over 3d) L1.
    alerts:
      fast: L2
'''
