"""Issue 20, runtime side: one test per cause found by the hostile-input trial
(F1-F5, F6 memstats, F12, F13, F16, F17, F21, F22, the file:// redirect).
Every input is made here; every command must answer bad input with exit 2
and one line naming the input, never a traceback, never a hang."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections import Counter

import pytest

from . import hostile
from .runtime_helpers import FIXTURES, cli
from steadygo.errors import UserError
from steadygo.runtime import fetch, gctrace, goroutines, leaks, memstats, pprof

DEBUG2 = FIXTURES / "dumps" / "leaky-t1.debug2.txt"
HEAP = FIXTURES / "profiles" / "leaky-t1.heap.pb.gz"
VARS = FIXTURES / "gc" / "leaky-t1.vars.json"
GCLOG = FIXTURES / "gc" / "leaky.gctrace.log"
DEBUG1_ONE = "goroutine profile: total 1\n{n} @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n"
GCLINE = ("gc {n} @{at}s 1%: 0.010+0.50+0.020 ms clock, 0.040+0.10/0.20/0.30+0.080 ms cpu, "
          "{a}->{b}->{c} MB, {goal} MB goal, 0 MB stacks, 0 MB globals, 4 P\n")


def one_line_error(capsys, argv, *needles) -> str:
    rc = cli(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    hostile.assert_one_line_error(err, *needles)
    return err


def usage_error(capsys, argv, needle: str) -> None:
    """argparse's usage error: exit 2, the usage lines, then one error line."""
    with pytest.raises(SystemExit) as exc:
        cli(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "Traceback" not in err and needle in err.splitlines()[-1], err


def dump2(*goroutines_text: str) -> str:
    return "\n".join(goroutines_text)


def g(gid, state: str, func: str = "main.worker", line: int = 10) -> str:
    return f"goroutine {gid} [{state}]:\n{func}()\n\t/src/main.go:{line} +0x1d\ncreated by main.main in goroutine 1\n\t/src/main.go:5 +0x2f\n"


# --------------------------------------------------------------------------- F1


def test_f1_debug1_count_costs_nothing_per_goroutine():
    start = time.perf_counter()
    d = goroutines.parse_debug1(DEBUG1_ONE.format(n=300_000_000), "d.txt")
    b = d.buckets[0]
    data = goroutines.bucket_data(b)
    elapsed = time.perf_counter() - start
    assert d.total == b.count == 300_000_000
    # one entry per distinct wait, not one per goroutine
    assert b.wait_minutes == Counter({0: 300_000_000})
    assert data["wait_minutes"] == {"min": 0, "max": 0, "median": 0,
                                    "histogram": {"<1m": 300_000_000, "1-9m": 0, "10-59m": 0, ">=60m": 0}}
    assert elapsed < 2.0  # was 113 s and 4.6 GB


@pytest.mark.parametrize("n", ["10000000000", "99999999999999999999", "9" * 5000])
def test_f1_implausible_debug1_count_is_one_line_error(tmp_path, capsys, n):
    p = tmp_path / "d.txt"
    p.write_text(DEBUG1_ONE.format(n=n))
    one_line_error(capsys, ["goroutines", str(p)], f"{p}:2:", "not plausible")


def test_f1_pprof_sample_value_is_a_count_not_an_allocation(tmp_path):
    p = tmp_path / "g.pb"
    p.write_bytes(hostile.goroutine_profile([[300_000_000]]))
    start = time.perf_counter()
    d = goroutines.load(str(p))
    assert time.perf_counter() - start < 2.0  # was > 200 s
    assert d.format == "pprof" and d.total == 300_000_000
    assert d.buckets[0].wait_minutes == Counter({0: 300_000_000})


@pytest.mark.parametrize("value", [10_000_000_000, -5])
def test_f1_implausible_pprof_count_is_one_line_error(tmp_path, capsys, value):
    p = tmp_path / "g.pb"
    p.write_bytes(hostile.goroutine_profile([[value]]))
    one_line_error(capsys, ["goroutines", str(p)], str(p), "corrupt")


def test_f1_wait_minutes_counted_per_distinct_wait():
    waits = [1, 1, 2, 3, 3, 3, 45, 0] * 125
    text = dump2(*(g(i + 1, f"chan send, {w} minutes" if w else "chan send") for i, w in enumerate(waits)))
    d = goroutines.parse_debug2(text, "d.txt")
    b = d.buckets[0]
    assert b.count == 1000 and b.wait_minutes == Counter(waits)
    data = goroutines.bucket_data(b)["wait_minutes"]
    assert (data["min"], data["max"]) == (0, 45)
    assert data["median"] == sorted(waits)[len(waits) // 2]
    assert data["histogram"] == {"<1m": 125, "1-9m": 750, "10-59m": 125, ">=60m": 0}


def test_f1_cut_dump_drops_the_cut_goroutines_wait():
    text = dump2(g(1, "chan send, 7 minutes"), g(2, "chan send, 9 minutes"))
    d = goroutines.parse_debug2(text.rstrip("\n")[:-3], "cut.txt")  # cut inside the last line
    assert d.truncated and d.buckets[0].count == 1
    assert d.buckets[0].wait_minutes == Counter({7: 1})


# --------------------------------------------------------------------------- F2


def test_f2_pprof_sample_without_value(tmp_path, capsys):
    p = tmp_path / "g.pb"
    p.write_bytes(hostile.goroutine_profile([[3], []]))
    one_line_error(capsys, ["goroutines", str(p)], str(p), "has no count")


def test_f2_label_index_out_of_range_is_corrupt(tmp_path, capsys):
    from steadygo.runtime import profile_pb2

    pb = profile_pb2.Profile()
    pb.ParseFromString(hostile.goroutine_profile([[3]]))
    lb = pb.sample[0].label.add()
    lb.key, lb.str = 999, 998
    p = tmp_path / "g.pb"
    p.write_bytes(pb.SerializeToString())
    one_line_error(capsys, ["goroutines", str(p)], str(p), "label string index out of range")


# --------------------------------------------------------------------------- F3


def test_f3_huge_goroutine_id_makes_only_that_block_garbled():
    text = dump2(g("9" * 5000, "running"), g(2, "chan send"), g(3, "chan send"))
    d = goroutines.parse_debug2(text, "d.txt")
    assert d.total == 2 and d.warnings == ["1 block(s) were neither goroutines nor a panic header and were skipped"]


def test_f3_huge_wait_minutes_is_unknown_wait():
    d = goroutines.parse_debug2(dump2(g(1, "chan send, " + "9" * 5000 + " minutes")), "d.txt")
    assert d.total == 1 and d.buckets[0].wait_minutes == Counter({0: 1})


def test_f3_huge_or_odd_line_numbers_are_zero():
    # '²' passes str.isdigit() but int() rejects it
    text = dump2(g(1, "chan send", line="9" * 5000), g(2, "select", func="main.other", line="²"))
    d = goroutines.parse_debug2(text, "d.txt")
    assert sorted(b.frames[0].line for b in d.buckets) == [0, 0]
    d1 = goroutines.parse_debug1("goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:" + "7" * 5000 + "\n")
    assert d1.buckets[0].frames[0].line == 0


def test_f3_huge_debug1_total_is_a_warning():
    d = goroutines.parse_debug1("goroutine profile: total " + "1" * 5000 + "\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n")
    assert d.total == 1 and d.declared_total is None and "the 'total' header line is garbled" in d.warnings


def test_f3_huge_memstats_integer(tmp_path, capsys):
    p = tmp_path / "v.json"
    p.write_text('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": ' + "9" * 5000 + "}")
    one_line_error(capsys, ["memstats", str(p)], str(p), "not usable JSON")


# --------------------------------------------------------------------------- F4


@pytest.mark.parametrize("bad", [
    GCLINE.format(n=3, at="1.2.3", a=4, b=4, c=2, goal=5),
    GCLINE.format(n=3, at="0.030", a="9" * 400, b=4, c="8" * 400, goal=5),
    GCLINE.format(n="1" * 5000, at="0.030", a=4, b=4, c=2, goal=5),
])
def test_f4_unparseable_gctrace_numbers_are_skipped_lines(tmp_path, capsys, bad):
    good = [GCLINE.format(n=i, at=f"0.0{i}0", a=4, b=4, c=i, goal=5) for i in (1, 2, 4)]
    text = good[0] + good[1] + bad + good[2]
    tr = gctrace.parse(text, "gc.log")
    assert [c.n for c in tr.cycles] == [1, 2, 4] and tr.skipped == 1
    assert gctrace.summarise(tr).slope_mb_per_min is not None
    p = tmp_path / "gc.log"
    p.write_text(text)
    assert cli(["gctrace", str(p)]) == 0
    assert "1 non-gctrace line(s) skipped" in capsys.readouterr().out


def test_f4_slope_of_largest_accepted_numbers_does_not_overflow():
    big = "9" * 15
    text = "".join(GCLINE.format(n=i, at=f"{big}.{i}", a=big, b=big, c=big if i % 2 else 1, goal=big) for i in range(1, 8))
    tr = gctrace.parse(text, "gc.log")
    assert len(tr.cycles) == 7
    gctrace.findings(tr)  # the thrash / trend / pause arithmetic on them
    assert isinstance(gctrace.summarise(tr).live_max_mb, int)


# --------------------------------------------------------------------------- F5, F6 (memstats)


@pytest.mark.parametrize("doc, key", [
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": null}', "Sys"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": "1"}', "Sys"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": 1e400}', "Sys"),
    ('{"HeapAlloc": true, "HeapInuse": 1, "Sys": 1}', "HeapAlloc"),
    ('{"HeapAlloc": 1, "HeapInuse": -1, "Sys": 1}', "HeapInuse"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "NumGC": [1]}', "NumGC"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "GCCPUFraction": "x"}', "GCCPUFraction"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "GCCPUFraction": NaN}', "GCCPUFraction"),
    ('{"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "PauseNs": [1, "x"]}', "PauseNs"),
    ('{"memstats": {"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "HeapReleased": {}}}', "HeapReleased"),
])
def test_f5_memstats_value_types(tmp_path, capsys, doc, key):
    p = tmp_path / "vars.json"
    p.write_text(doc)
    one_line_error(capsys, ["memstats", str(p)], str(p), key)


