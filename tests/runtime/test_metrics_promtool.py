"""`steadygo metrics` agrees with the real `promtool check metrics` (Debian's
prometheus package) on the same bytes: every family promtool names with a
problem, steadygo names with the same problem text (SG941; "no help text" is
SG942), and nothing else.

The corpus: the real Prometheus server's own /metrics (started here on
127.0.0.1 with a temp data dir), the hand-made expositions in
tests/fixtures/metrics/, and one made from tricky names."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from steadygo.runtime import exposition


def require_tool(name: str) -> str:
    """Absent locally: skip loudly; absent in CI: fail (.ci/apt-packages.txt installs it)."""
    import shutil

    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} not found in CI; is prometheus in .ci/apt-packages.txt?")
    pytest.skip(f"SKIPPED LOUDLY: {name} not installed (apt-get install prometheus); CI runs this test")

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"


def _promtool_problems(promtool: str, data: bytes) -> dict[str, set[str]]:
    proc = subprocess.run([promtool, "check", "metrics"], input=data, capture_output=True, timeout=120)
    assert proc.returncode in (0, 3), proc.stderr.decode()[-2000:]  # 3: problems found; 1: could not parse
    got: dict[str, set[str]] = defaultdict(set)
    for line in (proc.stdout + proc.stderr).decode().splitlines():
        if line.strip():
            name, _, problem = line.partition(" ")
            got[name].add(problem.strip())
    return dict(got)


def _steadygo_problems(path: Path) -> dict[str, set[str]]:
    proc = subprocess.run([sys.executable, "-m", "steadygo", "metrics", str(path), "--format", "json", "--isolated",
                           "--exit-zero", "--max-series", "1000000"], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, NO_COLOR="1"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    got: dict[str, set[str]] = defaultdict(set)
    for f in json.loads(proc.stdout)["findings"]:
        name = f["message"].split("'")[1]
        if f["rule_id"] == "SG941":
            problems = f["message"].split(": ", 1)[1].split("; ")
            got[name].update(problems)
        elif f["rule_id"] == "SG942":
            got[name].add("no help text")
    return dict(got)


def _agree(promtool: str, path: Path) -> dict[str, set[str]]:
    want = _promtool_problems(promtool, path.read_bytes())
    got = _steadygo_problems(path)
    assert got == want, "\n".join(f"{n}: steadygo {sorted(got.get(n, ()))} vs promtool {sorted(want.get(n, ()))}"
                                  for n in sorted(set(got) | set(want)) if got.get(n) != want.get(n))
    return want


@pytest.fixture(scope="module")
def promtool() -> str:
    return require_tool("promtool")


def test_hand_made_expositions_agree(promtool):
    found = {}
    for path in sorted(FIXTURES.glob("*.prom")):
        found.update(_agree(promtool, path))
    # The comparison compared something: every promlint check fired at least once.
    texts = {p for problems in found.values() for p in problems}
    for needle in ('"_total" suffix', "base unit", "abbreviated units", "camelCase", "_count", "_sum", "_bucket",
                   '"le" label', '"quantile" label', "include type", "':'", "no help text"):
        assert any(needle in t for t in texts), needle


TRICKY = [("http_requests", "counter"), ("foo_total", "gauge"), ("req_latency_ms", "histogram"),
          ("httpRequestsTotal", "counter"), ("x_count", "summary"), ("size_kb", "untyped"), ("q_histogram_seconds", "histogram"),
          ("g_summary", "summary"), ("distance_miles", "gauge"), ("energy_calories_total", "counter"),
          ("rtt_microseconds", "gauge"), ("temp_fahrenheit", "gauge"), ("lat_sec_total", "counter"), ("req_s", "gauge"),
          ("weeks_total", "untyped"), ("a_b_gauge_c", "gauge"), ("m", "gauge"), ("x_h", "counter")]


def test_tricky_names_agree(promtool, tmp_path):
    lines = []
    for i, (name, mtype) in enumerate(TRICKY):
        if i % 3:
            lines.append(f"# HELP {name} Help.")
        if mtype != "untyped":
            lines.append(f"# TYPE {name} {mtype}")
        if mtype == "histogram":
            lines += [f'{name}_bucket{{le="+Inf"}} 1', f"{name}_sum 1", f"{name}_count 1"]
        elif mtype == "summary":
            lines += [f"{name}_sum 1", f"{name}_count 1"]
        else:
            lines.append(f"{name} 1")
    path = tmp_path / "tricky.prom"
    path.write_text("\n".join(lines) + "\n")
    assert len(_agree(promtool, path)) > 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prometheus_metrics(tmp_path_factory):
    """The /metrics of a real Prometheus server, as steadygo would fetch it."""
    binary = require_tool("prometheus")
    d = tmp_path_factory.mktemp("prometheus")
    (d / "prometheus.yml").write_text("global:\n  scrape_interval: 1s\nscrape_configs: []\n")
    port = _free_port()
    log = open(d / "log", "wb")
    proc = subprocess.Popen([binary, f"--config.file={d / 'prometheus.yml'}", f"--storage.tsdb.path={d / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                req = urllib.request.Request(url, headers={"Accept": exposition.ACCEPT})
                with urllib.request.urlopen(req, timeout=5) as resp:
                    body, ctype = resp.read(), resp.headers.get("Content-Type", "")
                if b"prometheus_tsdb_head_series" in body:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not serve /metrics: {(d / 'log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url, body, ctype, d
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def test_real_prometheus_metrics_agree(promtool, prometheus_metrics):
    url, body, ctype, d = prometheus_metrics
    assert ctype.startswith("text/plain")  # steadygo's Accept asked for the text format first
    path = d / "prometheus.prom"
    path.write_bytes(body)
    _agree(promtool, path)
    # The parse saw every sample prometheus-client's own parser sees.
    from prometheus_client.parser import text_string_to_metric_families

    expo = exposition.parse(body, str(path))
    assert expo.series == sum(len(m.samples) for m in text_string_to_metric_families(body.decode()))
    assert {f.name for f in expo.families} >= {"prometheus_tsdb_head_series", "go_goroutines",
                                               "prometheus_build_info"}


def test_live_url_of_real_prometheus(prometheus_metrics):
    url, *_ = prometheus_metrics
    proc = subprocess.run([sys.executable, "-m", "steadygo", "metrics", url, "--format", "json", "--isolated",
                           "--exit-zero", "--timeout", "20"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    ev = json.loads(proc.stdout)["evidence"]
    assert ev["command"] == "metrics" and ev["source"] == url
    top = ev["summary"]["top_families"]
    assert ev["summary"]["families"] > 50 and top[0]["series"] >= top[-1]["series"]
    by_name = {r["family"]: r for r in top}
    # Prometheus' own request histogram is the biggest family: one series per handler and bucket.
    assert "prometheus_http_request_duration_seconds" in by_name
    assert by_name["prometheus_http_request_duration_seconds"]["top_label"] == "handler"


@pytest.mark.parametrize("line, accepted, needle", [
    ('a_total 2 3 4 5', False, "spurious text after the timestamp"),
    ('a_total{x="b"} 2 3 4', False, "spurious text after the timestamp"),
    ('a_total{x="}\\" 1 2"} 2 3 4', False, "spurious text after the timestamp"),  # '}' and '"' in a value
    ('a_total 2 3.5', False, "is not an integer of milliseconds"),
    ('a_total 2 1e3', False, "is not an integer of milliseconds"),
    ('a_total{x="}\\" 1 2"} 2 3', True, ""),
    ('a_total{x="b"}  2   3', True, ""),
    ('a_total 2 +5', True, ""),
    ('a_total +Inf -5', True, ""),
])
def test_what_follows_the_value_is_judged_as_promtool_judges_it(promtool, tmp_path, line, accepted, needle):
    # prometheus-client reads a timestamp out of "2 3 4 5" and "2 3.5"; the
    # Go parser (promtool, Prometheus' scrape) refuses the line.
    path = tmp_path / "m.prom"
    path.write_text(f"# HELP a_total h\n# TYPE a_total counter\n{line}\n")
    tool = subprocess.run([promtool, "check", "metrics"], input=path.read_bytes(), capture_output=True, timeout=60)
    assert (tool.returncode == 0) is accepted, tool.stderr.decode()
    ours = subprocess.run([sys.executable, "-m", "steadygo", "metrics", str(path), "--isolated", "--exit-zero"],
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in ours.stderr
    if accepted:
        assert ours.returncode == 0, ours.stderr
    else:
        assert ours.returncode == 2 and ours.stderr.startswith(f"steadygo: error: {path}: line 3: malformed sample line")
        assert needle in ours.stderr and len(ours.stderr.strip().splitlines()) == 1, ours.stderr
