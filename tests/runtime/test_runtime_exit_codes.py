"""Exit codes of the runtime commands, as in `check`: --fail-on (default
warning), --exit-zero, --fail-if-growth only with two inputs; and the BASE NEW
order of `heap`, checked against the profiles' own timestamps.

Every input is a kept fixture from a real Go process (tests/fixtures), so these
run without building the leaky service."""

from __future__ import annotations

import gzip
import json

import pytest

from .hostile import assert_one_line_error
from .runtime_helpers import FIXTURES, cli
from steadygo.findings import Finding, Layer, Severity, exit_code
from steadygo.runtime import profile_pb2

DUMPS = FIXTURES / "dumps"
PROFILES = FIXTURES / "profiles"
GC = FIXTURES / "gc"
BASE_HEAP = PROFILES / "leaky-t0.heap.pb.gz"
NEW_HEAP = PROFILES / "leaky-t1.heap.pb.gz"

# (argv, the highest severity among its findings or None for none,
#  exit code with --fail-on info / warning (the default) / error)
CASES = {
    "proven leak, Go 1.26 goroutineleak debug=2": (
        ["goroutines", str(DUMPS / "leaky-go1.26.6.goroutineleak.debug2.txt")], "error", (1, 1, 1)),
    "proven leak, goroutineleak pprof": (
        ["goroutines", str(DUMPS / "leaky-t1.goroutineleak.pb.gz")], "error", (1, 1, 1)),
    "suspects only (debug=2)": (["goroutines", str(DUMPS / "leaky-t0.debug2.txt")], "warning", (1, 1, 0)),
    "unknown states only (debug=1)": (["goroutines", str(DUMPS / "leaky-t1.debug1.txt")], "info", (1, 0, 0)),
    "goroutine growth BASE NEW": (
        ["goroutines", str(DUMPS / "leaky-t0.debug2.txt"), str(DUMPS / "leaky-t1.debug2.txt")], "warning", (1, 1, 0)),
    "one heap profile": (["heap", str(NEW_HEAP)], None, (0, 0, 0)),
    "heap growth BASE NEW": (["heap", str(BASE_HEAP), str(NEW_HEAP)], "info", (1, 0, 0)),
    "gctrace, live heap rising": (["gctrace", str(GC / "leaky.gctrace.log")], "warning", (1, 1, 0)),
    "memstats, no limits": (["memstats", str(GC / "leaky-t1.vars.json")], None, (0, 0, 0)),
    "memstats over the container limit": (
        ["memstats", str(GC / "leaky-t1.vars.json"), "--container-limit", "1M"], "error", (1, 1, 1)),
}


def _json(capsys, argv) -> tuple[int, dict, str]:
    """Exit code, JSON report and standard error of one run."""
    rc = cli(argv + ["--format", "json"])
    captured = capsys.readouterr()
    return rc, json.loads(captured.out), captured.err


@pytest.mark.parametrize("name", CASES)
def test_exit_code_per_fail_on_level(name, capsys):
    argv, highest, (on_info, on_warning, on_error) = CASES[name]
    rc, doc, _ = _json(capsys, argv)
    # the fixture still yields the findings the expected codes rest on
    got = max((Severity.parse(f["severity"]) for f in doc["findings"]), default=None)
    assert (got.label if got else None) == highest, doc["findings"]
    assert rc == on_warning  # the default is --fail-on warning
    for level, want in (("info", on_info), ("warning", on_warning), ("error", on_error)):
        assert cli(argv + ["--fail-on", level]) == want, level
    assert cli(argv + ["--fail-on", "info", "--exit-zero"]) == 0
    capsys.readouterr()


def test_proven_leak_fails_by_default_and_exit_zero_reports_it(capsys):
    dump = str(DUMPS / "leaky-go1.26.6.goroutineleak.debug1.txt")
    assert cli(["goroutines", dump]) == 1
    assert "[LEAK]" in capsys.readouterr().out
    assert cli(["goroutines", dump, "--exit-zero"]) == 0
    assert "[LEAK]" in capsys.readouterr().out  # report-only: the report is unchanged


def test_growth_gate_and_exit_zero():
    base, new = str(BASE_HEAP), str(NEW_HEAP)
    # the heap grew by far more than 1000 bytes: the gate fails even where no
    # finding reaches --fail-on, and --exit-zero overrides the gate too
    assert cli(["heap", base, new, "--fail-on", "error"]) == 0
    assert cli(["heap", base, new, "--fail-on", "error", "--fail-if-growth", "1000"]) == 1
    assert cli(["heap", base, new, "--fail-on", "error", "--fail-if-growth", str(1 << 40)]) == 0
    assert cli(["heap", base, new, "--fail-if-growth", "1000", "--exit-zero"]) == 0
    # --diff BASE is the same pair
    assert cli(["heap", new, "--diff", base, "--fail-on", "error", "--fail-if-growth", "1000"]) == 1


