"""The runtime commands end like `check` (issue 19): their findings go through
the same pipeline (fingerprints, baseline, severity overrides from
.steadygo.toml, sort), the same reporters write them with the same
`--format NAME[=FILE]`, the same exit code judges them, and the JSON report
has check's shape with the command's evidence under "evidence".

Every input is a kept fixture from a real Go process (tests/fixtures)."""

from __future__ import annotations

import html
import json
import os

import pytest

from .runtime_helpers import FIXTURES, cli
from steadygo import baseline as baseline_mod
from steadygo.findings import finding_from_dict
from steadygo.runtime import memstats

DUMPS = FIXTURES / "dumps"
T0, T1 = str(DUMPS / "leaky-t0.debug2.txt"), str(DUMPS / "leaky-t1.debug2.txt")
HEAP0, HEAP1 = str(FIXTURES / "profiles" / "leaky-t0.heap.pb.gz"), str(FIXTURES / "profiles" / "leaky-t1.heap.pb.gz")
GCTRACE = str(FIXTURES / "gc" / "leaky.gctrace.log")
VARS = str(FIXTURES / "gc" / "leaky-t1.vars.json")
SERVICE = os.path.join(str(FIXTURES), "reports", "service")


def _memstats_limit() -> str:
    # the limit equal to what the runtime holds: 100% of it, an SG931 error
    return str(memstats.load(VARS, 1 << 20, 5).runtime_total)


# command line, the command its evidence names, the rules its fixtures really yield
COMMANDS = {
    "goroutines": (["goroutines", T0, T1], "goroutines", {"SG902", "SG906"}),
    "heap": (["heap", HEAP0, HEAP1], "heap", {"SG914"}),
    "gctrace": (["gctrace", GCTRACE], "gctrace", {"SG922", "SG923"}),
    "memstats": (["memstats", VARS, "--memory-limit", "<limit>"], "memstats", {"SG931"}),
}


def _argv(name: str) -> list[str]:
    argv, _, _ = COMMANDS[name]
    return [_memstats_limit() if a == "<limit>" else a for a in argv]


def _report(tmp_path, argv) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    rc = cli(argv + ["--isolated", "--format", f"json={out}", "--exit-zero"])
    return rc, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", COMMANDS)
def test_sarif_json_and_html_to_files_in_one_run(name, tmp_path, capsys):
    _, kind, rules = COMMANDS[name]
    files = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "html")}
    rc = cli(_argv(name) + ["--isolated", "--fail-on", "info"] + [a for fmt, p in files.items()
                                                                  for a in ("--format", f"{fmt}={p}")])
    assert rc == 1  # findings at or above --fail-on info
    assert capsys.readouterr().out == ""  # every format went to its file
    doc = json.loads(files["json"].read_text(encoding="utf-8"))
    assert doc["schema"] == "steadygo-report" and doc["exit_code"] == 1 and doc["fail_on"] == "info"
    assert {f["rule_id"] for f in doc["findings"]} == rules
    assert doc["evidence"]["command"] == kind
    assert rules <= set(doc["evidence"]["checked_rules"])
    assert all(f["fingerprint"] for f in doc["findings"])  # the pipeline's fingerprint processor ran

    sarif = json.loads(files["sarif"].read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["partialFingerprints"]) for r in results] == \
        [(f["rule_id"], {"steadygo/v1": f["fingerprint"]}) for f in doc["findings"]]
    assert sarif["runs"][0]["invocations"][0]["exitCode"] == 1

    page = files["html"].read_text(encoding="utf-8")
    assert "Runtime evidence:" in page
    for f in doc["findings"]:
        assert html.escape(f["message"], quote=True) in page


def test_the_json_report_has_checks_shape(tmp_path):
    """Same top-level keys as check's report (plus "evidence"), and each
    finding in the one shape finding_to_dict writes."""
    check_out = tmp_path / "check.json"
    cli(["check", SERVICE, "--preview", "--isolated", "--no-cache", "--jobs", "1", "--format", f"json={check_out}"])
    check = json.loads(check_out.read_text(encoding="utf-8"))
    assert check["findings"], "the fixture service has findings to compare with"
    for name in COMMANDS:
        _, doc = _report(tmp_path, _argv(name))
        assert set(doc) == set(check) | {"evidence"}, name
        assert set(doc["summary"]) == set(check["summary"]), name
        for f in doc["findings"]:
            assert set(f) == set(check["findings"][0]), name
            assert finding_from_dict(f).rule_id == f["rule_id"]


