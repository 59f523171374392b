"""Artifact parsing: bad input gives one line naming the file, never a
traceback; facts survive a JSON round trip; the Dockerfile reading follows
BuildKit (continuations, escape directive, heredocs, ARG defaults)."""

from __future__ import annotations

import json
import os

from steadygo.artifacts.check import check_artifacts
from steadygo.artifacts.collect import collect
from steadygo.artifacts.dockerfile import parse_dockerfile
from steadygo.artifacts.facts import ArtifactFacts
from steadygo.artifacts.sources import ArtifactInput

from conftest import FIXTURES

ALL_ARTIFACT_IDS = [f"SG7{n:02d}" for n in range(1, 9)] + [f"SG8{n:02d}" for n in range(0, 13)]


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(p)


def test_bad_files_are_one_line_each_and_the_rest_is_checked(tmp_path):
    good = _write(tmp_path, "Dockerfile", "FROM golang\nCMD go run .\n")
    files = [
        _write(tmp_path, "broken.yaml", "a: [\n"),
        _write(tmp_path, "binary.Dockerfile", b"\x7fELF\x00\x01\x02"),
        _write(tmp_path, "latin1.yaml", "name: caf\xe9\n".encode("latin-1")),
        _write(tmp_path, "empty.Dockerfile", "# nothing\n"),
        str(tmp_path / "missing.yaml"),
        _write(tmp_path, "chart.yaml", "image: {{ .Values.image }}\n"),
        _write(tmp_path, "notes.txt", "hello"),
        good,
    ]
    findings, diags = check_artifacts(files, ALL_ARTIFACT_IDS, base=str(tmp_path))
    by_path = {d.path: d for d in diags}
    assert set(by_path) == {"broken.yaml", "binary.Dockerfile", "latin1.yaml", "empty.Dockerfile", "missing.yaml",
                            "chart.yaml", "notes.txt"}
    assert "invalid YAML (line 2)" in by_path["broken.yaml"].message
    assert "binary" in by_path["binary.Dockerfile"].message
    assert "helm template" in by_path["chart.yaml"].message and by_path["chart.yaml"].level == "info"
    for d in diags:
        assert "\n" not in d.line() and "Traceback" not in d.line()
    assert {f.rule_id for f in findings if f.path == "Dockerfile"} >= {"SG703", "SG706"}


def test_stdin_input_and_non_kubernetes_yaml(tmp_path):
    text = "kind: Config\nfoo: 1\n---\n- a\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: x:1}\n"
    got = collect([ArtifactInput("<stdin>", text, "yaml")], base=str(tmp_path))
    assert not got.diagnostics
    (pod,) = got.facts.manifests.workloads
    assert (pod.kind, pod.name, pod.path, pod.line) == ("Pod", "p", "<stdin>", 7)


def test_helm_output_quoting_braces_is_still_parsed():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\n"
            "data:\n  rule: 'summary: {{ $labels.instance }} down'\n")
    got = collect([ArtifactInput("rendered.yaml", text, "yaml")], base=".")
    assert not got.diagnostics


def test_facts_round_trip_through_json():
    folder = os.path.join(FIXTURES, "artifacts")
    files = [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]
    facts = collect(files, base=folder).facts
    assert facts.dockerfiles and facts.manifests.workloads and facts.manifests.hpas
    data = json.loads(json.dumps(facts.to_dict()))
    again = ArtifactFacts.from_dict(data)
    assert again == facts
    assert again.dockerfiles[0].stages[0].base.name == facts.dockerfiles[0].stages[0].base.name


def test_buildkit_reading():
    text = ("# escape=`\n"
            "ARG GO=1.23\n"
            "FROM golang:${GO}-alpine AS build\n"
            "RUN CGO_ENABLED=0 go build `\n"
            "    -trimpath -o /out/app ./cmd/app\n"
            "RUN <<EOT\n"
            "go mod download\n"
            "EOT\n"
            "FROM scratch\n"
            "COPY --from=build /out/app /app\n"
            "CMD [\"broken\"\n")
    df = parse_dockerfile("Dockerfile", text)
    build, final = df.stages
    assert build.base.raw == "golang:1.23-alpine" and build.go_version == "1.23"
    (gb,) = build.go_builds
    assert (gb.line, gb.trimpath, gb.cgo_enabled, gb.targets, gb.output) == (4, True, "0", ["./cmd/app"], "/out/app")
    assert build.mod_download_lines == [6]
    assert final.copies[0].from_stage == 0
    # malformed JSON falls back to shell form, as docker build does
    assert final.cmd.form == "shell" and final.cmd.argv[:2] == ["/bin/sh", "-c"]


