"""Bad input: one-line messages, partial results where meaningful, no
traceback.  Real crash output comes from the crasher program; hand-written
text only for malformed input."""

from __future__ import annotations

import gzip
import os
import subprocess

import pytest

from .runtime_helpers import cli
from steadygo.errors import UserError
from steadygo.runtime import fetch, goroutines, leaks, pprof


def one_line_error(capsys, argv) -> str:
    rc = cli(argv)
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.err.count("\n") == 1 and captured.err.startswith("steadygo: error: ")
    assert "Traceback" not in captured.err
    return captured.err


def test_truncated_dump_keeps_earlier_goroutines(leaky, tmp_path):
    full = leaky.files["t1.debug2.txt"].read_text()
    whole = goroutines.parse_debug2(full, "full")
    # Cut in the middle of the last goroutine's file line, as the runtime's
    # 64 MiB cap does.
    cut = full.rstrip("\n")
    cut = cut[: cut.rfind("\n") + 8]
    p = tmp_path / "cut.txt"
    p.write_text(cut)
    d = goroutines.load(str(p))
    assert d.truncated and "last goroutine's stack is incomplete" in d.truncated_note
    assert d.total == whole.total - 1
    fs = leaks.findings(leaks.analyse(d))
    assert "SG910" in [f.rule_id for f in fs]


def test_garbled_lines_are_skipped_with_warning(leaky, tmp_path):
    text = leaky.files["t1.debug2.txt"].read_text()
    blocks = text.split("\n\n")
    blocks.insert(3, "@@@ this is not a goroutine \x07 ###\nneither is this")
    blocks.insert(6, "goroutine xx [broken")
    p = tmp_path / "garbled.txt"
    p.write_text("\n\n".join(blocks))
    d = goroutines.load(str(p))
    assert d.warnings == ["2 block(s) were neither goroutines nor a panic header and were skipped"]
    assert d.total == goroutines.load(str(leaky.files["t1.debug2.txt"])).total


def test_garbled_debug1(leaky, tmp_path):
    lines = leaky.files["t1.debug1.txt"].read_text().split("\n")
    lines.insert(2, "#\tgarbage without tabs")
    p = tmp_path / "g1.txt"
    p.write_text("\n".join(lines))
    d = goroutines.load(str(p))
    assert d.warnings[0] == "1 line(s) were not part of the debug=1 format and were skipped"


def test_real_panic_dump(gobuild, tmp_path):
    exe = gobuild("crasher")
    r = subprocess.run([str(exe), "-mode", "panic"], capture_output=True, env=dict(os.environ, GOTRACEBACK="all"),
                       timeout=60)
    assert r.returncode == 2
    p = tmp_path / "panic.txt"
    p.write_bytes(r.stderr)
    d = goroutines.load(str(p))
    assert d.header == ["panic: assignment to entry in nil map"] and d.crashed
    parked = next(b for b in d.buckets if b.top_user_frame().func == "main.parked")
    assert parked.count == 3 and parked.state == "chan receive"
    fs = leaks.findings(leaks.analyse(d))
    assert fs[0].rule_id == "SG908" and fs[0].message == "the process crashed: panic: assignment to entry in nil map"


def test_real_fatal_error_with_no_goroutines(gobuild, tmp_path, capsys):
    exe = gobuild("crasher")
    r = subprocess.run([str(exe), "-mode", "goexit"], capture_output=True, timeout=60)
    assert r.returncode == 2
    p = tmp_path / "goexit.txt"
    p.write_bytes(r.stderr)
    d = goroutines.load(str(p))
    assert d.buckets == [] and d.header == ["fatal error: no goroutines (main called runtime.Goexit) - deadlock!"]
    assert cli(["goroutines", str(p)]) == 1  # SG908 is an error
    assert "SG908" in capsys.readouterr().out


def test_real_race_report(gobuild, tmp_path):
    exe = gobuild("crasher", race=True)
    r = subprocess.run([str(exe), "-mode", "race"], capture_output=True, timeout=60)
    p = tmp_path / "race.txt"
    p.write_bytes(r.stderr)
    d = goroutines.load(str(p))
    assert len(d.races) == 1
    race = d.races[0]
    assert race.accesses[0][0].startswith(("Read at 0x", "Write at 0x"))
    top = race.accesses[0][1]
    assert top.func.startswith("main.main") and top.file.endswith("crasher/main.go")
    assert len(race.accesses) == 2  # the access and the previous conflicting one
    assert [f.rule_id for f in leaks.findings(leaks.analyse(d))] == ["SG909"]


def test_html_page(tmp_path, capsys):
    p = tmp_path / "err.html"
    p.write_text("<!DOCTYPE html>\n<html><head><title>502</title></head><body>Bad gateway</body></html>\n")
    err = one_line_error(capsys, ["goroutines", str(p)])
    assert "HTML page" in err
    one_line_error(capsys, ["heap", str(p)])
    one_line_error(capsys, ["memstats", str(p)])