def test_f5_real_expvar_still_reads(capsys):
    assert cli(["memstats", str(VARS)]) == 0
    assert "GC cycles" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000])
def test_f6_deeply_nested_memstats(tmp_path, capsys, text):
    p = tmp_path / "vars.json"
    p.write_text(text)
    one_line_error(capsys, ["memstats", str(p)], str(p), "nested too deeply")


# --------------------------------------------------------------------------- F12


@pytest.mark.parametrize("cmd", ["goroutines", "heap", "gctrace", "memstats"])
@pytest.mark.parametrize("option, value, needle", [
    ("--timeout", "-1", "is not a time"), ("--timeout", "nan", "is not a time"), ("--timeout", "inf", "is not a time"),
    ("--timeout", "0", "is not a time"), ("--max-bytes", "inf", "is not a size"), ("--max-bytes", "0", "is not a size"),
    ("--max-bytes", "-1", "is not a size"), ("--max-bytes", "1e400", "is not a size"), ("--top", "-3", "whole number"),
])
def test_f12_bad_option_values_are_usage_errors(capsys, cmd, option, value, needle):
    usage_error(capsys, [cmd, "input", option, value], needle)


@pytest.mark.parametrize("argv", [["gctrace", "x", "--memory-limit", "1e400"], ["memstats", "x", "--memory-limit", "nan"],
                                  ["memstats", "x", "--container-limit", "-1"], ["gctrace", "x", "--stw-ms", "nan"],
                                  ["memstats", "x", "--gc-cpu-max", "inf"], ["goroutines", "x", "--min-count", "-1"]])
