"""Issue 20 F14, F15, F20, F22: file names that are not UTF-8, FIFOs in the
tree, code nested deeper than queries reach, and escape sequences from the
scanned code.  Every case runs on real files in tmp_path."""

from __future__ import annotations

import json
import os
import re
import threading
import xml.etree.ElementTree as ET

import pytest

from steadygo import cli
from steadygo.config import Config
from steadygo.discovery import Diagnostic, discover, printable_name
from steadygo.engine import ScanResult, scan
from steadygo.findings import Finding, Layer, Severity, assign_fingerprints
from steadygo.golang.parse import QUERY_DEPTH_LIMIT, deeper_than, parse
from steadygo.report import RunReport, reporters
from steadygo.textsafe import escape_control

from helpers import run_cli

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'
FILE_FORMATS = ("json", "sarif", "html", "markdown", "github", "junit", "text")
BAD_NAME = b"bad\xff.go"


def _module(tmp_path, files: dict[bytes, str]) -> str:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    for name, text in files.items():
        with open(os.path.join(os.fsencode(tmp_path), name), "w", encoding="utf-8") as fh:
            fh.write(text)
    return str(tmp_path)


# ---------------------------------------------------------------- F14


def test_printable_name_escapes_undecodable_bytes_only():
    assert printable_name(os.fsdecode(BAD_NAME)) == "bad\\xff.go"
    assert printable_name("ünïcode.go") == "ünïcode.go"
    assert printable_name("plain.go") == "plain.go"


def test_non_utf8_file_name_in_every_format_and_baseline(tmp_path, monkeypatch, capsys):
    (tmp_path / "svc").mkdir()
    root = _module(tmp_path / "svc", {BAD_NAME: SERVER})
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(root)
    specs = ",".join(f"{name}={out / ('report.' + name)}" for name in FILE_FORMATS)
    code = cli.main(["check", "--preview", "--select", "SG0,SG1", "--no-cache", "--jobs", "1", "--isolated", "--format", specs])
    assert code == 1  # SG101 on the file: the findings are there, not lost
    err = capsys.readouterr().err
    assert "steadygo: warning: bad\\xff.go: file name is not valid UTF-8" in err
    texts = {name: (out / f"report.{name}").read_text(encoding="utf-8") for name in FILE_FORMATS}
    for name, text in texts.items():
        # JSON and Markdown escape the backslash, SARIF URIs percent-encode it
        want = {"json": "bad\\\\xff.go", "markdown": "bad\\\\xff.go", "sarif": "bad%5Cxff.go"}.get(name, "bad\\xff.go")
        assert want in text, name
    findings = json.loads(texts["json"])["findings"]
    assert {f["path"] for f in findings} == {"bad\\xff.go"} and any(f["rule_id"] == "SG101" for f in findings)
    diags = json.loads(texts["json"])["diagnostics"]
    assert diags == [{"path": "bad\\xff.go", "message": diags[0]["message"], "level": "warning"}]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(texts["sarif"])["runs"][0]["results"]}
    assert uris == {"bad%5Cxff.go"}
    ET.fromstring(texts["junit"].split("\n", 1)[1])  # still well-formed XML

    code = cli.main(["baseline", "create", "--preview", "--select", "SG0,SG1", "--no-cache", "--jobs", "1", "--isolated", "-o", str(out / "bl.json")])
    assert code == 0
    entries = json.loads((out / "bl.json").read_text(encoding="utf-8"))["entries"]
    assert entries and {e["path"] for e in entries} == {"bad\\xff.go"}


def test_non_utf8_name_on_a_strict_utf8_stdout(tmp_path):
    root = _module(tmp_path, {BAD_NAME: SERVER})
    for fmt in ("text", "github", "json"):
        proc = run_cli("check", "--preview", "--no-cache", "--isolated", "--format", fmt, ".", cwd=root,
                       env={"PYTHONIOENCODING": "utf-8:strict"})
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert ("bad\\\\xff.go" if fmt == "json" else "bad\\xff.go") in proc.stdout


# ---------------------------------------------------------------- F15


def test_fifo_named_go_is_skipped_with_one_line(tmp_path):
    root = _module(tmp_path, {b"main.go": SERVER})
    os.mkfifo(os.path.join(root, "pipe.go"))
    packages, diags = discover([root], Config(), root)
    assert [os.path.basename(p) for ps in packages.values() for p in ps] == ["main.go"]
    assert [d.line() for d in diags] == ["pipe.go: a named pipe (FIFO), not a regular file; skipped"]


@pytest.mark.parametrize("command", [["check", "--no-cache", "--isolated", "."], ["facts", "."]])
def test_fifo_does_not_block_check_or_facts(tmp_path, command):
    root = _module(tmp_path, {b"main.go": SERVER})
    os.mkfifo(os.path.join(root, "pipe.go"))
    proc = run_cli(*command, cwd=root)  # run_cli times out (fails) rather than hang for ever
    assert "pipe.go: a named pipe (FIFO), not a regular file; skipped" in proc.stderr
    assert proc.returncode in (0, 1)


def test_fifo_named_on_the_command_line_is_an_error(tmp_path):
    fifo = tmp_path / "named.go"
    os.mkfifo(fifo)
    _, diags = discover([str(fifo)], Config(), str(tmp_path))
    assert [(d.level, d.message) for d in diags] == [("error", "a named pipe (FIFO), not a Go file or directory")]


# ---------------------------------------------------------------- F20


def _nested_call(depth: int) -> str:
    return ('package main\n\nimport "net/http"\n\nfunc main() {\n\tx := ' + "(" * depth
            + 'http.ListenAndServe(":8080", nil)' + ")" * depth + "\n\t_ = x\n}\n")


