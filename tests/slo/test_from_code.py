"""`slo init --src` drafts SLIs from the metrics the Go code defines and
`slo check --src` reports selectors the code can never satisfy, on a fixture
service whose status label is `status`, not promhttp's `code`."""

from __future__ import annotations

import re

import yaml

from steadygo.slo import from_code

SRC = "tests/slo/fixtures/src-service"

# What a spec copied from a blog post looks like next to this service.
COPIED = """\
version: 1
service: checkout
slos:
  - name: availability
    objective: 99.9
    sli:
      errors:
        bad: checkout_http_requests_total{job="checkout",code=~"5.."}
        total: checkout_http_requests_total{job="checkout"}
  - name: legacy-availability
    objective: 99.5
    sli:
      errors:
        bad: http_requests_total{status=~"5.."}
        total: http_requests_total
  - name: latency
    objective: 99
    sli:
      latency:
        bucket: checkout_http_request_duration_seconds_bucket{route="/api/v1/checkout"}
        le: 0.35
        buckets: [0.1, 0.35, 1]
  - name: queue
    objective: 99
    sli:
      latency:
        bucket: checkout_queue_depth_bucket
        le: 0.5
        buckets: [0.5]
"""


def test_init_src_drafts_from_the_code_and_the_draft_checks_clean(run_cli, tmp_path, promtool):
    out = tmp_path / "slo.yaml"
    code, stdout, err = run_cli("slo", "init", "--src", SRC, "-o", str(out))
    assert (code, stdout) == (0, ""), err
    doc = yaml.safe_load(out.read_text())
    assert doc["service"] == "checkout"
    avail, latency = doc["slos"]
    # The status label the code really has, not the conventional `code`.
    assert avail["sli"]["errors"] == {"bad": 'checkout_http_requests_total{status=~"5.."}', "total": "checkout_http_requests_total"}
    # The threshold is a bound the histogram declares, with its buckets.
    assert latency["sli"]["latency"] == {"bucket": "checkout_http_request_duration_seconds_bucket", "le": 0.5,
                                         "buckets": [0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5]}
    assert "/api/v1/checkout" in out.read_text()  # the routes, as a comment to scope SLOs with
    code, stdout, err = run_cli("slo", "check", str(out), "--src", SRC)
    assert code == 0, stdout + err
    assert stdout.splitlines()[-1] == f"every selector matches the metrics the code under {SRC} defines"


def test_check_src_reports_selectors_the_code_cannot_satisfy(run_cli, tmp_path, promtool):
    spec = tmp_path / "copied.yaml"
    spec.write_text(COPIED)
    code, stdout, err = run_cli("slo", "check", str(spec), "--src", SRC)
    assert code == 1, err
    lines = stdout.splitlines()
    problems = [line for line in lines if re.match(re.escape(f"{spec}:") + r"[0-9]+: ", line)]
    metrics_go = f"{SRC}/internal/httpmetrics/metrics.go"
    assert problems == [
        f"{spec}:4: slo availability: bad matches label 'code', which checkout_http_requests_total ({metrics_go}:11) "
        "does not have (labels: route, method, status); its status label is 'status': the selector matches nothing",
        f"{spec}:10: slo legacy-availability: bad selects http_requests_total, which the code under {SRC} never "
        "defines: the alert can never fire (the code defines checkout_http_requests_total)",
        f"{spec}:10: slo legacy-availability: total selects http_requests_total, which the code under {SRC} never "
        "defines: the alert can never fire (the code defines checkout_http_requests_total)",
        f"{spec}:16: slo latency: le 0.35 is not a bucket bound of checkout_http_request_duration_seconds "
        f"({metrics_go}:17: 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5): no such series exists",
        f"{spec}:23: slo queue: checkout_queue_depth_bucket: checkout_queue_depth is a gauge in the code "
        f"({metrics_go}:24), not a histogram",
    ]
    # job= is a target label Prometheus adds; route= is one the histogram has: neither is reported.
    assert lines[-1] == f"5 selector problems against the code under {SRC}"


