"""``--new-from-rev`` in real git repositories, including a shallow clone
that lacks the revision."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from steadygo import cli
from steadygo.changed_lines import parse_diff

from reportutil import SERVICE

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    dst = tmp_path / "repo"
    shutil.copytree(SERVICE, dst)
    git(dst, "init", "-q", "-b", "main")
    git(dst, "config", "user.email", "t@example.com")
    git(dst, "config", "user.name", "t")
    git(dst, "add", "-A")
    git(dst, "commit", "-qm", "first")
    monkeypatch.chdir(dst)
    return dst


def findings(capsys, *args):
    code = cli.main(["check", "--preview", "--no-cache", "--jobs", "1", "--isolated", "--select", "SG1,SG0", "--format", "json", *args])
    out, err = capsys.readouterr()
    doc = json.loads(out) if out else None
    return code, doc, err


def test_only_changed_lines_are_reported(repo, capsys):
    code, doc, _ = findings(capsys, "--new-from-rev", "HEAD")
    assert code == 0 and doc["findings"] == []
    main = repo / "main.go"
    # A committed change, an uncommitted one, and an untracked file all count.
    main.write_text(main.read_text() + "\nfunc two() { http.ListenAndServe(\":1\", nil) }\n\nvar _ = two\n")
    git(repo, "commit", "-qam", "second")
    main.write_text(main.read_text().replace("func main() {", "// moved\nfunc main() {"))
    (repo / "extra.go").write_text('package main\n\nimport "net/http"\n\nvar c = &http.Client{}\n')
    code, doc, _ = findings(capsys, "--new-from-rev", "HEAD~1")
    got = sorted((f["path"], f["line"], f["rule_id"]) for f in doc["findings"])
    assert got == [("extra.go", 5, "SG105"), ("main.go", 32, "SG101")]
    assert code == 1
    assert "only lines changed since HEAD~1 are reported" in doc["notes"]


def test_a_renamed_file_reports_only_its_edited_lines(repo, capsys):
    git(repo, "mv", "main.go", "server.go")
    code, doc, _ = findings(capsys, "--new-from-rev", "HEAD")
    assert doc["findings"] == [] and code == 0  # moved, not changed
    server = repo / "server.go"
    server.write_text(server.read_text() + "\nfunc two() { http.ListenAndServe(\":1\", nil) }\n\nvar _ = two\n")
    git(repo, "commit", "-qam", "rename and one new server")
    code, doc, _ = findings(capsys, "--new-from-rev", "HEAD~1")
    got = [(f["path"], f["rule_id"]) for f in doc["findings"]]
    assert got == [("server.go", "SG101")], got


def test_missing_rev_in_shallow_clone(repo, tmp_path, capsys, monkeypatch):
    (repo / "main.go").write_text((repo / "main.go").read_text() + "\n// two\n")
    git(repo, "commit", "-qam", "second")
    first = git(repo, "rev-parse", "HEAD~1")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    code, doc, err = findings(capsys, "--new-from-rev", first)
    assert code == 2 and doc is None
    assert err.startswith(f"steadygo: error: --new-from-rev: revision '{first}' not found in this repository "
                          "(this is a shallow clone"), err
    assert err.count("\n") == 1


def test_unknown_rev_and_no_repo(repo, tmp_path, capsys, monkeypatch):
    code, _, err = findings(capsys, "--new-from-rev", "no-such-branch")
    assert code == 2 and err == "steadygo: error: --new-from-rev: revision 'no-such-branch' not found in this repository\n"
    plain = tmp_path / "plain"
    shutil.copytree(SERVICE, plain)
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = findings(capsys, "--new-from-rev", "HEAD")
    assert code == 2 and "is not inside a git repository" in err and err.count("\n") == 1


def test_parse_diff_hunks():
    text = "\n".join([
        "diff --git a/x.go b/x.go", "--- a/x.go", "+++ b/x.go",
        "@@ -1,0 +2,3 @@", "+a", "+b", "+c", "@@ -10 +12 @@", "-old", "+new", "@@ -20,2 +22,0 @@", "-gone", "-gone",
        "diff --git a/dead.go b/dead.go", "--- a/dead.go", "+++ /dev/null", "@@ -1 +0,0 @@", "-x",
        'diff --git "a/sp ace.go" "b/sp ace.go"', '+++ "b/t\\303\\251st.go"', "@@ -0,0 +1 @@", "+x",
    ])
    assert parse_diff(text) == {"x.go": {2, 3, 4, 12}, "tést.go": {1}}
