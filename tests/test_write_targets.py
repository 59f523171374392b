"""Issue 20 F19: write_atomic renames only onto regular files.  Links are
followed and their target replaced (the link stays), FIFOs, devices and
stream names are written in place, and a replaced file keeps its mode."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from steadygo.fsutil import write_atomic

from helpers import run_cli

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'


def _reader(path, got: list):
    def run():
        with open(path, "rb") as fh:
            got.append(fh.read())
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(str(tmp_path / "r.json"), "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o644


def test_replaced_file_keeps_its_mode_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(str(target), "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["r.json"]


def test_symlink_to_a_regular_file_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o604)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(str(link), "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(os.stat(real).st_mode) == 0o604


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    write_atomic(str(link), "x")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list = []
    t = _reader(fifo, got)
    write_atomic(str(fifo), "through the pipe\n")
    t.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a regular file


def test_symlink_to_a_fifo_writes_into_the_pipe_and_keeps_both(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo, 0o644)
    link = tmp_path / "report.json"
    link.symlink_to(fifo)
    got: list = []
    t = _reader(fifo, got)
    write_atomic(str(link), "{}\n")
    t.join(10)
    assert got == [b"{}\n"]
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert stat.S_IMODE(os.lstat(fifo).st_mode) == 0o644  # mode untouched, never 0600


def test_link_to_proc_self_fd_writes_to_that_descriptor(tmp_path):
    r, w = os.pipe()
    link = tmp_path / "out.json"
    link.symlink_to(f"/proc/self/fd/{w}")
    try:
        write_atomic(str(link), "via the descriptor\n")
        os.close(w)
        w = -1
        with os.fdopen(r, "rb") as fh:
            assert fh.read() == b"via the descriptor\n"
    finally:
        if w >= 0:
            os.close(w)
    assert link.is_symlink()  # a regular file did not take the link's place


def test_stream_name_over_a_regular_file_appends(tmp_path):
    # `steadygo ... --format json=/dev/stdout > out.txt`: the report joins what
    # is already in the file instead of truncating it.
    target = tmp_path / "out.txt"
    with open(target, "w") as fh:
        fh.write("text report\n")
        fh.flush()
        write_atomic(f"/proc/self/fd/{fh.fileno()}", "json report\n")
    assert target.read_text() == "text report\njson report\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_is_an_error_and_stays_a_device():
    with pytest.raises(OSError) as exc:
        write_atomic("/dev/full", "x" * 100)
    assert exc.value.errno == 28  # ENOSPC
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_check_to_dev_full_is_one_line_exit_2(tmp_path):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(SERVER)
    proc = run_cli("check", "--no-cache", "--isolated", "--format", "json=/dev/full", ".", cwd=str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == "steadygo: error: /dev/full: cannot write report: No space left on device"


def test_check_through_a_link_to_its_stdout(tmp_path):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(SERVER)
    (tmp_path / "out.json").symlink_to("/proc/self/fd/1")
    proc = run_cli("check", "--preview", "--no-cache", "--isolated", "--format", "json=out.json", ".", cwd=str(tmp_path))
    assert proc.returncode == 1  # --preview: SERVER's findings are preview rules
    assert '"schema": "steadygo-report"' in proc.stdout  # it reached stdout (a pipe here)
    assert (tmp_path / "out.json").is_symlink()


def test_directory_target_is_an_oserror_not_a_rename(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    with pytest.raises(OSError):
        write_atomic(str(d), "x")
    assert d.is_dir()


@pytest.mark.parametrize("args", [
    ("check", "--preview", "--no-cache", "--isolated", "--format", "json=-", "."),
    ("check", "--preview", "--no-cache", "--isolated", "--format", "json", "-o", "-", "."),
])
def test_dash_is_standard_output_never_a_file_named_dash(tmp_path, args):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(SERVER)
    proc = run_cli(*args, cwd=str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert '"schema": "steadygo-report"' in proc.stdout
    assert not (tmp_path / "-").exists()


def test_slo_generate_dash_is_standard_output(tmp_path):
    # an earlier `slo generate -o -` left a file named "-" in the repository
    spec = os.path.join(os.path.dirname(__file__), "..", "examples", "slo", "order-service.yaml")
    proc = run_cli("slo", "generate", os.path.abspath(spec), "-o", "-", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Generated by `steadygo slo generate`") and "groups:" in proc.stdout
    assert not (tmp_path / "-").exists()