def test_f12_bad_limits_are_usage_errors(capsys, argv):
    usage_error(capsys, argv, "argument " + argv[2])


@pytest.mark.parametrize("url, needle", [("http://[::1", "not a usable URL"),
                                         ("http://127.0.0.1:1/a\r\nX-Injected: 1", "control characters"),
                                         ("http://127.0.0.1:99999/", "not a usable URL"),
                                         ("http:///debug/vars", "not a usable URL")])
@pytest.mark.parametrize("cmd", ["goroutines", "heap", "gctrace", "memstats"])
def test_f12_bad_urls_are_one_line_errors(capsys, cmd, url, needle):
    err = one_line_error(capsys, [cmd, url], needle)
    assert "\r" not in err


def test_f12_small_limit_is_shown_as_it_is(tmp_path, capsys):
    p = tmp_path / "d.txt"
    p.write_bytes(b"goroutine 1 [running]:\n" * 100)
    one_line_error(capsys, ["goroutines", str(p), "--max-bytes", "1K"], "over the 1 KiB input limit")


# --------------------------------------------------------------------------- F13


def _inputs(tmp_path):
    gc = tmp_path / "gc.log"
    gc.write_text("".join(GCLINE.format(n=i, at=f"0.{i}", a=4, b=4, c=2, goal=5) for i in range(1, 4)))
    return {"goroutines": [str(DEBUG2)], "heap": [str(HEAP)], "gctrace": [str(gc)], "memstats": [str(VARS)]}


