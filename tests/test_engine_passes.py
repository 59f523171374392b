"""The engine's two passes: module facts come from the files discovery found,
cached results follow edits in *other* packages, and findings do not depend
on where the scan starts.  Each test reproduces a bug of the one-pass engine
(module facts read from disk behind the cache's back)."""

from __future__ import annotations

import os
import textwrap

import pytest

from steadygo.config import Config
from steadygo.engine import scan

SERVER_MAIN = """\
package main

import (
	"net/http"
	"time"

	"example.com/svc/internal/platform"
)

func main() {
	platform.Setup()
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {})
	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: time.Second, IdleTimeout: time.Second}
	srv.ListenAndServe()
}
"""

PLATFORM_PLAIN = """\
package platform

func Setup() {}
"""

PLATFORM_WITH_LIMIT = """\
package platform

import "runtime/debug"

func Setup() { debug.SetMemoryLimit(400 << 20) }
"""

HEALTH_ROUTES = """\
package health

import "net/http"

func Register(mux *http.ServeMux) {
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {})
}
"""


def _write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(textwrap.dedent(text))


def _module(tmp_path) -> str:
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    _write(root, "cmd/api/main.go", SERVER_MAIN)
    _write(root, "internal/platform/platform.go", PLATFORM_PLAIN)
    return root


def _ids(result, rule):
    return sorted((f.path, f.line) for f in result.active if f.rule_id == rule)


def _cfg(select):
    return Config(select=select.split(","), preview=True)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cached_run_follows_a_memory_limit_set_in_another_package(tmp_path, jobs):
    root = _module(tmp_path)
    first = scan([root], _cfg("SG620"), use_cache=True, jobs=jobs, base=root)
    assert _ids(first, "SG620") == [("cmd/api/main.go", 10)]
    _write(root, "internal/platform/platform.go", PLATFORM_WITH_LIMIT)
    cached = scan([root], _cfg("SG620"), use_cache=True, jobs=jobs, base=root)
    fresh = scan([root], _cfg("SG620"), use_cache=False, jobs=jobs, base=root)
    assert _ids(cached, "SG620") == _ids(fresh, "SG620") == []
    # and back: the cache must not keep the fixed verdict either
    _write(root, "internal/platform/platform.go", PLATFORM_PLAIN)
    again = scan([root], _cfg("SG620"), use_cache=True, jobs=jobs, base=root)
    assert _ids(again, "SG620") == [("cmd/api/main.go", 10)]


def test_cached_run_follows_a_readiness_route_added_in_another_package(tmp_path):
    root = _module(tmp_path)
    before = scan([root], _cfg("SG611"), use_cache=True, jobs=1, base=root)
    assert [r for r, _ in _ids(before, "SG611")] == ["cmd/api/main.go"]
    _write(root, "internal/health/health.go", HEALTH_ROUTES)
    cached = scan([root], _cfg("SG611"), use_cache=True, jobs=1, base=root)
    fresh = scan([root], _cfg("SG611"), use_cache=False, jobs=1, base=root)
    assert _ids(cached, "SG611") == _ids(fresh, "SG611") == []


def test_cached_run_follows_shutdown_moved_to_a_helper_package(tmp_path):
    root = _module(tmp_path)
    before = scan([root], _cfg("SG601"), use_cache=True, jobs=1, base=root)
    assert [r for r, _ in _ids(before, "SG601")] == ["cmd/api/main.go"]
    _write(root, "internal/lifecycle/stop.go", """\
        package lifecycle

        import (
        	"context"
        	"net/http"
        	"time"
        )

        func Stop(srv *http.Server) {
        	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
        	defer cancel()
        	srv.Shutdown(ctx)
        }
        """)
    cached = scan([root], _cfg("SG601"), use_cache=True, jobs=1, base=root)
    fresh = scan([root], _cfg("SG601"), use_cache=False, jobs=1, base=root)
    assert _ids(cached, "SG601") == _ids(fresh, "SG601") == []


def test_facts_of_unscanned_packages_of_the_module_count(tmp_path):
    """Scanning cmd/api alone still sees the memory limit set in internal/platform."""
    root = _module(tmp_path)
    _write(root, "internal/platform/platform.go", PLATFORM_WITH_LIMIT)
    sub = os.path.join(root, "cmd", "api")
    res = scan([sub], _cfg("SG620"), use_cache=False, jobs=1, base=root)
    assert _ids(res, "SG620") == []
    assert res.files == 1  # findings only for what was scanned


def test_excluded_packages_give_no_facts(tmp_path):
    """Module facts come from the files discovery found: an excluded package's
    memory limit does not silence SG620 (it is not part of what was audited)."""
    root = _module(tmp_path)
    _write(root, "internal/platform/platform.go", PLATFORM_WITH_LIMIT)
    cfg = _cfg("SG620")
    cfg.exclude = ["internal/platform"]
    cfg.root = root
    cfg.path = os.path.join(root, ".steadygo.toml")
    res = scan([root], cfg, use_cache=False, jobs=1, base=root)
    assert _ids(res, "SG620") == [("cmd/api/main.go", 10)]


