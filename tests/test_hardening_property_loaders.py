"""Issue 20's bar, the loaders the property suite did not reach yet:
Dockerfiles and Kubernetes YAML (parser, facts and every SG7xx/SG8xx rule,
as ``check`` runs them), result-cache entries and go.mod.  Seeds are the
rule fixtures, mutated with the pieces that broke other parsers; a bounded,
derandomised example count keeps this a few seconds in CI.  The property is
the project's: a result or a one-line diagnostic naming the input, never an
exception, never an "internal error"."""

from __future__ import annotations

import glob
import json
import os
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings, strategies as st

from steadygo import cache as result_cache
from steadygo.artifacts.check import artifact_rules, check_artifacts
from steadygo.artifacts.sources import ArtifactInput
from steadygo.golang.module import parse_version, read_go_mod

from conftest import FIXTURES

FUZZ = settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ARTIFACT_RULES = sorted(r.meta.id for r in artifact_rules())


def _seeds(pattern: str, limit: int) -> list[str]:
    paths = sorted(glob.glob(os.path.join(FIXTURES, "artifacts", pattern), recursive=True))
    out = []
    for p in paths[::max(1, len(paths) // limit)][:limit]:  # spread over the rules
        with open(p, encoding="utf-8", errors="replace") as fh:
            out.append(fh.read())
    return out


DOCKERFILES = _seeds("sg7_build/**/*.Dockerfile", 12)
MANIFESTS = _seeds("sg8_deploy/**/*.yaml", 24)

HOSTILE = ["9" * 5000, "1e400", "-1", "NaN", "\x1b]0;PWNED\x07", "\ufeff", "\r\n", "\x00", "\\\n", "\t", "\n",
           "{{ .Image }}", "${X:-y}", "$", "'", '"', "[", "]", "{", "}", ": ", "- ", "&a ", "*a", "<<: *a", "!!python/object ",
           "---\n", "...\n", "? ", "|", ">", "#", "FROM ", "RUN ", "ENTRYPOINT [", "USER ", "ARG ", "COPY . .\n",
           "<<EOF\n", "EOF\n", "go build ", "-o", "kind: Deployment\n", "apiVersion: v1\n", "containers:\n",
           "livenessProbe:\n", "replicas: ", "port: ", "null", "~", "true", "0x1F", "1_000", "5Gi", "100m"]
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


@st.composite
def mutated(draw, seeds: list[str], max_ops: int = 6) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, max_ops))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(("insert", "delete", "replace")))
        if op == "insert":
            text = text[:pos] + draw(pieces) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(0, 200)):]
        else:
            text = text[:pos] + draw(pieces) + text[pos + draw(st.integers(1, 20)):]
    return text


def _check_one(name: str, text: str, kind: str) -> None:
    findings, diagnostics = check_artifacts([ArtifactInput(name, text, kind)], ARTIFACT_RULES, base="/")
    for d in diagnostics:
        assert "internal error" not in d.message, d.message
        assert "\n" not in d.message, d.message
        assert d.path in (name, "<artifacts>"), d.path
    for f in findings:
        assert f.rule_id in ARTIFACT_RULES and f.path == name


def test_the_seeds_are_real_inputs_that_give_findings():
    # so that the properties below start from files the rules do judge
    assert len(DOCKERFILES) >= 5 and len(MANIFESTS) >= 20
    hits = 0
    for text in DOCKERFILES:
        hits += bool(check_artifacts([ArtifactInput("Dockerfile", text, "dockerfile")], ARTIFACT_RULES, "/")[0])
    for text in MANIFESTS:
        hits += bool(check_artifacts([ArtifactInput("k8s.yaml", text, "yaml")], ARTIFACT_RULES, "/")[0])
    assert hits >= 10


@FUZZ
@given(st.one_of(mutated(DOCKERFILES), st.text(max_size=300)))
def test_dockerfiles_give_findings_or_one_diagnostic(text):
    _check_one("Dockerfile", text, "dockerfile")


@FUZZ
@given(st.one_of(mutated(MANIFESTS), st.text(max_size=300)))
def test_kubernetes_yaml_gives_findings_or_one_diagnostic(text):
    _check_one("deploy/k8s.yaml", text, "yaml")


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                         st.text(max_size=10), st.sampled_from(["5Gi", "100m", "http", "TCP", "/healthz", "-1"]))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["containers", "livenessProbe", "readinessProbe",
                                                              "httpGet", "port", "replicas", "resources", "limits",
                                                              "memory", "spec", "template", "selector", "ports",
                                                              "name", "image", "env", "x"]), inner, max_size=4),
                           max_leaves=12)


