"""Issue 20: `check --baseline` and `check --runtime` inputs (F6 nesting, F9
baseline line 1e400, F10 evidence total 1e400 and the HTML report's _int):
one line naming the file, exit 2, never a traceback."""

from __future__ import annotations

import json

import pytest

from steadygo import baseline, cli
from steadygo.errors import UserError
from steadygo.report import evidence, html

from reportutil import RUNTIME_JSON

GOOD_BASELINE = {"schema": baseline.SCHEMA, "version": baseline.VERSION,
                 "entries": [{"fingerprint": "abc", "rule_id": "SG101", "path": "main.go", "line": 3, "message": "m"}]}


def one_line_check_error(capsys, tmp_path, argv, *needles):
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    code = cli.main(["check", "--no-cache", "--isolated", *argv, str(tmp_path / "main.go")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("steadygo: error: ") and "Traceback" not in err, err
    for n in needles:
        assert n in err, err


@pytest.mark.parametrize("option", ["--baseline", "--runtime"])
@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000])
def test_f6_deeply_nested_baseline_and_runtime(capsys, tmp_path, option, text):
    p = tmp_path / "deep.json"
    p.write_text(text)
    one_line_check_error(capsys, tmp_path, [option, str(p)], str(p), "nested too deeply")


@pytest.mark.parametrize("line", ["1e400", "-1e400", "NaN", '"9999999999999999999999999999999x"'])
def test_f9_baseline_line_out_of_range(capsys, tmp_path, line):
    p = tmp_path / "bl.json"
    p.write_text(json.dumps(GOOD_BASELINE).replace('"line": 3', f'"line": {line}'))
    with pytest.raises(UserError, match=r"baseline entry 1 is malformed"):
        baseline.load(str(p))
    one_line_check_error(capsys, tmp_path, ["--baseline", str(p)], str(p), "entry 1 is malformed")


def test_f9_good_and_bom_baselines_still_load(tmp_path):
    p = tmp_path / "bl.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD_BASELINE).encode())
    b = baseline.load(str(p))
    assert [(e.fingerprint, e.line) for e in b.entries] == [("abc", 3)]


def _evidence(tmp_path, **changes) -> str:
    doc = json.load(open(RUNTIME_JSON))
    doc.update(changes)
    p = tmp_path / "ev.json"
    p.write_text(json.dumps(doc).replace('"__INF__"', "1e400"))
    return str(p)


@pytest.mark.parametrize("key", ["total", "bucket_count", "declared_total"])
def test_f10_evidence_counts_out_of_range(capsys, tmp_path, key):
    p = _evidence(tmp_path, **{key: "__INF__"})
    with pytest.raises(UserError, match=f'"{key}" must be a whole number'):
        evidence.load(p)
    one_line_check_error(capsys, tmp_path, ["--runtime", p], p, key)


def test_f10_evidence_finding_line_out_of_range(tmp_path):
    doc = json.load(open(RUNTIME_JSON))
    doc["findings"] = [{"rule_id": "SG902", "line": "__INF__"}]
    p = tmp_path / "ev.json"
    p.write_text(json.dumps(doc).replace('"__INF__"', "1e400"))
    with pytest.raises(UserError, match="finding 1 is malformed"):
        evidence.findings(evidence.load(str(p)))


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "12x", None, [1], {"a": 1}])
def test_f10_html_int_never_raises(value):
    assert html._int(value) == 0


def test_f10_html_runtime_section_with_hostile_counts():
    doc = json.load(open(RUNTIME_JSON))
    doc["states"] = {"chan send": float("inf"), "select": float("nan")}
    doc["buckets"][0]["wait_minutes"] = {"min": float("-inf"), "max": float("inf")}
    doc["diff"]["before"]["total"] = float("inf")
    section = html.HtmlReporter()._runtime(doc, 1)
    assert "Runtime evidence: goroutines" in section and "inf" not in section.lower().replace("info", "")


def test_evidence_bom_reads(tmp_path):
    p = tmp_path / "ev.json"
    p.write_bytes(b"\xef\xbb\xbf" + open(RUNTIME_JSON, "rb").read())
    assert evidence.load(str(p))["buckets"] == json.load(open(RUNTIME_JSON))["buckets"]


def test_memstats_with_null_pause_ring_is_read_as_no_pauses(tmp_path):
    """Found by the property suite in CI: "PauseNs": null crashed the summary."""
    import json
    import subprocess
    import sys

    doc = {"memstats": {"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "PauseNs": None}}
    path = tmp_path / "vars.json"
    path.write_text(json.dumps(doc))
    p = subprocess.run([sys.executable, "-m", "steadygo", "memstats", str(path), "--format", "json"],
                       capture_output=True, text=True)
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["evidence"]["summary"]["max_recent_pause_ns"] == 0