def test_not_a_dump(tmp_path, capsys):
    p = tmp_path / "notes.txt"
    p.write_text("hello\nworld\n")
    assert "no goroutines found" in one_line_error(capsys, ["goroutines", str(p)])
    e = tmp_path / "empty.txt"
    e.write_text("")
    assert "empty input" in one_line_error(capsys, ["goroutines", str(e)])
    assert "no such file" in one_line_error(capsys, ["goroutines", str(tmp_path / "missing.txt")])
    assert "is a directory" in one_line_error(capsys, ["goroutines", str(tmp_path)])


@pytest.mark.parametrize("payload, words", [
    (b"\x1f\x8b\x08\x00garbage-after-gzip-magic", "corrupt gzip"),
    (gzip.compress(b"\x0a\xff\xff\xff\xff\x0f" + b"\x00" * 20)[:-6], "gzip stream is truncated"),
    (gzip.compress(b"\x0a\xff\xff\xff\xff\x0f" + b"\x00" * 20), "not a pprof profile"),
    (gzip.compress(b"\x08\x96\x01"), "not a pprof profile"),
])
def test_corrupt_pprof(tmp_path, capsys, payload, words):
    p = tmp_path / "bad.pb.gz"
    p.write_bytes(payload)
    assert words in one_line_error(capsys, ["heap", str(p)])


def test_truncated_real_profile(leaky, tmp_path):
    raw = gzip.decompress(leaky.files["t1.heap.pb.gz"].read_bytes())
    p = tmp_path / "half.pb"
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(UserError, match="not a pprof profile|corrupt pprof"):
        pprof.load(str(p))


def test_huge_file_refused_without_reading(tmp_path, capsys):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:  # sparse: 2 GiB of size, no blocks
        fh.truncate(2 << 30)
    err = one_line_error(capsys, ["goroutines", str(p)])
    assert "2,048 MiB is over the 256 MiB input limit" in err
    err = one_line_error(capsys, ["goroutines", str(p), "--max-bytes", "1K"])
    assert "over the 0 MiB input limit" in err or "over the" in err


def test_gzip_bomb_is_capped(tmp_path, capsys):
    p = tmp_path / "bomb.gz"
    p.write_bytes(gzip.compress(b"goroutine 1 [running]:\n" + b"\0" * (3 << 20)))
    err = one_line_error(capsys, ["goroutines", str(p), "--max-bytes", "1M"])
    assert "decompressed size is over the 1 MiB limit" in err


def test_read_artifact_stream_limit(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(b"a" * 2048)
    assert fetch.read_artifact(str(p), max_bytes=2048).data == b"a" * 2048
    with pytest.raises(UserError, match="over the"):
        fetch.read_artifact(str(p), max_bytes=2047)


def test_real_repanic_header(gobuild, tmp_path):
    exe = gobuild("crasher")
    r = subprocess.run([str(exe), "-mode", "repanic"], capture_output=True, timeout=60)
    p = tmp_path / "repanic.txt"
    p.write_bytes(r.stderr)
    d = goroutines.load(str(p))
    assert d.header == ["panic: first failure [recovered]", "\tpanic: second failure"]
    assert d.buckets[0].top_user_frame().func == "main.main.func1"


def test_gotraceback_system_dump(gobuild, tmp_path):
    """GOTRACEBACK=system adds gp=/m= to headers and fp/sp/pc to every frame;
    buckets must come out the same as with GOTRACEBACK=all."""
    exe = gobuild("crasher")
    dumps = {}
    for level in ("all", "system"):
        r = subprocess.run([str(exe), "-mode", "panic"], capture_output=True, timeout=60,
                           env=dict(os.environ, GOTRACEBACK=level))
        p = tmp_path / f"{level}.txt"
        p.write_bytes(r.stderr)
        dumps[level] = goroutines.load(str(p))
    for d in dumps.values():
        parked = [b for b in d.buckets if b.top_user_frame() and b.top_user_frame().func == "main.parked"]
        assert [(b.count, b.state) for b in parked] == [(3, "chan receive")]
        assert all(":" in f.where() and "fp=" not in f.file for f in parked[0].frames)
    # system level also lists the runtime's own goroutines; the user's are the same
    user = {lvl: sorted((b.top_user_frame().func, b.count) for b in d.buckets if b.top_user_frame())
            for lvl, d in dumps.items()}
    assert user["system"] == user["all"] and dumps["system"].total > dumps["all"].total


def test_profile_with_short_sample(leaky, tmp_path, capsys):
    """A well-formed protobuf whose sample lacks values: corrupt, one line."""
    from steadygo.runtime import profile_pb2

    pb = profile_pb2.Profile()
    pb.ParseFromString(gzip.decompress(leaky.files["t1.heap.pb.gz"].read_bytes()))
    del pb.sample[0].value[1:]
    p = tmp_path / "short.pb"
    p.write_bytes(pb.SerializeToString())
    assert "fewer values than sample types" in one_line_error(capsys, ["heap", str(p)])
