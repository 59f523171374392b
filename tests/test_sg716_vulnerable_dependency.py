"""SG716: govulncheck (golang.org/x/vuln v1.9.0, built from the module proxy
by ``govulncheck_tool``) run offline over a fixture module, against a tiny
vulnerability database of the test's own.

The fixture (tests/fixtures/artifacts/sg7_build/sg716_vulnerable_dependency):
``app/`` requires ``example.com/vulnlib v1.0.0`` and ``example.com/fixedlib
v1.2.0``, served from a ``file://`` GOPROXY the test builds from
``proxy-src/`` and downloaded into a module cache of the test's own before
the scan; the scan itself runs with that proxy in the environment and must
not use it.  ``vulndb/`` holds four OSV entries: GO-2099-0001 (vulnlib.Parse,
called from main: error), GO-2099-0002 (render.Unsafe, package imported,
symbol never called: warning), GO-2099-0003 (package legacy, never imported:
info) and GO-2099-0004 (fixedlib, fixed in the version required: nothing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from steadygo.artifacts.check import check_artifacts

from conftest import FIXTURES
from govulncheck_tool import go_binary, govulncheck_binary
from wantfile import detail_problems, expectations

FIXTURE = Path(FIXTURES) / "artifacts" / "sg7_build" / "sg716_vulnerable_dependency"
SHARED_GOCACHE = os.environ.get("STEADYGO_TEST_GOCACHE") or "/tmp/steadygo-test-gocache"


@dataclass
class World:
    root: Path  # the scan base
    app: Path
    vulndb: Path
    cache: Path  # GOMODCACHE
    proxy: Path


def _line(path: Path, needle: str) -> int:
    for i, text in enumerate(path.read_text().splitlines(), start=1):
        if needle in text:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def _publish(proxy: Path, module: str, version: str, src: Path) -> None:
    """The files a GOPROXY serves for module@version (go help goproxy)."""
    at = proxy / module / "@v"
    at.mkdir(parents=True, exist_ok=True)
    with open(at / "list", "a") as fh:
        fh.write(version + "\n")
    (at / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"}))
    (at / f"{version}.mod").write_text((src / "go.mod").read_text())
    with zipfile.ZipFile(at / f"{version}.zip", "w") as z:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                z.write(p, f"{module}@{version}/{p.relative_to(src).as_posix()}")


def _proxy(root: Path) -> Path:
    proxy = root / "proxy"
    for src in sorted((FIXTURE / "proxy-src").rglob("*@v*")):
        module, version = src.relative_to(FIXTURE / "proxy-src").as_posix().rsplit("@", 1)
        _publish(proxy, module, version, src)
    return proxy


@pytest.fixture(scope="module")
def govulncheck() -> str:
    return govulncheck_binary()


def _scan_env(monkeypatch, world_root: Path, cache: Path, proxy: Path, tool_dirs: list[str]) -> None:
    """The environment of the scan: this cache, a proxy it must not use, the
    tools first on PATH (govulncheck runs the go command it finds there)."""
    monkeypatch.setenv("PATH", os.pathsep.join([*tool_dirs, os.environ.get("PATH", "")]))
    monkeypatch.setenv("GOMODCACHE", str(cache))
    monkeypatch.setenv("GOPATH", str(world_root / "gopath"))
    monkeypatch.setenv("GOPROXY", proxy.as_uri())
    monkeypatch.setenv("GOCACHE", SHARED_GOCACHE)
    monkeypatch.delenv("GOBIN", raising=False)
    monkeypatch.delenv("GOFLAGS", raising=False)


@pytest.fixture
def world(tmp_path, monkeypatch, govulncheck) -> World:
    go = go_binary()
    proxy = _proxy(tmp_path)
    app = tmp_path / "app"
    shutil.copytree(FIXTURE / "app", app)
    shutil.copytree(FIXTURE / "vulndb", tmp_path / "vulndb")
    cache = tmp_path / "modcache"
    env = dict(os.environ, GOMODCACHE=str(cache), GOPROXY=proxy.as_uri(), GOSUMDB="off", GOFLAGS="-mod=mod",
               GOTOOLCHAIN="local", GOPATH=str(tmp_path / "gopath"), GOWORK="off", GOCACHE=SHARED_GOCACHE)
    done = subprocess.run([go, "mod", "download"], cwd=app, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr  # go.sum's hashes match the zips built from proxy-src
    _scan_env(monkeypatch, tmp_path, cache, proxy, [os.path.dirname(govulncheck), os.path.dirname(go)])
    return World(tmp_path, app, tmp_path / "vulndb", cache, proxy)


def _cli(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "steadygo", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _downloaded(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in (cache / "cache" / "download").rglob("*.zip"))


def test_findings_by_how_close_the_code_is_to_the_vulnerable_symbol(world):
    before = _downloaded(world.cache)
    started = time.monotonic()
    done = _cli(["check", "app", "--preview", "--select", "SG716", "--vulndb", "vulndb", "--format", "json",
                 "--no-cache"], world.root)
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr  # an error finding, over --fail-on warning
    report = json.loads(done.stdout)
    assert report["diagnostics"] == [] and done.stderr == ""
    # the go.mod's own `// want "SG716:error /GO-2099-0001/"` marks, checked both ways
    text = (world.app / "go.mod").read_text()
    findings = [SimpleNamespace(line=f["line"], rule_id=f["rule_id"], message=f["message"],
                                severity=SimpleNamespace(name=f["severity"].upper())) for f in report["findings"]]
    assert {f["path"] for f in report["findings"]} == {"app/go.mod"}
    assert Counter((f.line, f.rule_id) for f in findings) == expectations(text)
    assert detail_problems(text, findings) == []
    by_id = {f["message"].split(" ", 1)[0]: f for f in report["findings"]}
    call = _line(world.app / "main.go", "vulnlib.Parse(")
    reached = by_id["GO-2099-0001"]
    for part in ("example.com/vulnlib@v1.0.0", "fixed in v1.1.0", "vulnlib.Parse", f"app/main.go:{call}",
                 "Parse panics on long input"):
        assert part in reached["message"], part
    assert reached["related"] == [{"path": "app/main.go", "line": call,
                                   "message": "handle calls vulnlib.Parse (GO-2099-0001)"}]
    imported = by_id["GO-2099-0002"]
    assert "imports example.com/vulnlib/render" in imported["message"] and "render.Unsafe" in imported["message"]
    assert imported["related"] == []
    assert "example.com/vulnlib/legacy" in by_id["GO-2099-0003"]["message"]
    # fixedlib is required at the version that fixed GO-2099-0004, and its
    # vulnerable Decode is called: nothing to say.
    assert not any("fixedlib" in f["message"] or "GO-2099-0004" in f["message"] for f in report["findings"])
    assert _downloaded(world.cache) == before
    print(f"\nsteadygo check with govulncheck over the fixture: {elapsed:.1f} s")


def test_vulndb_from_the_config_file_relative_to_it(world):
    (world.root / ".steadygo.toml").write_text('select = ["SG716"]\npreview = true\n\n[build]\nvulndb = "vulndb"\n')
    (world.app / "main.go").write_text((world.app / "main.go").read_text().replace("vulnlib.Parse(s)", "s"))
    (world.app / "main.go").write_text((world.app / "main.go").read_text().replace('\t"example.com/vulnlib"\n', ""))
    done = _cli(["check", ".", "--format", "json", "--no-cache"], world.app)
    assert done.returncode == 1, done.stderr  # the warning still fails the run
    report = json.loads(done.stdout)
    got = sorted((f["severity"], f["message"].split(" ", 1)[0]) for f in report["findings"])
    # no call to Parse and no import of its package any more: GO-2099-0001 is
    # now only a required module
    assert got == [("info", "GO-2099-0001"), ("info", "GO-2099-0003"), ("warning", "GO-2099-0002")]


def test_a_module_missing_from_the_cache_is_not_downloaded(world, monkeypatch):
    other = world.root / "other"
    other.mkdir()
    (other / "go.mod").write_text("module example.com/other\n\ngo 1.26\n\nrequire example.com/vulnlib v1.0.0\n")
    (other / "go.sum").write_text((world.app / "go.sum").read_text())
    (other / "main.go").write_text('package main\n\nimport "example.com/vulnlib"\n\n'
                                   'func main() { println(vulnlib.Parse("x")) }\n')
    empty = world.root / "empty-cache"
    (empty / "cache").mkdir(parents=True)
    monkeypatch.setenv("GOMODCACHE", str(empty))
    findings, diagnostics = check_artifacts([str(other / "go.mod")], ["SG716"], base=str(world.root),
                                            vulndb=str(world.vulndb))
    assert findings == []
    assert [(d.level, d.path) for d in diagnostics] == [("info", "other/go.mod")]
    assert "module lookup disabled by GOPROXY=off" in diagnostics[0].message
    assert "`go mod download` fills it" in diagnostics[0].message
    assert list(empty.rglob("*.zip")) == []  # the proxy in the environment was not used


def test_an_untidy_go_mod_is_left_as_it_is(world):
    gomod = world.app / "go.mod"
    untidy = gomod.read_text().replace("go 1.26\n", "")  # the go command would add a go line
    gomod.write_text(untidy)
    findings, diagnostics = check_artifacts([str(gomod)], ["SG716"], base=str(world.root),
                                            vulndb=str(world.vulndb))
    assert gomod.read_text() == untidy
    assert findings == []
    assert len(diagnostics) == 1 and "steadygo does not edit go.mod" in diagnostics[0].message


def test_a_vendored_module_is_checked_from_vendor_without_a_module_cache(world, monkeypatch):
    done = subprocess.run([go_binary(), "mod", "vendor"], cwd=world.app, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOWORK="off"))
    assert done.returncode == 0, done.stderr
    empty = world.root / "no-cache"
    empty.mkdir()
    monkeypatch.setenv("GOMODCACHE", str(empty))
    findings, diagnostics = check_artifacts([str(world.app / "go.mod")], ["SG716"], base=str(world.root),
                                            vulndb=str(world.vulndb))
    assert diagnostics == []
    assert sorted((f.severity.name, f.message.split(" ", 1)[0]) for f in findings) == [
        ("ERROR", "GO-2099-0001"), ("INFO", "GO-2099-0003"), ("WARNING", "GO-2099-0002")]


def test_build_table_keys_are_checked(tmp_path):
    from steadygo import config
    from steadygo.errors import UserError

    shutil.copytree(FIXTURE / "vulndb", tmp_path / "db")
    for text, message in [('[build]\nvuldb = "db"\n', "build.vuldb: unknown key (known: vulndb)"),
                          ("[build]\nvulndb = 3\n", "build.vulndb: expected the path"),
                          ('build = "db"\n', "build: expected a table [build]")]:
        (tmp_path / ".steadygo.toml").write_text(text)
        with pytest.raises(UserError, match=re.escape(message)):
            config.load(str(tmp_path / ".steadygo.toml"))
    (tmp_path / ".steadygo.toml").write_text('[build]\nvulndb = "db"\n')
    assert config.load(str(tmp_path / ".steadygo.toml")).vulndb == str(tmp_path / "db")


def test_a_module_without_packages_is_checked_and_clean(world):
    """A root go.mod whose code all sits in nested modules: nothing to say."""
    empty = world.root / "root-module"
    empty.mkdir()
    (empty / "go.mod").write_text("module example.com/root\n\ngo 1.26\n")
    findings, diagnostics = check_artifacts([str(empty / "go.mod")], ["SG716"], base=str(world.root),
                                            vulndb=str(world.vulndb))
    assert (findings, diagnostics) == ([], [])


# --------------------------------------------------------------------------
# When govulncheck cannot run: one line per scan, saying why.

def _modules(root: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        d = root / f"svc{i}"
        d.mkdir()
        (d / "go.mod").write_text(f"module example.com/svc{i}\n\ngo 1.26\n")
        out.append(str(d / "go.mod"))
    return out


def test_without_a_vulnerability_database_it_says_so_once(tmp_path):
    findings, diagnostics = check_artifacts(_modules(tmp_path, 2), ["SG716"], base=str(tmp_path))
    assert findings == []
    assert len(diagnostics) == 1 and diagnostics[0].level == "info"
    assert "no vulnerability database given (--vulndb DIR" in diagnostics[0].message
    assert "2 go.mod file(s)" in diagnostics[0].message


@pytest.mark.parametrize("selection,said", [
    (["--select", "SG716"], True), (["--select", "vulnerable-dependency"], True),
    (["--extend-select", "SG716"], True), (["--preview"], False), (["--preview", "--select", "ALL"], False),
])
def test_without_a_database_only_a_rule_named_by_the_user_says_so(tmp_path, selection, said):
    """--preview turns SG716 on with every other preview rule; with nothing to
    read it stays quiet there, and speaks when the user asked for it."""
    _modules(tmp_path, 1)
    done = _cli(["check", "svc0", "--isolated", *selection], tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("no vulnerability database given" in done.stderr) is said, done.stderr
    assert done.stderr.count("SG716") == (1 if said else 0)


def test_govulncheck_not_installed_says_how_to_install_it_once(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("GOPATH", str(tmp_path / "gopath"))
    monkeypatch.delenv("GOBIN", raising=False)
    findings, diagnostics = check_artifacts(_modules(tmp_path, 2), ["SG716"], base=str(tmp_path),
                                            vulndb=str(FIXTURE / "vulndb"))
    assert findings == []
    assert len(diagnostics) == 1 and diagnostics[0].level == "info"
    assert "govulncheck is not installed" in diagnostics[0].message
    assert "go install golang.org/x/vuln/cmd/govulncheck@v1.9.0" in diagnostics[0].message


def test_govulncheck_in_gopath_bin_is_found_off_path(tmp_path, monkeypatch):
    """`go install` puts it in $GOPATH/bin, often not on PATH: still used."""
    gobin = tmp_path / "gopath" / "bin"
    gobin.mkdir(parents=True)
    _fake(gobin, "echo '{\"config\":{\"protocol_version\":\"v1.0.0\"}}'")
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(go_binary()), "/usr/bin", "/bin"]))
    monkeypatch.setenv("GOPATH", str(tmp_path / "gopath"))
    monkeypatch.delenv("GOBIN", raising=False)
    findings, diagnostics = check_artifacts(_modules(tmp_path, 1), ["SG716"], base=str(tmp_path),
                                            vulndb=str(FIXTURE / "vulndb"))
    assert (findings, diagnostics) == ([], [])


def _fake(bin_dir: Path, body: str) -> Path:
    exe = bin_dir / "govulncheck"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    return exe


def _with_fake(tmp_path, monkeypatch, body: str) -> None:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    _fake(bin_dir, body)
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), os.path.dirname(go_binary()), "/usr/bin", "/bin"]))


def test_a_govulncheck_that_hangs_is_stopped_and_the_rest_of_the_scan_completes(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    # the sleep is a child of the script, as the go commands are children of
    # govulncheck: stopping only the parent would leave it holding the pipes
    _with_fake(tmp_path, monkeypatch, f"sleep 60 &\necho $! >> {pids}\nwait")
    mods = _modules(tmp_path, 2)
    with open(mods[1], "a") as fh:
        fh.write("\nrequire github.com/example/lib v1.2.4-0.20240312101500-0123456789ab\n")
    started = time.monotonic()
    findings, diagnostics = check_artifacts(mods, ["SG714", "SG716"], base=str(tmp_path),
                                            options={"vulnerable-dependency": {"timeout-seconds": 1.0}},
                                            vulndb=str(FIXTURE / "vulndb"))
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed  # one budget for the scan: the second module gets no time, not another second
    assert [(f.rule_id, f.path) for f in findings] == [("SG714", "svc1/go.mod")]
    assert len(diagnostics) == 1 and diagnostics[0].level == "info"
    assert "did not finish within the 1 s" in diagnostics[0].message and "2 go.mod file(s)" in diagnostics[0].message
    for pid in pids.read_text().split():
        # SIGKILL to the group is sent; give the kernel a moment to end a process
        # that was on a CPU when it arrived (seen once: state R, reparented to init)
        deadline = time.monotonic() + 5
        while os.path.exists(f"/proc/{pid}") and "zombie" not in _state(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in _state(pid), f"sleep {pid} left running"


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return fh.read().lower()
    except OSError:
        return "zombie"


def test_output_that_is_not_govulncheck_json_is_a_reason_not_a_traceback(tmp_path, monkeypatch):
    _with_fake(tmp_path, monkeypatch, "echo 'Scanning your code...'")
    findings, diagnostics = check_artifacts(_modules(tmp_path, 1), ["SG716"], base=str(tmp_path),
                                            vulndb=str(FIXTURE / "vulndb"))
    assert findings == []
    assert len(diagnostics) == 1 and "not govulncheck JSON output" in diagnostics[0].message


def test_a_standard_library_vulnerability_is_reported_at_the_go_line(tmp_path, monkeypatch):
    stream = [{"osv": {"id": "GO-2099-0100", "summary": "net/http leaks", "affected": []}},
              {"finding": {"osv": "GO-2099-0100", "fixed_version": "v1.26.9",
                           "trace": [{"module": "stdlib", "version": "v1.26.8", "package": "net/http",
                                      "function": "Do", "receiver": "*Client"},
                                     {"module": "example.com/svc0", "package": "example.com/svc0",
                                      "function": "fetch", "position": {"filename": "cmd/x.go", "line": 9}}]}}]
    out = tmp_path / "stream.json"
    out.write_text("\n".join(json.dumps(m, indent=2) for m in stream))
    _with_fake(tmp_path, monkeypatch, f"cat {out}")
    mods = _modules(tmp_path, 1)
    findings, diagnostics = check_artifacts(mods, ["SG716"], base=str(tmp_path), vulndb=str(FIXTURE / "vulndb"))
    assert diagnostics == []
    assert [(f.path, f.line, f.severity.name) for f in findings] == [("svc0/go.mod", _line(Path(mods[0]), "go 1.26"),
                                                                       "ERROR")]
    assert "the Go standard library go1.26.8" in findings[0].message and "go1.26.9" in findings[0].message
    assert "http.Client.Do" in findings[0].message
    assert findings[0].related == (("svc0/cmd/x.go", 9, "fetch calls http.Client.Do (GO-2099-0100)"),)


# --------------------------------------------------------------------------
# A --vulndb that is no database: one line, exit 2.

@pytest.mark.parametrize("make,why", [
    (lambda root: root / "absent", "no such directory"),
    (lambda root: _touch(root / "file"), "not a directory"),
    (lambda root: _mkdir(root / "empty"), "no index/db.json"),
    (lambda root: _broken_index(root / "broken"), "index/modules.json is unusable"),
])
def test_a_bad_vulndb_is_one_line_and_exit_2(tmp_path, make, why):
    bad = make(tmp_path)
    _modules(tmp_path, 1)
    done = _cli(["check", "svc0", "--preview", "--select", "SG716", "--vulndb", str(bad)], tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"steadygo: error: --vulndb: {bad}: ") and why in done.stderr


def test_a_bad_vulndb_in_the_config_names_the_file_and_key(tmp_path):
    (tmp_path / ".steadygo.toml").write_text('[build]\nvulndb = "nowhere"\n')
    _modules(tmp_path, 1)
    done = _cli(["check", "svc0", "--preview"], tmp_path, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert ".steadygo.toml: build.vulndb: " in done.stderr and "nowhere: no such directory" in done.stderr


def test_vulndb_given_without_the_rule_says_so(tmp_path):
    _modules(tmp_path, 1)
    done = _cli(["check", "svc0", "--allow-empty", "--vulndb", str(FIXTURE / "vulndb")], tmp_path, timeout=120)
    assert done.returncode == 0
    assert "--vulndb: a vulnerability database is given" in done.stderr and "--preview" in done.stderr


def _touch(p: Path) -> Path:
    p.write_text("")
    return p


def _mkdir(p: Path) -> Path:
    p.mkdir()
    return p


def _broken_index(p: Path) -> Path:
    (p / "index").mkdir(parents=True)
    (p / "ID").mkdir()
    (p / "index" / "db.json").write_text('{"modified": "2026-01-01T00:00:00Z"}')
    (p / "index" / "modules.json").write_text("[{")
    return p


def test_the_tool_build_fails_loudly_when_the_proxy_is_unreachable(tmp_path, monkeypatch):
    """No skip: without the module proxy the SG716 tests cannot run, and say so."""
    import govulncheck_tool

    monkeypatch.setenv("STEADYGO_TEST_TOOLS", str(tmp_path / "tools"))
    monkeypatch.setenv("GOPROXY", "http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(pytest.fail.Exception, match=r"cannot build govulncheck .* GOPROXY=http://127\.0\.0\.1:9"):
        govulncheck_tool.govulncheck_binary()
    assert not (tmp_path / "tools" / f"govulncheck-{govulncheck_tool.VERSION}" / "bin" / "govulncheck").exists()