def test_text_keeps_the_command_summary_before_the_findings(capsys):
    assert cli(["goroutines", T0, T1, "--isolated"]) == 1
    out = capsys.readouterr().out
    suspects, growth = out.index("Leak suspects, ranked"), out.index("Growth 76 \u2192 124")
    first_finding = out.index(": SG902 warning ")
    assert suspects < growth < first_finding
    assert "in 2 goroutine dumps" in out and "Failing: findings at or above 'warning'." in out


def test_a_baseline_hides_a_known_runtime_finding(tmp_path, capsys):
    _, before = _report(tmp_path, ["goroutines", T1])
    known = [finding_from_dict(f) for f in before["findings"] if f["rule_id"] == "SG902"]
    assert len(known) == 2
    bl_path = str(tmp_path / "baseline.json")
    baseline_mod.save(baseline_mod.from_findings(known[:1], bl_path), bl_path)

    rc = cli(["goroutines", T1, "--isolated", "--baseline", bl_path, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1  # the second suspect is still new
    by_fp = {f["fingerprint"]: f["suppressed"] for f in doc["findings"]}
    assert by_fp == {known[0].fingerprint: "baseline", known[1].fingerprint: None}
    assert doc["summary"]["suppressed"] == 1
    assert any(n.startswith(f"baseline {bl_path}: 1 known finding hidden") for n in doc["notes"])

    baseline_mod.save(baseline_mod.from_findings(known, bl_path), bl_path)
    assert cli(["goroutines", T1, "--isolated", "--baseline", bl_path]) == 0  # everything known: passes
    out = capsys.readouterr().out
    assert ": SG902 " not in out and "Leak suspects, ranked" in out  # the summary stays, the findings are hidden
    assert "0 findings" in out and "2 suppressed" in out


def test_a_severity_override_in_the_config_applies(tmp_path, capsys):
    cfg = tmp_path / ".steadygo.toml"
    cfg.write_text('[severity]\ngoroutines-blocked-on-channel = "info"\n', encoding="utf-8")
    assert cli(["goroutines", T1, "--isolated", "--format", "json"]) == 1
    assert {f["severity"] for f in json.loads(capsys.readouterr().out)["findings"]} == {"warning"}
    assert cli(["goroutines", T1, "--config", str(cfg), "--format", "json"]) == 0  # info < fail-on warning
    doc = json.loads(capsys.readouterr().out)
    assert [(f["rule_id"], f["severity"]) for f in doc["findings"]] == [("SG902", "info")] * 2


def test_the_closest_config_above_the_current_directory_is_read(tmp_path, monkeypatch, capsys):
    (tmp_path / ".steadygo.toml").write_text('fail-on = "error"\n[severity]\nSG923 = "error"\n', encoding="utf-8")
    work = tmp_path / "ci" / "job"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    rc = cli(["gctrace", GCTRACE, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["fail_on"] == "error"
    assert {f["rule_id"]: f["severity"] for f in doc["findings"]} == {"SG922": "warning", "SG923": "error"}
    assert rc == 1  # SG923 made an error, and fail-on error
    # --fail-on on the command line wins over the file, as in check
    cli(["gctrace", GCTRACE, "--format", "json", "--fail-on", "info"])
    assert json.loads(capsys.readouterr().out)["fail_on"] == "info"


def test_junit_and_markdown_name_the_commands_rules(tmp_path, capsys):
    junit, md = tmp_path / "r.xml", tmp_path / "r.md"
    assert cli(["memstats", VARS, "--memory-limit", _memstats_limit(), "--isolated",
                "--format", f"junit={junit},markdown={md}"]) == 1
    xml = junit.read_text(encoding="utf-8")
    assert 'tests="2" failures="1"' in xml  # SG931 and SG932 are memstats' rules; SG931 fails
    assert 'name="SG931 heap-near-memory-limit"' in xml and 'name="SG932 gc-cpu-fraction-high"' in xml
    assert "in 1 memstats document." in md.read_text(encoding="utf-8")


def test_unknown_format_is_a_usage_error(capsys):
    assert cli(["heap", HEAP1, "--format", "yaml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown format 'yaml'" in err


def test_check_reads_a_runtime_report_back(tmp_path, capsys):
    """`check --runtime` takes the JSON a runtime command wrote: the same
    findings (same fingerprints) join check's run."""
    gor = tmp_path / "goroutines.json"
    heap = tmp_path / "heap.json"
    cli(["goroutines", T0, T1, "--isolated", "--exit-zero", "--format", f"json={gor}"])
    cli(["heap", HEAP0, HEAP1, "--isolated", "--exit-zero", "--format", f"json={heap}"])
    written = {f["fingerprint"]: f["rule_id"] for p in (gor, heap)
               for f in json.loads(p.read_text(encoding="utf-8"))["findings"]}
    out = tmp_path / "check.json"
    cli(["check", SERVICE, "--isolated", "--no-cache", "--jobs", "1", "--runtime", str(gor), "--runtime", str(heap),
         "--format", f"json={out}", "--format", f"html={tmp_path / 'check.html'}"])
    doc = json.loads(out.read_text(encoding="utf-8"))
    joined = {f["fingerprint"]: f["rule_id"] for f in doc["findings"] if f["layer"] == "runtime"}
    assert joined == written and set(joined.values()) == {"SG902", "SG906", "SG914"}
    page = (tmp_path / "check.html").read_text(encoding="utf-8")
    assert "Runtime evidence: goroutines" in page and "Runtime evidence: heap profile" in page


@pytest.mark.parametrize("evidence", [
    {"command": "heap", "sample": ["not", "a", "name"], "top": {"x": 1}},
    {"command": "heap", "sample": "inuse_space", "top": {"inuse_space": [{"flat": 1e400, "name": "<script>"}, 7]}},
    {"command": "memstats", "summary": {"sys": {"nested": 1}, "<b>": "</table>"}},
    {"command": "gctrace", "summary": ["not", "an", "object"]},
])
def test_hand_edited_evidence_of_other_commands_is_drawn_safely(evidence, tmp_path):
    """check --runtime reads any runtime report: odd fields are skipped or
    escaped, never a traceback or markup."""
    p = tmp_path / "evidence.json"
    p.write_text(json.dumps({"schema": "steadygo-report", "findings": [], "evidence": evidence}), encoding="utf-8")
    out = tmp_path / "r.html"
    assert cli(["check", SERVICE, "--isolated", "--no-cache", "--jobs", "1", "--exit-zero", "--runtime", str(p),
                "--format", f"html={out}"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Runtime evidence:" in page
    assert page.count("<script>") == 1 and "<b>" not in page  # only the report's own filter script


def test_a_baseline_keeps_matching_while_the_counts_change(tmp_path, capsys):
    """A CI soak job saves its dump under one name: yesterday's baseline of
    the export-handler leak (30 goroutines) still hides it today (70), and a
    new leak site is still reported."""
    dump = tmp_path / "goroutines.txt"
    dump.write_bytes((DUMPS / "leaky-t0.debug2.txt").read_bytes())
    _, yesterday = _report(tmp_path, ["goroutines", str(dump)])
    export = [f for f in yesterday["findings"] if "main.exportHandler" in f["message"]]
    assert len(export) == 1 and export[0]["message"].startswith("30 goroutines")
    bl_path = str(tmp_path / "baseline.json")
    baseline_mod.save(baseline_mod.from_findings([finding_from_dict(export[0])], bl_path), bl_path)

    dump.write_bytes((DUMPS / "leaky-t1.debug2.txt").read_bytes())
    cli(["goroutines", str(dump), "--isolated", "--baseline", bl_path, "--format", "json"])
    today = json.loads(capsys.readouterr().out)
    state = {f["message"].split(" created by ")[1].split(",")[0]: (f["message"].split()[0], f["suppressed"])
             for f in today["findings"]}
    assert state["main.exportHandler"] == ("70", "baseline")
    assert state["main.subscribeHandler"][1] is None  # not in yesterday's baseline: reported