def test_init_src_without_metrics_is_one_line_exit_2(run_cli, tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/bare\n\ngo 1.26\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    code, stdout, err = run_cli("slo", "init", "--src", str(tmp_path))
    assert (code, stdout) == (2, "")
    assert err.strip().splitlines()[-1].startswith("steadygo: error: no request counter or latency histogram found")
    code, _, err = run_cli("slo", "init", "--src", str(tmp_path / "missing"))
    assert code == 2 and "no such file or directory" in err


def test_bucket_bounds_from_helpers_and_defaults():
    metrics, unnamed, _, _ = from_code.code_metrics([SRC])
    by = {m.name: m for m in metrics}
    assert unnamed == 0
    assert by["payment_provider_call_seconds"].bucket_bounds == [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28]
    assert by["checkout_queue_depth"].bucket_bounds is None
    assert from_code.bound_text(1.0) == "1" and from_code.bound_text(0.05) == "0.05"


# A sloth spec written for this service the way its docs write one: the
# PromQL queries are checked like steadygo's own selectors.
SLOTH_COPIED = """\
version: prometheus/v1
service: checkout
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(checkout_http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum by (route) (rate(checkout_http_requests_total{route!="/metrics"}[{{.window}}]))
    alerting:
      name: CheckoutErrors
  - name: latency
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          1 - sum(rate(checkout_http_request_duration_seconds_bucket{le="0.35"}[{{.window}}]))
          / on() group_left sum(rate(checkout_http_request_duration_seconds_count[{{.window}}]))
          + 0 * sum(job:checkout_requests:rate5m)
    alerting:
      name: CheckoutSlow
  - name: payments
    objective: 99
    sli:
      raw:
        error_ratio_query: 1 - sum(rate(payment_provider_call_seconds_bucket{le="0.32"}[{{.window}}])) / sum(rate(payment_provider_call_seconds_count[{{.window}}]))
    alerting:
      name: PaymentsSlow
  - name: legacy
    objective: 99
    sli:
      events:
        error_query: sum(rate(http_errors_total[{{.window}}]))
        total_query: sum(rate(checkout_http_requests_total[{{.window}}]))
    alerting:
      name: Legacy
"""


def test_check_src_reads_the_selectors_of_sloth_queries(run_cli, tmp_path, promtool):
    spec = tmp_path / "sloth.yaml"
    spec.write_text(SLOTH_COPIED)
    code, stdout, err = run_cli("slo", "check", str(spec), "--src", SRC)
    assert code == 1, err
    metrics_go = f"{SRC}/internal/httpmetrics/metrics.go"
    problems = [line for line in stdout.splitlines() if re.match(re.escape(f"{spec}:") + r"[0-9]+: ", line)]
    assert problems == [
        f"{spec}:4: slo availability: error_query matches label 'code', which checkout_http_requests_total "
        f"({metrics_go}:11) does not have (labels: route, method, status); its status label is 'status': the selector matches nothing",
        f"{spec}:12: slo latency: error_ratio_query: le 0.35 is not a bucket bound of checkout_http_request_duration_seconds "
        f"({metrics_go}:17: 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5): no such series exists",
        f"{spec}:29: slo legacy: error_query selects http_errors_total, which the code under {SRC} never defines: "
        "the alert can never fire (the code defines checkout_http_requests_total)",
    ]
    # The recorded series comes from a rule, not the code; payments' 0.32 is a bound of ExponentialBuckets(0.01, 2, 8).
    assert err.splitlines() == ["steadygo: note: latency: error_ratio_query reads the recorded series "
                                "job:checkout_requests:rate5m, not checked against the code"]


def test_errors_sli_on_a_histograms_count_is_defined(run_cli, tmp_path, promtool):
    spec = tmp_path / "count.yaml"
    spec.write_text(COPIED.split("  - name: legacy-availability")[0].replace(
        "total: checkout_http_requests_total{job=\"checkout\"}", "total: checkout_http_request_duration_seconds_count"))
    code, stdout, _ = run_cli("slo", "check", str(spec), "--src", SRC)
    assert code == 1
    assert [line for line in stdout.splitlines() if "_count" in line] == []