def _absolute(result, base):
    return sorted((f.rule_id, os.path.normpath(os.path.join(base, f.path)), f.line, f.col, f.message)
                  for f in result.findings)


def test_same_findings_whatever_directory_the_scan_starts_from(tmp_path, monkeypatch):
    """Path heuristics (command folders, example folders) are judged inside the
    repository, so folders above it named like them ("tools", "cmd") change
    nothing."""
    outer = tmp_path / "tools" / "cmd"
    root = _module(outer)
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n\nrequire go.uber.org/zap v1.27.0\n")
    _write(root, "internal/store/store.go", """\
        package store

        import (
        	"log"
        	"os"
        )

        func Reindex(path string) {
        	if path == "" {
        		log.Printf("no store path")
        		os.Exit(1)
        	}
        }
        """)
    cfg = Config(select=["SG501", "SG406"], preview=True)
    runs = []
    for base in (root, os.path.dirname(root), os.path.dirname(os.path.dirname(root))):
        monkeypatch.chdir(base)
        rel = os.path.relpath(root, base)
        res = scan([rel], cfg, use_cache=False, jobs=1, base=base)
        runs.append(_absolute(res, base))
    assert {r[0] for r in runs[0]} == {"SG501", "SG406"}
    assert runs[0] == runs[1] == runs[2]


def test_metric_defined_once_is_not_a_duplicate_of_itself_with_a_relative_path(tmp_path, monkeypatch):
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n\nrequire github.com/prometheus/client_golang v1.19.0\n")
    _write(root, "pkg/api/http/metrics.go", """\
        package http

        import "github.com/prometheus/client_golang/prometheus"

        var requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
        	Name: "http_request_duration_seconds", Help: "Request latency.",
        	Buckets: []float64{0.1, 0.5, 1},
        }, []string{"route"})
        """)
    monkeypatch.chdir(root)
    for arg in (".", "pkg", root):
        res = scan([arg], _cfg("SG514"), use_cache=False, jobs=1, base=root)
        assert _ids(res, "SG514") == [], arg


def test_a_real_duplicate_across_packages_is_still_reported(tmp_path):
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    metric = """\
        package {pkg}

        import "github.com/prometheus/client_golang/prometheus"

        var c = prometheus.NewCounter(prometheus.CounterOpts{{Name: "jobs_total", Help: "Jobs."}})

        func init() {{ prometheus.MustRegister(c) }}
        """
    _write(root, "a/a.go", metric.format(pkg="a"))
    _write(root, "b/b.go", metric.format(pkg="b"))
    res = scan([root], _cfg("SG514"), use_cache=False, jobs=1, base=root)
    # the later definition is reported, pointing at the first
    found = [f for f in res.active if f.rule_id == "SG514"]
    assert [(f.path, f.line) for f in found] == [("b/b.go", 5)]
    assert "also defined at a/a.go:5" in found[0].message


def _entries(cache_root):
    return [os.path.join(d, n) for d, _, names in os.walk(cache_root) for n in names if n.endswith(".json")]