@pytest.mark.parametrize("argv", [
    ["goroutines", str(DUMPS / "leaky-t1.debug2.txt")],
    ["heap", str(NEW_HEAP)],
    ["gctrace", str(GC / "leaky.gctrace.log")],
    ["memstats", str(GC / "leaky-t1.vars.json")],
], ids=lambda a: a[0])
def test_fail_if_growth_with_one_input_is_a_usage_error(argv, capsys):
    assert cli(argv + ["--fail-if-growth", "10"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any report is written
    assert_one_line_error(captured.err, "--fail-if-growth needs two inputs")


def test_heap_base_twice_is_a_usage_error(capsys):
    assert cli(["heap", str(BASE_HEAP), str(NEW_HEAP), "--diff", str(BASE_HEAP)]) == 2
    assert_one_line_error(capsys.readouterr().err, "not both")


def test_usage_errors_stay_2_with_exit_zero(tmp_path, capsys):
    missing = str(tmp_path / "nope.txt")
    assert cli(["goroutines", missing, "--exit-zero"]) == 2
    assert_one_line_error(capsys.readouterr().err, missing)
    assert cli(["heap", str(NEW_HEAP), "--fail-if-growth", "1", "--exit-zero"]) == 2
    assert_one_line_error(capsys.readouterr().err, "--fail-if-growth")


def test_heap_order_is_base_then_new(capsys):
    _, report, err = _json(capsys, ["heap", str(BASE_HEAP), str(NEW_HEAP)])
    forward = report["evidence"]
    assert forward["source"] == str(NEW_HEAP) and forward["diff"]["base"] == str(BASE_HEAP)
    assert forward["diff"]["delta"] > 0  # the leaky service grew between t0 and t1
    assert err == ""  # in time order: no warning
    _, flag, _ = _json(capsys, ["heap", str(NEW_HEAP), "--diff", str(BASE_HEAP)])
    assert flag["evidence"] == forward and flag["findings"] == report["findings"]


def _time_nanos(path) -> int:
    pb = profile_pb2.Profile()
    pb.ParseFromString(gzip.decompress(path.read_bytes()))
    return pb.time_nanos


def _copy_taken_at(src, dst, time_nanos: int):
    pb = profile_pb2.Profile()
    pb.ParseFromString(gzip.decompress(src.read_bytes()))
    pb.time_nanos = time_nanos
    dst.write_bytes(gzip.compress(pb.SerializeToString()))
    return dst


def test_heap_warns_when_new_is_older_than_base(capsys):
    assert _time_nanos(BASE_HEAP) < _time_nanos(NEW_HEAP)  # the fixtures were taken t0 then t1
    rc, report, err = _json(capsys, ["heap", str(NEW_HEAP), str(BASE_HEAP)])
    doc = report["evidence"]
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("steadygo: warning: "), err
    assert f"NEW {BASE_HEAP} (" in err and f"is older than BASE {NEW_HEAP} (" in err
    # still computed in the order given: t1 -> t0 is a shrinkage
    assert doc["source"] == str(BASE_HEAP) and doc["diff"]["base"] == str(NEW_HEAP)
    assert doc["diff"]["delta"] < 0
    assert rc == 0


def test_heap_order_check_reads_the_timestamps_not_the_names(tmp_path, capsys):
    """Same bytes as the in-order pair, only time_nanos changed: the warning
    follows the timestamp."""
    t0 = _time_nanos(BASE_HEAP)
    older = _copy_taken_at(NEW_HEAP, tmp_path / "new-older.pb.gz", t0 - 1)
    same = _copy_taken_at(NEW_HEAP, tmp_path / "new-same.pb.gz", t0)
    unknown = _copy_taken_at(NEW_HEAP, tmp_path / "new-untimed.pb.gz", 0)
    cli(["heap", str(BASE_HEAP), str(older)])
    assert "is older than BASE" in capsys.readouterr().err
    for new in (same, unknown):  # equal, or no time recorded: nothing to say
        cli(["heap", str(BASE_HEAP), str(new)])
        assert capsys.readouterr().err == "", new


def _finding(severity: Severity, suppressed: str | None = None) -> Finding:
    return Finding("SG902", "goroutines-blocked-on-channel", severity, Layer.RUNTIME, "dump.txt", 1, 1, "m",
                   suppressed=suppressed)


def test_shared_exit_code_function():
    warning, info = _finding(Severity.WARNING), _finding(Severity.INFO)
    assert exit_code([], Severity.INFO) == 0
    assert exit_code([info, warning], Severity.WARNING) == 1
    assert exit_code([info, warning], Severity.ERROR) == 0
    assert exit_code([info], Severity.INFO) == 1
    assert exit_code([info, warning], Severity.INFO, exit_zero=True) == 0
    # suppressed findings stay in reports but never fail a run
    assert exit_code([_finding(Severity.ERROR, suppressed="baseline")], Severity.INFO) == 0
