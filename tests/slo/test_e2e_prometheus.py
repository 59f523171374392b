"""End to end: a real Prometheus on 127.0.0.1 loads the generated rules,
scrapes a tiny exporter whose counters we advance, and its HTTP API must
show the recording rules' ratios and exactly the alerts the math predicts.

The exporter advances its counters by a fixed step on every scrape, and
starts them at 100 steps, so every series has the same shape; Prometheus's
rate() extrapolation then scales numerator and denominator alike and the
ratios come out exact (1% errors, 5% slow requests) from the first rule
evaluation, in every window."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

from steadygo.slo import ladder, rules, spec

DEADLINE_S = 45
SPEC = """
service: order-api
slos:
  - name: availability
    objective: 99.5            # budget 0.5%; we serve 1% errors = 2x burn
    sli:
      errors:
        bad: http_requests_total{job="order-api",code=~"5.."}
        total: http_requests_total{job="order-api"}
  - name: latency
    objective: 99              # budget 1%; we serve 5% slow = 5x burn
    sli:
      latency:
        bucket: http_request_duration_seconds_bucket{job="order-api",route="/api/v1/order"}
        le: 0.35
        buckets: [0.1, 0.35, 1]
"""
# Per-scrape increments; every counter starts at 100 increments.
STEP = {
    'http_requests_total{code="200"}': 990,
    'http_requests_total{code="500"}': 10,
    'http_request_duration_seconds_bucket{route="/api/v1/order",le="0.1"}': 500,
    'http_request_duration_seconds_bucket{route="/api/v1/order",le="0.35"}': 950,
    'http_request_duration_seconds_bucket{route="/api/v1/order",le="1"}': 990,
    'http_request_duration_seconds_bucket{route="/api/v1/order",le="+Inf"}': 1000,
    'http_request_duration_seconds_count{route="/api/v1/order"}': 1000,
}


class _Exporter(http.server.BaseHTTPRequestHandler):
    scrapes = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 - http.server API
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        with _Exporter.lock:
            _Exporter.scrapes += 1
            n = 100 + _Exporter.scrapes
        body = "".join(f"{series} {step * n}\n" for series, step in STEP.items())
        body = "# TYPE http_requests_total counter\n" + body
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep pytest output clean
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def exporter():
    _Exporter.scrapes = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Exporter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def prometheus(prometheus_bin, exporter, tmp_path):
    s = spec.loads(SPEC, "e2e.yaml")
    (tmp_path / "rules.yml").write_text(rules.render(s, "e2e.yaml"))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp_path / "rules.yml")],
        "scrape_configs": [{"job_name": "order-api", "static_configs": [{"targets": [f"127.0.0.1:{exporter}"]}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = _free_port()
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [prometheus_bin, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield s, f"http://127.0.0.1:{port}", proc, tmp_path / "prometheus.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _get(url: str) -> dict:
    # The standard library is enough for two GETs; no HTTP client dependency.
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - 127.0.0.1 only
        return json.load(resp)


def _query(base: str, q: str) -> list[dict]:
    return _get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": q}))["data"]["result"]


def _wait(what, check, proc, logfile, deadline):
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"prometheus exited with {proc.returncode}: {logfile.read_text()[-2000:]}")
        try:
            last = check()
            if last is not None:
                return last
        except (urllib.error.URLError, ConnectionError) as exc:
            last = exc
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}; last: {last!r}; log: {logfile.read_text()[-2000:]}")


def test_recording_rules_and_alerts_in_a_real_prometheus(prometheus):
    _spec, base, proc, logfile = prometheus
    deadline = time.monotonic() + DEADLINE_S
    started = time.monotonic()
    windows = [ladder.format_duration(w) for w in ladder.windows_needed(30 * 86400)]
    assert windows == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    expected = {"availability": 0.01, "latency": 0.05}

    def ratios():
        got = {}
        for w in windows:
            for sample in _query(base, f'slo:sli_error:ratio_rate{w}{{service="order-api"}}'):
                got[(sample["metric"]["slo"], w)] = float(sample["value"][1])
        return got if len(got) == 2 * len(windows) else None

    got = _wait("recording rules", ratios, proc, logfile, deadline)
    for (slo, _w), value in got.items():
        assert value == pytest.approx(expected[slo], rel=1e-9), got

    budgets = {x["metric"]["slo"]: float(x["value"][1]) for x in _query(base, "slo:error_budget:ratio")}
    assert budgets == {"availability": pytest.approx(0.005), "latency": pytest.approx(0.01)}

    # 2x burn on availability fires only the 1x rung; 5x on latency fires
    # the 1x and 3x rungs, not 6x or 14.4x.
    want = {("availability", "1", "L1"), ("latency", "1", "L1"), ("latency", "3", "L1")}

    def alerts():
        firing = {(a["labels"]["slo"], a["labels"]["burn_rate"], a["labels"]["slo_tier"])
                  for a in _get(f"{base}/api/v1/alerts")["data"]["alerts"] if a["state"] == "firing"}
        return firing if firing == want else None

    assert _wait("alerts", alerts, proc, logfile, deadline) == want
    # The description template renders with the live value (1% errors).
    descriptions = {(a["labels"]["slo"], a["labels"]["burn_rate"]): a["annotations"]["description"]
                    for a in _get(f"{base}/api/v1/alerts")["data"]["alerts"]}
    assert descriptions[("availability", "1")].startswith("Error ratio over the last 3d is 1% and over 6h is also above 1x the allowed 0.5% ")
    assert descriptions[("latency", "3")].startswith("Error ratio over the last 1d is 5% and over 2h is also above 3x the allowed 1% ")
    # Still exactly those a few evaluations later: nothing else creeps in.
    time.sleep(3)
    assert alerts() == want
    assert time.monotonic() - started < DEADLINE_S
    assert _Exporter.scrapes >= 2