def test_deeper_than_sees_the_limit_and_skips_small_subtrees():
    assert not deeper_than(parse(_nested_call(1000).encode()).root_node)
    assert deeper_than(parse(_nested_call(QUERY_DEPTH_LIMIT + 10).encode()).root_node)
    # a wide, shallow file bigger than the limit in nodes is not "deep"
    wide = "package p\n\nvar t = []int{" + ", ".join(str(i) for i in range(80000)) + "}\n"
    tree = parse(wide.encode())
    assert tree.root_node.descendant_count > QUERY_DEPTH_LIMIT and not deeper_than(tree.root_node)


def test_too_deep_file_is_reported_as_partly_analysed(tmp_path):
    root = _module(tmp_path, {b"deep.go": _nested_call(QUERY_DEPTH_LIMIT + 10), b"shallow.go": "package main\n"})
    res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
    assert [d.line() for d in res.diagnostics] == [
        "deep.go: code nested too deeply for the analysis to reach its innermost part; file only partly analysed"]
    assert [d.level for d in res.diagnostics] == ["warning"]


def test_deep_but_reachable_file_reports_its_finding_and_no_warning(tmp_path):
    root = _module(tmp_path, {b"deep.go": _nested_call(2000)})
    res = scan([root], Config(select=["SG101"]), use_cache=False, jobs=1, base=root)
    assert [f.rule_id for f in res.findings] == ["SG101"] and res.diagnostics == []


# ---------------------------------------------------------------- F22

ESC_NAME = "\x1b]0;PWNED\x07\x1b[2Jx.go"
RAW_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def test_escape_control_is_visible_and_keeps_tab():
    assert escape_control("a\x1b[2J\x07\x9b\x7f\tb\n") == "a\\x1b[2J\\x07\\x9b\\x7f\tb\\x0a"
    assert escape_control("plain ünïcode") == "plain ünïcode"


def test_diagnostic_line_escapes_the_path_and_message():
    d = Diagnostic(ESC_NAME, "cannot read: \x1b[31mred")
    assert not RAW_CONTROL.search(d.line())
    assert d.line() == "\\x1b]0;PWNED\\x07\\x1b[2Jx.go: cannot read: \\x1b[31mred"


def _hostile_report() -> RunReport:
    f = Finding("SG101", "server-without-any-timeout", Severity.ERROR, Layer.CODE, ESC_NAME, 5, 15,
                "server \x1b[2J has \x9b1m no timeouts", snippet='http.ListenAndServe(":8080\x1b]0;x\x07", nil)',
                breakpoint="Slow clients \x1b[5m hold connections.")
    res = ScanResult(findings=assign_fingerprints([f]), diagnostics=[Diagnostic("dir/" + ESC_NAME, "cannot read: \x1b[8m")],
                     files=1, lines=5, packages=1, enabled_rules=["SG101"], roots=["."])
    return RunReport(res, Config(), 1, notes=["note \x1b[1m"], base="/nonexistent")


@pytest.mark.parametrize("name", ["text", "markdown", "github", "junit", "html"])
def test_human_formats_carry_no_raw_control_characters(name):
    out = reporters()[name]().render(_hostile_report())
    assert not RAW_CONTROL.search(out.replace("\n", ""))
    assert "\\x1b" in out  # shown, not dropped: the reader sees something is odd


def test_text_report_in_colour_adds_only_its_own_escapes():
    rep = _hostile_report()
    rep.color = True
    out = reporters()["text"]().render(rep)
    # rich's colour codes are ESC '[' digits 'm'; nothing from the findings
    stripped = re.sub("\x1b\\[[0-9;]*m", "", out)
    assert not RAW_CONTROL.search(stripped.replace("\n", ""))


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_structured_formats_escape_every_control_and_keep_the_text(name):
    out = reporters()[name]().render(_hostile_report())
    assert not RAW_CONTROL.search(out.replace("\n", ""))
    assert "\\u001b" in out and "\\u009b" in out
    doc = json.loads(out)
    if name == "json":
        assert doc["findings"][0]["path"] == ESC_NAME  # structured: the real value, escaped only on the wire
    else:
        assert doc["runs"][0]["results"][0]["message"]["text"] == "server \x1b[2J has \x9b1m no timeouts"


def test_escape_sequence_file_name_end_to_end(tmp_path):
    root = _module(tmp_path, {ESC_NAME.encode(): SERVER})
    proc = run_cli("check", "--preview", "--no-cache", "--isolated", ".", cwd=root)
    assert proc.returncode == 1
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jx.go" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout


@pytest.mark.parametrize("name", sorted(reporters()))
def test_lone_surrogates_from_evidence_never_break_a_format(name):
    # JSON evidence can carry "\udcff" or "\ud800" escapes: every format must still encode.
    f = Finding("SG902", "goroutines-blocked-on-channel", Severity.WARNING, Layer.RUNTIME, "dump\udcff.txt", 3, 0,
                "blocked in main.f\ud800", breakpoint="leak")
    res = ScanResult(findings=[f], files=0, lines=0, packages=0, enabled_rules=[], roots=["x\udcff"])
    out = reporters()[name]().render(RunReport(res, Config(), 1, base="/nonexistent"))
    out.encode("utf-8")  # strict, like every writer
    assert "dump" in out


def test_evidence_findings_with_lone_surrogates_are_made_printable():
    from steadygo.report import evidence

    doc = json.loads('{"buckets": [], "findings": [{"rule_id": "SG902", "message": "m\\ud800", "path": "d\\udcff"}]}')
    (f,) = evidence.findings(doc)
    assert (f.message, f.path) == ("m\\ud800", "d\\xff")
    assign_fingerprints([f])  # hashes without error
