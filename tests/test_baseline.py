"""Baseline round trip through the CLI: create, move code, still matched;
fix one, reported as fixed; broken baseline files stop the run with one line."""

from __future__ import annotations

import json
import shutil

import pytest

from steadygo import cli

from reportutil import SERVICE


@pytest.fixture
def project(tmp_path, monkeypatch):
    dst = tmp_path / "svc"
    shutil.copytree(SERVICE, dst)
    monkeypatch.chdir(dst)
    return dst


def check(capsys, *extra):
    code = cli.main(["check", "--preview", "--no-cache", "--jobs", "1", "--isolated", "--select", "SG1,SG0", "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_round_trip(project, capsys):
    assert cli.main(["baseline", "create", "--preview", "--no-cache", "--isolated", "--select", "SG1,SG0"]) == 0
    assert "3 findings recorded" in capsys.readouterr().out
    doc = json.loads((project / ".steadygo-baseline.json").read_text())
    assert doc["schema"] == "steadygo-baseline"
    assert sorted(e["rule_id"] for e in doc["entries"]) == ["SG101", "SG104", "SG105"]

    # Unchanged tree: everything known, nothing new, exit 0.
    code, rep, _ = check(capsys, "--baseline", ".steadygo-baseline.json")
    assert code == 0
    assert [f["suppressed"] for f in rep["findings"] if f["rule_id"] != "SG101" or f["line"] == 13] == ["baseline"] * 3
    assert rep["notes"] == ["baseline .steadygo-baseline.json: 3 known findings hidden, 0 fixed since it was made"]

    # Edit code above the findings: lines move, fingerprints still match.
    main = project / "main.go"
    main.write_text(main.read_text().replace("func main() {", "// a new comment\n// and another\n\nfunc main() {"))
    code, rep, _ = check(capsys, "--baseline", ".steadygo-baseline.json")
    assert code == 0
    moved = [f for f in rep["findings"] if f["rule_id"] == "SG101" and f["suppressed"] == "baseline"]
    assert moved and moved[0]["line"] == 16

    # Fix one (SG104: give the admin server an IdleTimeout) and add a new one.
    text = main.read_text().replace("WriteTimeout: 10 * time.Second}", "WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}")
    # Referenced: a server in a function nothing names is dead code, not a finding.
    text += "\nfunc other() { http.ListenAndServe(\":9090\", nil) }\n\nvar _ = other\n"
    main.write_text(text)
    code, rep, _ = check(capsys, "--baseline", ".steadygo-baseline.json")
    assert code == 1
    new = [f for f in rep["findings"] if f["suppressed"] is None]
    assert [(f["rule_id"], f["line"]) for f in new] == [("SG101", 34)]
    assert rep["notes"] == ["baseline .steadygo-baseline.json: 2 known findings hidden, 1 fixed since it was made "
                            "(run 'steadygo baseline create' to drop them)"]


def test_narrower_selection_is_not_progress(project, capsys):
    cli.main(["baseline", "create", "--preview", "--no-cache", "--isolated", "--select", "SG1,SG0", "-o", "bl.json"])
    capsys.readouterr()
    code, rep, _ = check(capsys, "--select", "SG105", "--baseline", "bl.json")
    assert code == 0
    assert rep["notes"] == ["baseline bl.json: 1 known finding hidden, 0 fixed since it was made"]


@pytest.mark.parametrize("content,message", [
    (None, "bl.json: baseline file not found"),
    ("{not json", "bl.json: baseline is not valid JSON (line 1)"),
    ('{"schema": "other"}', 'bl.json: not a steadygo baseline'),
    ('{"schema": "steadygo-baseline", "version": 9, "entries": []}', "bl.json: baseline version 9 is not supported"),
    ('{"schema": "steadygo-baseline", "version": 1, "entries": [{"rule_id": "SG101"}]}',
     "bl.json: baseline entry 1 is malformed"),
    (b"\xff\xfe\x00garbage", "bl.json: baseline is not UTF-8 text"),
])
def test_broken_baseline_is_one_line_exit_2(project, capsys, content, message):
    if isinstance(content, bytes):
        (project / "bl.json").write_bytes(content)
    elif content is not None:
        (project / "bl.json").write_text(content)
    code = cli.main(["check", "--preview", "--no-cache", "--isolated", "--baseline", "bl.json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("steadygo: error: " + message), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unreadable_baseline(project, capsys):
    if hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0:
        # root reads anything; a directory in its place is just as unreadable
        (project / "bl.json").mkdir()
    else:
        (project / "bl.json").write_text("{}")
        (project / "bl.json").chmod(0)
    code = cli.main(["check", "--preview", "--no-cache", "--isolated", "--baseline", "bl.json"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("steadygo: error: bl.json: cannot read baseline"), err


def test_baseline_cannot_be_written(project, capsys):
    code = cli.main(["baseline", "create", "--preview", "--no-cache", "--isolated", "--select", "SG1,SG0", "-o", "missing/dir/bl.json"])
    err = capsys.readouterr().err
    assert code == 2 and "missing/dir/bl.json: cannot write baseline" in err and err.count("\n") == 1


def test_baseline_needs_an_action(capsys):
    assert cli.main(["baseline"]) == 2
    assert "baseline create" in capsys.readouterr().err


def test_report_output_cannot_be_written(project, capsys):
    for target in ("no/such/dir/r.sarif", "."):
        code = cli.main(["check", "--preview", "--no-cache", "--isolated", "--format", f"sarif={target}"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"steadygo: error: {target}: cannot write report"), err
        assert err.count("\n") == 1


def test_github_annotations_auto_in_actions(project, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    cli.main(["check", "--preview", "--no-cache", "--isolated", "--select", "SG1,SG0"])
    out = capsys.readouterr().out
    assert "main.go\n  13:12: SG101" in out and "::error file=main.go,line=13" in out
    # A machine format on stdout must not be corrupted by annotations.
    cli.main(["check", "--preview", "--no-cache", "--isolated", "--format", "json"])
    json.loads(capsys.readouterr().out)


def test_written_files_get_ordinary_permissions(project, capsys):
    import os
    import stat

    old = os.umask(0o022)
    try:
        cli.main(["baseline", "create", "--preview", "--no-cache", "--isolated", "--select", "SG1,SG0", "-o", "bl.json"])
        cli.main(["check", "--preview", "--no-cache", "--isolated", "--format", "sarif=r.sarif"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat("bl.json").st_mode) == 0o644
    assert stat.S_IMODE(os.stat("r.sarif").st_mode) == 0o644
    os.chmod("r.sarif", 0o640)
    cli.main(["check", "--preview", "--no-cache", "--isolated", "--format", "sarif=r.sarif"])
    assert stat.S_IMODE(os.stat("r.sarif").st_mode) == 0o640