def test_named_probe_ports_are_resolved():
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n"
            "  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers:\n      - name: a\n"
            "        image: a:1\n        ports: [{name: http, containerPort: 8080}]\n"
            "        readinessProbe: {httpGet: {path: /r, port: http}}\n"
            "        livenessProbe: {httpGet: {path: /l, port: metrics}}\n")
    (w,) = collect([ArtifactInput("a.yaml", text, "yaml")], base=".").facts.manifests.workloads
    (c,) = w.containers
    assert (c.readiness.port_number, c.readiness.line) == (8080, 13)
    assert c.liveness.port_number is None  # a name no container port carries stays unknown


def test_parallel_collect_equals_serial(tmp_path):
    from steadygo.artifacts import collect as collect_mod

    folder = os.path.join(FIXTURES, "artifacts")
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(folder) for f in names)
    serial = collect_mod.collect(files, base=folder, jobs=1)
    old = collect_mod.PARALLEL_MIN_FILES
    collect_mod.PARALLEL_MIN_FILES = 4  # force the pool on the fixture set
    try:
        parallel = collect_mod.collect(files, base=folder, jobs=2)
    finally:
        collect_mod.PARALLEL_MIN_FILES = old
    assert parallel.facts == serial.facts and parallel.lines == serial.lines
    assert [d.line() for d in parallel.diagnostics] == [d.line() for d in serial.diagnostics]


SUPPRESSED_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: admin
  annotations:
    steadygo.dev/ignore: "SG808=single instance by design,SG803"
spec:
  replicas: 1
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec:
      containers:
        - name: admin
          image: ghcr.io/example/admin:1.0.0
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /r, port: 8080}}
          livenessProbe: {httpGet: {path: /l, port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: admin}
spec:
  selector: {app: admin}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1  # steadygo:ignore SG808 -- canary
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:1.0.0
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /r, port: 8080}}  # steadygo:ignore SG801 -- nothing to suppress
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
"""


def test_annotation_and_inline_suppressions():
    findings, _ = check_artifacts([ArtifactInput("s.yaml", SUPPRESSED_YAML, "yaml")],
                                  ["SG808", "SG803", "SG801", "SG001", "SG002"], base=".")
    got = sorted((f.line, f.rule_id, f.suppressed) for f in findings)
    assert got == [
        (6, "SG001", None),   # SG803 in the annotation suppresses nothing
        (6, "SG002", None),   # ... and gives no reason
        (8, "SG808", "annotation: single instance by design"),
        (31, "SG808", "inline: canary"),
        (40, "SG001", None),  # the SG801 ignore suppresses nothing
    ], got


def _tags(text, loader):
    import yaml

    return [v.tag for _, v in yaml.compose(text, Loader=loader).value]


SCALARS = ["name", "yes", "Yes", "NO", "on", "Off", "y", "n", "null", "Null", "~", "0x1F", "-1", "+3", ".5", ".inf",
           "1e3", "2026-12-01", "12:30", "<<", "=", "true", "TRUE", "tRue", "nginx:1.2", "1_000", "0o17", "v1", "Y2K",
           "NaN", ".NaN", "-.inf", "190:20:30", "0b101", "offline", "none", "None", "NULL", "True", "x", "/healthz"]


def test_fast_scalar_resolution_matches_pyyaml():
    import yaml
    from hypothesis import given, settings, strategies as st

    from steadygo.artifacts.k8s_yaml import _Loader

    text = "".join(f"k{i}: {v}\n" for i, v in enumerate(SCALARS)) + "empty:\n"
    assert _tags(text, _Loader) == _tags(text, yaml.CSafeLoader)

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="aeonlutrsyNYTFO0123456789-+._:~<=eE", min_size=1, max_size=8))
    def same(value):
        line = f"k: {value}\n"
        try:
            want = _tags(line, yaml.CSafeLoader)
        except yaml.YAMLError:
            return
        assert _tags(line, _Loader) == want

    same()
