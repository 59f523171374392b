"""Per-command resource guard: each runtime command runs in a child process
with an address-space cap, is killed at a time cap, and its own peak RSS
(wait4) is compared with a trivial run of the same command.  The inputs are
the trial's reproducers; before the fixes they took minutes and gigabytes."""

from __future__ import annotations

import gzip
import time

import pytest

from . import hostile
from .runtime_helpers import FIXTURES

MiB = 1 << 20
TIME_CAP = 30.0  # seconds: generous for a loaded 2-core CI machine; the old code needed 113 s to forever
SMALL = 40  # MiB over the trivial run that a command may use on a tiny hostile input


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("guard")
    files = {}

    def put(name, data):
        p = d / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        files[name] = str(p)

    put("tiny.txt", "goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n")
    put("count3e8.txt", "goroutine profile: total 1\n300000000 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n")
    put("count1e10.txt", "goroutine profile: total 1\n10000000000 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:1\n")
    put("count3e8.pb", hostile.goroutine_profile([[300_000_000]]))
    put("nested.pb.gz", gzip.compress(hostile.zeros_gzip(64 * MiB)))  # 64 MiB two layers down
    put("bomb64.gz", hostile.zeros_gzip(64 * MiB))
    put("bomb24.gz", hostile.zeros_gzip(24 * MiB))
    gc = "".join(f"gc {i} @{i}.0s 1%: 0.1+0.5+0.02 ms clock, 0.04+0.1/0.2/0.3+0.08 ms cpu, "
                 f"{'9' * 400}->4->{'8' * 400} MB, 5 MB goal, 4 P\n" for i in range(20_000))
    put("digits.gctrace", gc)
    put("deep.json", "[" * 100_000)
    put("heap.pb.gz", (FIXTURES / "profiles" / "leaky-t1.heap.pb.gz").read_bytes())
    put("vars.json", (FIXTURES / "gc" / "leaky-t1.vars.json").read_bytes())
    return files


@pytest.fixture(scope="module")
def trivial_rss(inputs) -> float:
    """Peak RSS of the heaviest trivial run (heap imports protobuf)."""
    runs = [hostile.run_guarded(["goroutines", inputs["tiny.txt"]], TIME_CAP),
            hostile.run_guarded(["heap", inputs["heap.pb.gz"]], TIME_CAP)]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    return max(r.max_rss_mib for r in runs)


def guarded(argv, expect_rc, trivial, extra_mib=SMALL, *needles):
    r = hostile.run_guarded(argv, TIME_CAP)
    assert r.returncode == expect_rc, r.stderr
    if expect_rc == 2:
        hostile.assert_one_line_error(r.stderr, *needles)
    assert r.max_rss_mib <= trivial + extra_mib, f"{argv[0]}: peak RSS {r.max_rss_mib:.0f} MiB"
    return r


def test_f1_count_3e8_debug1(inputs, trivial_rss):
    r = guarded(["goroutines", inputs["count3e8.txt"]], 0, trivial_rss)  # was 113 s, 4.6 GB
    assert "300,000,000 goroutines" in r.stdout


def test_f1_count_3e8_pprof(inputs, trivial_rss):
    r = guarded(["goroutines", inputs["count3e8.pb"], "--format", "json"], 0, trivial_rss)  # was > 200 s
    assert '"total": 300000000' in r.stdout


def test_f1_implausible_count(inputs, trivial_rss):
    guarded(["goroutines", inputs["count1e10.txt"]], 2, trivial_rss, SMALL, "not plausible")  # was MemoryError


def test_f17_gzip_in_gzip_under_the_users_limit(inputs, trivial_rss):
    # 64 MiB two layers down, --max-bytes 4M: stopped at ~4 MiB (was 1 GiB cap)
    guarded(["heap", inputs["nested.pb.gz"], "--max-bytes", "4M"], 2, trivial_rss, 4 + SMALL, "over the 4 MiB limit")


def test_f17_bomb_stops_at_the_limit(inputs, trivial_rss):
    guarded(["goroutines", inputs["bomb64.gz"], "--max-bytes", "16M"], 2, trivial_rss, 16 + SMALL,
            "decompressed size is over the 16 MiB limit")


def test_f17_no_second_copy_of_a_large_artifact(inputs, tmp_path):
    # The same path (gunzip, then a protobuf decode that fails at once) on
    # 1 KiB and on 24 MiB: the difference is the artifact, held once; a
    # bytes() copy of the buffer would make it 48 MiB.
    small = tmp_path / "bomb1k.gz"
    small.write_bytes(hostile.zeros_gzip(1024))
    ref = hostile.run_guarded(["heap", str(small)], TIME_CAP)
    big = hostile.run_guarded(["heap", inputs["bomb24.gz"], "--max-bytes", "32M"], TIME_CAP)
    for r in (ref, big):
        assert r.returncode == 2
        hostile.assert_one_line_error(r.stderr, "not a pprof profile")
    grew = big.max_rss_mib - ref.max_rss_mib
    assert 20 <= grew <= 24 * 1.5, f"peak RSS grew by {grew:.0f} MiB for a 24 MiB artifact"


def test_f4_gctrace_huge_numbers(inputs, trivial_rss):
    r = guarded(["gctrace", inputs["digits.gctrace"]], 2, trivial_rss, 60, "no gctrace lines found")
    assert r.seconds < TIME_CAP


def test_f6_memstats_deep_nesting(inputs, trivial_rss):
    guarded(["memstats", inputs["deep.json"]], 2, trivial_rss, SMALL, "nested too deeply")


def test_f6_slo_spec_deep_nesting(inputs, trivial_rss):
    guarded(["slo", "explain", inputs["deep.json"]], 2, trivial_rss, SMALL, "nested too deeply")


def test_f16_trickling_server_is_given_up_on_in_time(trivial_rss):
    def trickle_body(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
        for _ in range(120):
            if stop.is_set():
                return
            conn.sendall(b"goroutine 1 [running]:\n")
            time.sleep(0.5)

    with hostile.hostile_server(trickle_body, lifetime=90) as base:
        r = hostile.run_guarded(["goroutines", base + "/debug/pprof/goroutine", "--timeout", "2"], TIME_CAP)
    hostile.assert_one_line_error(r.stderr, "within the 2 s time budget")
    assert r.returncode == 2 and r.seconds < 2 + 15  # budget plus interpreter start-up on a loaded machine