@pytest.mark.parametrize("damage", ["empty-findings", "no-checksum", "changed-line", "not-json", "deep-nesting"])
def test_damaged_cache_entries_are_rebuilt_not_believed(tmp_path, monkeypatch, damage):
    """A cache entry that was tampered with or truncated is a miss: the scan
    gives the fresh result and writes a good entry again (never 0 findings or a
    wrong line because of the cache)."""
    from steadygo import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = _module(tmp_path)
    fresh = scan([root], _cfg("SG620,SG101,SG105"), use_cache=False, jobs=1, base=root)
    scan([root], _cfg("SG620,SG101,SG105"), use_cache=True, jobs=1, base=root)
    entries = _entries(cache.cache_dir())
    assert entries
    modified = 0
    for path in entries:
        with open(path, encoding="utf-8") as fh:
            head, _, body = fh.read().partition("\n")
        if damage == "empty-findings":
            text = head + "\n" + '{"findings": [], "diagnostics": []}'
        elif damage == "no-checksum":
            text = body
        elif damage == "changed-line":
            text = head + "\n" + body.replace('"line": 10', '"line": 11')
        elif damage == "not-json":
            text = head + "\n" + body[: len(body) // 2]
        else:
            text = head + "\n" + "[" * 100000
        modified += text != head + "\n" + body
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    again = scan([root], _cfg("SG620,SG101,SG105"), use_cache=True, jobs=1, base=root)
    key = lambda r: sorted((f.rule_id, f.path, f.line, f.col, f.message) for f in r.findings)  # noqa: E731
    assert key(again) == key(fresh) and key(fresh)
    assert modified >= 1
    if damage != "changed-line":  # every entry was damaged: nothing may count as a hit
        assert again.cached_packages == 0
    assert not again.diagnostics
    # the rebuilt entries are believed again
    third = scan([root], _cfg("SG620,SG101,SG105"), use_cache=True, jobs=1, base=root)
    assert key(third) == key(fresh) and third.cached_packages == third.packages


def test_cache_on_a_read_only_directory_never_fails_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    from steadygo import cache

    root = _module(tmp_path)
    os.makedirs(cache.cache_dir())
    os.chmod(cache.cache_dir(), 0o500)
    try:
        if os.access(cache.cache_dir(), os.W_OK):
            # root ignores permission bits: make the directory unusable another way
            os.chmod(cache.cache_dir(), 0o700)
            os.rmdir(cache.cache_dir())
            with open(cache.cache_dir(), "w") as fh:
                fh.write("not a directory")
        res = scan([root], _cfg("SG620"), use_cache=True, jobs=1, base=root)
        assert [f.rule_id for f in res.active] == ["SG620"]
    finally:
        if os.path.isdir(cache.cache_dir()):
            os.chmod(cache.cache_dir(), 0o700)
    leftovers = [n for d, _, names in os.walk(tmp_path / "xdg") for n in names if n.endswith(".tmp")]
    assert leftovers == []


def test_rules_judge_only_the_package_roles_they_declare(tmp_path):
    """SG620 judges production code: the same server main under examples/ or in
    a test-support package (one importing "testing") is not judged; under
    cmd/ it is."""
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(root, "cmd/api/main.go", main)
    _write(root, "examples/demo/main.go", main)
    _write(root, "internal/harness/main.go", main.replace('"time"', '"testing"\n\t"time"') + "\nvar _ testing.TB\n")
    res = scan([root], _cfg("SG620"), use_cache=False, jobs=1, base=root)
    assert [p for p, _ in _ids(res, "SG620")] == ["cmd/api/main.go"]


def test_contrib_and_named_example_folders_are_examples(tmp_path):
    """contrib/ (etcd contrib/lock), a folder named for its example
    (raftexample), a demo named with hyphens (dendrite's
    cmd/dendrite-demo-pinecone) and a quickstart sample module hold example
    programs: no production advice there; a word that only contains "demo"
    (cmd/demographics) is not one."""
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(root, "cmd/api/main.go", main)
    _write(root, "contrib/lock/storage/main.go", main)
    _write(root, "raftexample/main.go", main)
    _write(root, "cmd/dendrite-demo-pinecone/main.go", main)
    _write(root, "cmd/demographics/main.go", main)
    # a quickstart sample app with its own go.mod (hanko's quickstart/)
    _write(root, "quickstart/go.mod", "module example.com/quickstart\n\ngo 1.22\n")
    _write(root, "quickstart/main.go", main)
    res = scan([root], _cfg("SG620"), use_cache=False, jobs=1, base=root)
    assert sorted(p for p, _ in _ids(res, "SG620")) == ["cmd/api/main.go", "cmd/demographics/main.go"]


def test_rules_json_lists_roles_and_module_fact_topics():
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "steadygo", "rules", "--format", "json"], capture_output=True,
                         text=True, check=True).stdout
    by_id = {r["id"]: r for r in json.loads(out)}
    assert by_id["SG620"]["roles"] == ["service", "library"]
    assert by_id["SG620"]["module_facts"] == ["limits"]
    assert by_id["SG107"]["roles"] == ["service", "library", "cli"]  # production code, the default
    assert by_id["SG101"]["roles"] == ["service", "library"]  # a developer tool that serves is not judged
    assert by_id["SG000"]["roles"] == ["service", "library", "cli", "example", "test-support"]
    assert "SG102" in by_id["SG101"]["supersedes"]