@FUZZ
@given(st.sampled_from(["Deployment", "StatefulSet", "DaemonSet", "Service", "HorizontalPodAutoscaler",
                        "PodDisruptionBudget", "Job", "CronJob", "Pod"]), yaml_values)
def test_kubernetes_objects_with_any_shape_of_spec(kind, spec):
    # well-formed YAML, ill-typed fields: `containers: 5`, `port: [1]`, `replicas: 1e400`
    doc = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}
    _check_one("deploy/k8s.yaml", json.dumps(doc), "yaml")


# --------------------------------------------------------------------------- result cache


@st.composite
def mutated_json(draw, value):
    """The value with one part replaced by something of another type."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        k = draw(st.sampled_from(sorted(value)))
        return {**value, k: draw(mutated_json(value[k]))}
    if isinstance(value, list) and value and draw(st.booleans()):
        i = draw(st.integers(0, len(value) - 1))
        return value[:i] + [draw(mutated_json(value[i]))] + value[i + 1:]
    return draw(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=8),
                          st.just(1e400).map(lambda _: float("inf")), st.lists(st.integers(), max_size=3),
                          st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)))


def _real_entry_body(tmp_path_factory, monkeypatch) -> dict:
    from steadygo.config import Config
    from steadygo.engine import scan

    # a cache of its own: the session's shared one holds other tests' entries
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("own-cache")))
    d = tmp_path_factory.mktemp("cache-seed")
    (d / "go.mod").write_text("module m\n\ngo 1.22\n")
    (d / "main.go").write_text('package main\n\nimport "net/http"\n\n// steadygo:ignore SG620 -- test\n'
                               'func main() { http.HandleFunc("/x", nil); http.ListenAndServe(":8080", nil) }\n'
                               # a finding of the first pass (SG101 runs in the second, with the import graph)
                               'func fetch() { c := &http.Client{}; _, _ = c.Get("http://x") }\n')
    scan([str(d)], Config(preview=True), use_cache=True, jobs=1, base=str(d))
    entries = glob.glob(os.path.join(result_cache.cache_dir(), "*", "*.json"))
    assert entries, "the scan stored no cache entry"
    bodies = []
    for e in entries:
        with open(e, encoding="utf-8") as fh:
            bodies.append(json.loads(fh.read().partition("\n")[2]))
    # the first pass's entry: findings, facts and suppressions all filled in
    return max(bodies, key=lambda b: (b["facts"] is not None, len(b["findings"]), len(b["suppressions"])))


def test_cache_entries_with_a_valid_checksum_and_any_content_load_or_are_rebuilt(tmp_path_factory, monkeypatch):
    seed = _real_entry_body(tmp_path_factory, monkeypatch)
    assert seed["findings"] and seed["facts"] is not None and seed["suppressions"]  # something in every part
    key = "ab" + "0" * 62
    path = result_cache._path(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)

    @settings(FUZZ, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture])
    @given(mutated_json(seed))
    def run(body):
        text = json.dumps(body)
        # a valid checksum: what a bug in an older build of the same version could have left
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(result_cache._checksum(text) + "\n" + text)
        entry = result_cache.load(key)  # must not raise
        if entry is not None:
            assert all(isinstance(f.line, int) for f in entry.findings)

    run()


# --------------------------------------------------------------------------- go.mod


GO_MOD = "module example.com/svc\n\ngo 1.22.3\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.0.12\n\tgolang.org/x/sync v0.7.0\n)\n"


@FUZZ
@given(st.one_of(mutated([GO_MOD]), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
@example("module m\n\ngo 1" + "9" * 5000 + ".22\n")  # was a ValueError out of int(): a traceback in check
def test_go_mod_reader_reads_anything(tmp_path_factory, text):
    d = tmp_path_factory.mktemp("gomod", numbered=True)
    path = d / "go.mod"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    info = read_go_mod(str(path))
    assert info.go_version is None or all(isinstance(x, int) and x >= 0 for x in info.go_version)
    assert isinstance(info.path, str)


@FUZZ
@given(st.one_of(st.text(max_size=20), st.sampled_from(["1.22", "1.9999999999999999999999", "go1.21", "1", ".", "1.-1"])))
def test_go_version_parser(text):
    try:
        major, minor = parse_version(text)
    except ValueError:
        return
    assert isinstance(major, int) and isinstance(minor, int)
