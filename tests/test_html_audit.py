"""The HTML report names what it audited: module, VCS revision and dirty
state, date, steadygo version, the command line (secrets masked)."""

from __future__ import annotations

import html
import re
import subprocess
import sys

from steadygo import __version__

MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def _audit(cwd, *extra):
    out = cwd / "r.html"
    subprocess.run([sys.executable, "-m", "steadygo", "check", ".", "--isolated", "--no-cache", "--exit-zero",
                    "--format", f"html={out}", *extra], cwd=cwd, check=True, capture_output=True, timeout=120)
    page = out.read_text()
    return {k: html.unescape(v) for k, v in re.findall(r'<dd class="audit-(\w+)">([^<]*)</dd>', page)}


def test_audit_line_in_a_git_checkout(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/audited\n\ngo 1.27\n")
    (tmp_path / "main.go").write_text(MAIN)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "go.mod", "main.go")
    _git(tmp_path, "commit", "-qm", "x")
    rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    a = _audit(tmp_path)
    assert a["modules"] == "example.com/audited"
    assert a["revision"] == rev
    assert a["steadygo"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", a["date"])
    assert a["command"].startswith("steadygo check . --isolated")
    (tmp_path / "main.go").write_text(MAIN + "\n// edited\n")
    assert _audit(tmp_path)["revision"] == rev + " (uncommitted changes)"


def test_audit_line_outside_git(tmp_path):
    (tmp_path / "main.go").write_text(MAIN)
    assert _audit(tmp_path)["revision"] == "not a git checkout"


def test_command_line_secrets_are_masked(tmp_path):
    from steadygo import audit

    a = audit.collect(None, str(tmp_path), ["memstats", "https://admin:s3cretpass@host.example/debug/vars"])
    assert "s3cretpass" not in a.command and a.command.startswith("steadygo memstats https://")