FAULTS = hostile.OUTPUT_FAULTS


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("cmd", ["goroutines", "heap", "gctrace", "memstats"])
def test_f13_output_write_errors(tmp_path, capsys, monkeypatch, cmd, fault):
    argv = [cmd, *_inputs(tmp_path)[cmd]]
    out = hostile.output_fault(fault, tmp_path, monkeypatch)
    rc = cli(argv + ["-o", out])
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert rc == 2 and captured.out == ""
    hostile.assert_one_line_error(captured.err, out, "cannot write report")
    if fault == "a directory":
        assert os.path.isdir(out)  # nothing was renamed over it
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".steadygo-")], "temp file left behind"


# --------------------------------------------------------------------------- F16


def _slow_body(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
    for _ in range(60):
        if stop.is_set():
            return
        conn.sendall(b"goroutine 1 [running]:\n")
        time.sleep(0.5)


def _slow_headers(conn, stop):
    hostile.trickle(conn, stop, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 500, every=0.2)


@pytest.mark.parametrize("handler", [_slow_body, _slow_headers], ids=["body-trickle", "header-trickle"])
def test_f16_one_deadline_over_connect_headers_and_body(handler):
    with hostile.hostile_server(handler) as base:
        start = time.monotonic()
        with pytest.raises(UserError, match=r"no complete response within the 1\.5 s time budget"):
            goroutines.load(base + "/debug/pprof/goroutine", timeout=1.5)
        elapsed = time.monotonic() - start
    assert 1.4 < elapsed < 4.0  # was: never given up on


def test_f16_a_prompt_server_is_read_in_full():
    body = DEBUG2.read_bytes()

    def ok(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    with hostile.hostile_server(ok) as base:
        d = goroutines.load(base + "/debug/pprof/goroutine", timeout=5)
    assert d.total == goroutines.parse_bytes(body).total


def test_redirect_to_file_url_is_named(capsys):
    def to_file(conn, stop):
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")

    with hostile.hostile_server(to_file) as base:
        err = one_line_error(capsys, ["goroutines", base + "/debug/pprof/goroutine"],
                             "redirected to 'file:///etc/passwd', which is not an http(s) URL; not following")
    assert "another host ()" not in err


def test_status_line_with_escape_codes_is_escaped(capsys):
    def evil(conn, stop):
        conn.sendall(b"HTTP/1.1 500 \x1b]0;PWNED\x07\r\nContent-Length: 0\r\n\r\n")

    with hostile.hostile_server(evil) as base:
        err = one_line_error(capsys, ["memstats", base + "/debug/vars"], "HTTP 500 \\x1b]0;PWNED\\x07")
    assert "\x1b" not in err and "\x07" not in err


# --------------------------------------------------------------------------- F17


def test_f17_gzip_inside_gzip_obeys_the_users_limit(tmp_path, capsys):
    p = tmp_path / "bomb.pb.gz"
    p.write_bytes(gzip.compress(hostile.zeros_gzip(16 << 20)))  # 16 KiB on disk, 16 MiB two layers down
    assert p.stat().st_size < 64 << 10
    one_line_error(capsys, ["heap", str(p), "--max-bytes", "2M"], "decompressed size is over the 2 MiB limit")
    with pytest.raises(UserError, match="over the 2 MiB limit"):
        pprof.parse_profile(p.read_bytes(), "bytes", max_bytes=2 << 20)  # the parser's own gunzip too


def test_f17_legitimate_layers_are_peeled(tmp_path):
    heap = HEAP.read_bytes()
    p = tmp_path / "twice.pb.gz"
    p.write_bytes(gzip.compress(heap))  # a .pb.gz gzipped once more on the wire
    art = fetch.read_artifact(str(p))
    assert art.gzipped and art.data == gzip.decompress(heap)
    assert pprof.load(str(p)).kind == pprof.load(str(HEAP)).kind == "heap"
    members = gzip.compress(b"goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n\n")
    members += gzip.compress(b"goroutine 2 [chan send]:\nmain.f()\n\t/x.go:2 +0x1\n")
    assert fetch.gunzip(members, 1 << 20, "m") == (b"goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n\n"
                                                 b"goroutine 2 [chan send]:\nmain.f()\n\t/x.go:2 +0x1\n")


def test_f17_too_many_layers(tmp_path, capsys):
    p = tmp_path / "onion.gz"
    p.write_bytes(hostile.nest_gzip(b"goroutine 1 [running]:\n", fetch.MAX_GZIP_LAYERS + 1))
    one_line_error(capsys, ["goroutines", str(p)], "nested gzip layers")


def test_f17_truncated_and_corrupt_gzip(tmp_path, capsys):
    whole = gzip.compress(DEBUG2.read_bytes())
    p = tmp_path / "cut.gz"
    p.write_bytes(whole[: len(whole) // 2])
    one_line_error(capsys, ["goroutines", str(p)], "gzip stream is truncated")
    p.write_bytes(whole[:10] + b"\xff" * 50 + whole[60:])
    one_line_error(capsys, ["goroutines", str(p)], "corrupt gzip data")


# --------------------------------------------------------------------------- F21


def test_f21_bom_debug1(tmp_path):
    p = tmp_path / "d1.txt"
    p.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "dumps" / "leaky-t1.debug1.txt").read_bytes())
    d = goroutines.load(str(p))
    assert d.format == "debug1" and d.total == goroutines.load(str(FIXTURES / "dumps" / "leaky-t1.debug1.txt")).total


def test_f21_bom_debug2_keeps_first_goroutine(tmp_path):
    p = tmp_path / "d2.txt"
    p.write_bytes(b"\xef\xbb\xbf" + DEBUG2.read_bytes())
    d = goroutines.load(str(p))
    plain = goroutines.load(str(DEBUG2))
    assert d.total == plain.total and not d.warnings
    assert goroutines.parse_debug2("\ufeff" + DEBUG2.read_text()).total == plain.total


# --------------------------------------------------------------------------- F22

EVIL = "main.\x1b]0;PWNED\x07\x1b[2Jx\x9b31m"


def _no_raw_controls(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b"), repr(text[:200])


def test_f22_goroutines_text_escapes_function_names(tmp_path, capsys):
    text = dump2(*(g(i, "chan send, 12 minutes", func=EVIL) for i in range(1, 40)))
    text += "\n" + dump2(*(g(i, "select", func="main.ok") for i in range(40, 45)))
    p = tmp_path / "evil.txt"
    p.write_text(text)
    assert cli(["goroutines", str(p)]) == 1  # the SG902 warning fails by default, as in check
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "main.\\x1b]0;PWNED\\x07\\x1b[2Jx\\x9b31m" in out
    assert "[suspect] 39 goroutines created by main.main, parked in main.\\x1b]0;PWNED" in out and "SG902" in out


def test_f22_goroutines_markup_in_names_is_text(tmp_path, capsys):
    p = tmp_path / "m.txt"
    p.write_text(dump2(g(1, "chan send", func="main.[bold red]F[/]"), g(2, "chan send", func="main.[bold red]F[/]")))
    cli(["goroutines", str(p)])
    assert "main.[bold red]F[/]" in capsys.readouterr().out


def test_f22_heap_text_escapes_function_names(tmp_path, capsys):
    p = tmp_path / "h.pb"
    p.write_bytes(hostile.heap_profile(funcs=(EVIL, "main.grow")))
    cli(["heap", str(p)])
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "\\x1b]0;PWNED" in out


def test_f22_memstats_and_gctrace_escape_what_they_echo(tmp_path, capsys):
    p = tmp_path / "v.json"
    p.write_text(json.dumps({"cmdline": ["/bin/svc", "\x1b]0;PWNED\x07"],
                             "memstats": {"HeapAlloc": 1, "HeapInuse": 1, "Sys": 2, "HeapReleased": 0}}))
    assert cli(["memstats", str(p)]) == 0
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "/bin/svc \\x1b]0;PWNED\\x07" in out
    log = tmp_path / "gc\x1b[2J.log"
    log.write_text(GCLOG.read_text())
    cli(["gctrace", str(log)])
    out = capsys.readouterr().out
    _no_raw_controls(out)
    assert "gc\\x1b[2J.log" in out


def test_f22_leak_analysis_still_exact_with_escaped_output():
    text = dump2(*(g(i, "chan send, 3 minutes", func=EVIL) for i in range(1, 21)))
    a = leaks.analyse(goroutines.parse_debug2(text))
    assert a.suspects and a.suspects[0].bucket.count == 20
    assert a.suspects[0].bucket.frames[0].func == EVIL  # the model keeps the real name; only output escapes


def test_memstats_parse_keeps_unknown_fields():
    ms = memstats.parse(VARS.read_bytes(), "v")
    assert set(json.loads(VARS.read_text())["memstats"]) <= set(ms.raw)