def test_a_tool_in_a_nested_module_is_a_cli_and_gets_no_service_advice(tmp_path):
    """A tools/ folder with its own go.mod: inside that module the main
    package sits in gen/, which says nothing; from the repository it is under
    tools/, a command-line tool, so service-only rules (SG620: memory limit)
    leave it alone wherever the scan starts, while the service is judged."""
    repo = str(tmp_path / "repo")
    _write(repo, "go.mod", "module example.com/repo\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(repo, "cmd/api/main.go", main)
    tools = os.path.join(repo, "tools")
    _write(tools, "go.mod", "module example.com/repo/tools\n\ngo 1.22\n")
    _write(tools, "gen/main.go", main)
    res = scan([repo], _cfg("SG620"), use_cache=False, jobs=1, base=repo)
    assert [p for p, _ in _ids(res, "SG620")] == ["cmd/api/main.go"]
    res = scan([tools], _cfg("SG620"), use_cache=False, jobs=1, base=repo)
    assert _ids(res, "SG620") == []


def test_a_nested_module_under_examples_is_an_example_unless_the_config_says(tmp_path):
    """The path from the repository root to a nested module counts: a server
    main in documentation/examples/demo (its own go.mod) gets no production
    advice; [roles] in .steadygo.toml can say a folder is a service after all."""
    repo = str(tmp_path / "repo")
    _write(repo, "go.mod", "module example.com/repo\n\ngo 1.22\n")
    demo = os.path.join(repo, "documentation", "examples", "demo")
    _write(demo, "go.mod", "module example.com/demo\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(demo, "main.go", main)
    for start in (repo, demo):
        res = scan([start], _cfg("SG620"), use_cache=False, jobs=1, base=repo)
        assert _ids(res, "SG620") == [], start
    _write(demo, ".steadygo.toml", '[roles]\n"**" = "service"\n')
    from steadygo.config import load

    cfg = load(os.path.join(demo, ".steadygo.toml"))
    cfg.select, cfg.preview = ["SG620"], True
    res = scan([demo], cfg, use_cache=True, jobs=1, base=repo)
    assert [p for p, _ in _ids(res, "SG620")] == ["documentation/examples/demo/main.go"]


@pytest.mark.parametrize("where", ["test/e2e/mock/webhook", "docker/dummy/oidc/app", "tests/apps/perf/jobs",
                                   "tests/apps/crypto", "zititest/ziti-traffic-test/loop3", "loadtest",
                                   "integration/testapps/multi-health", "deploy/tests/images/http-echo"])
def test_a_nested_module_under_test_or_dummy_folders_is_test_support(tmp_path, where):
    """kratos's test/e2e/mock/webhook, photoprism's docker/dummy/oidc/app,
    dapr's tests/apps/* and ziti's zititest/ module are servers with their own go.mod that a test suite
    starts (deploys, load-tests): inside the
    module nothing says so, from the repository the path does."""
    repo = str(tmp_path / "repo")
    _write(repo, "go.mod", "module example.com/repo\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(repo, "cmd/api/main.go", main)
    mock = os.path.join(repo, *where.split("/"))
    _write(mock, "go.mod", "module example.com/mock\n\ngo 1.22\n")
    _write(mock, "main.go", main)
    for start in (repo, mock):
        res = scan([start], _cfg("SG620"), use_cache=False, jobs=1, base=repo)
        assert [p for p, _ in _ids(res, "SG620")] == (["cmd/api/main.go"] if start == repo else []), start


def test_a_nested_module_under_tests_fixtures_keeps_its_role(tmp_path):
    """A linter's own tests/fixtures/<case>/ modules are what they pretend to
    be: the harness folders are tests/apps and tests/perf, not all of tests/."""
    repo = str(tmp_path / "repo")
    _write(repo, "go.mod", "module example.com/repo\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    case = os.path.join(repo, "tests", "fixtures", "service")
    _write(case, "go.mod", "module example.com/case\n\ngo 1.22\n")
    _write(case, "main.go", main)
    res = scan([case], _cfg("SG620"), use_cache=False, jobs=1, base=repo)
    assert [p for p, _ in _ids(res, "SG620")] == ["tests/fixtures/service/main.go"]


def test_bad_roles_table_is_one_line_naming_the_key(tmp_path):
    from steadygo.config import load
    from steadygo.errors import UserError

    path = tmp_path / ".steadygo.toml"
    path.write_text('[roles]\n"cmd/**" = "daemon"\n')
    with pytest.raises(UserError) as exc:
        load(str(path))
    assert "roles.cmd/**" in str(exc.value) and "service" in str(exc.value)


@pytest.mark.parametrize("folder", ["util/fuzzing/corpus_gen", "internal/codegen", "docs/debugging/xl-meta",
                                    "cmd/bench", "hack/gen", "build/internal/cmd/discover"])
def test_generators_fuzz_drivers_and_docs_programs_get_no_service_advice(tmp_path, folder):
    """Programs developers run (generators, fuzz/benchmark drivers, debugging
    aids under docs/) are not deployed services; cmd/api still is."""
    root = str(tmp_path / "svc")
    _write(root, "go.mod", "module example.com/svc\n\ngo 1.22\n")
    main = SERVER_MAIN.replace('\n\t"example.com/svc/internal/platform"\n', "\n").replace("\tplatform.Setup()\n", "")
    _write(root, "cmd/api/main.go", main)
    _write(root, f"{folder}/main.go", main)
    res = scan([root], _cfg("SG620"), use_cache=False, jobs=1, base=root)
    assert [p for p, _ in _ids(res, "SG620")] == ["cmd/api/main.go"]
