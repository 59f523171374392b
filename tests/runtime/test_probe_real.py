"""`steadygo probe` against real Go servers from Debian (.ci/apt-packages.txt):
prometheus, prometheus-node-exporter and etcd, each started on a free
127.0.0.1 port with a temporary data directory, waited for, and killed in
teardown.  What is asserted is what these builds really do (checked by hand
with curl): Prometheus and the node exporter serve net/http/pprof on their
only port, the node exporter's landing page answers every path (so it has no
health endpoint, whatever /healthz says), etcd 3.4 answers /health only and
serves expvar on its client port."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install the packages in .ci/apt-packages.txt")
    return path


@contextmanager
def _serving(argv: list[str], ready_url: str, log):
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{argv[0]} did not answer {ready_url} (exit {proc.poll()}); see {log.name}")
            time.sleep(0.2)
        yield
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _probe(url: str, *extra: str) -> tuple[int, dict]:
    r = subprocess.run([sys.executable, "-m", "steadygo", "probe", url, "--isolated", "--format", "json",
                        "--exit-zero", "--timeout", "30", *extra], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def _ids(doc: dict) -> set[str]:
    return {f["rule_id"] for f in doc["findings"]}


def test_prometheus(tmp_path):
    port = _free_port()
    (tmp_path / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    base = f"http://127.0.0.1:{port}"
    argv = [_binary("prometheus"), f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"]
    with open(tmp_path / "log", "w") as log, _serving(argv, base + "/-/ready", log):
        _, doc = _probe(base, "--health-path", "/-/healthy", "--health-path", "/-/ready")
    ev = doc["evidence"]
    assert [(h["path"], h["status"]) for h in ev["health"]] == [("/-/healthy", 200), ("/-/ready", 200)]
    # Distinct, terse, no internals: none of the health rules fires.
    assert not _ids(doc) & {"SG951", "SG952", "SG953", "SG954"}
    assert {"SG951", "SG952", "SG953", "SG954", "SG941", "SG961", "SG962"} <= set(ev["checked_rules"])
    assert ev["metrics"]["families"] > 50 and ev["metrics"]["series"] > 100
    pprof = [f for f in doc["findings"] if f["rule_id"] == "SG961"]
    assert len(pprof) == 1 and ev["pprof"]["goroutines"] > 5
    assert f"reports {ev['pprof']['goroutines']:,} goroutines" in pprof[0]["message"]


def test_node_exporter_landing_page_is_not_a_health_endpoint(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [_binary("prometheus-node-exporter"), f"--web.listen-address=127.0.0.1:{port}"]
    with open(tmp_path / "log", "w") as log, _serving(argv, base + "/metrics", log):
        _, doc = _probe(base)
    ev = doc["evidence"]
    # Every candidate answers 200 with the landing page, as a path that
    # cannot exist does: that is no health endpoint, and no SG953 either.
    assert all(h["status"] == 200 and h["catch_all"] for h in ev["health"]), ev["health"]
    no_health = [f for f in doc["findings"] if f["rule_id"] == "SG951"]
    assert len(no_health) == 1 and "/healthz 200 (as any path)" in no_health[0]["message"]
    assert "SG953" not in _ids(doc) and "SG961" in _ids(doc)
    assert ev["metrics"]["series"] > 100 and "SG941" in ev["checked_rules"]


def test_etcd(tmp_path):
    client, peer = _free_port(), _free_port()
    base = f"http://127.0.0.1:{client}"
    argv = [_binary("etcd"), "--name", "probe", "--data-dir", str(tmp_path / "etcd"),
            "--listen-client-urls", base, "--advertise-client-urls", base,
            "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{peer}", "--initial-cluster", f"probe=http://127.0.0.1:{peer}"]
    with open(tmp_path / "log", "w") as log, _serving(argv, base + "/health", log):
        _, doc = _probe(base)
    ev = doc["evidence"]
    statuses = {h["path"]: h["status"] for h in ev["health"]}
    assert statuses["/health"] == 200 and statuses["/readyz"] == 404
    assert not _ids(doc) & {"SG951", "SG952", "SG954", "SG961"}
    # Only a liveness path answered: readiness could not be compared.
    assert "SG953" not in ev["checked_rules"] and "SG961" in ev["checked_rules"]
    expvar = [f for f in doc["findings"] if f["rule_id"] == "SG962"]
    assert len(expvar) == 1 and "raft.status" in expvar[0]["message"]
    assert ev["metrics"]["series"] > 100
