"""Issue 20 F19 for a user who is not root: ``-o /dev/stdout`` and
``--format json=/dev/stdout`` were refused ("directory /dev is not
writable") before the scan, and a link to /dev/stdout failed with
"Permission denied", because the stream was opened again by name (a pipe or
terminal another user set up cannot be reopened by a non-root process, yet it
may write to the descriptor it was given).  The suite runs as root here, so
what a non-root user meets is made with os.open and os.access refusing as
the kernel would; checked by hand as nobody too (see the commit message)."""

from __future__ import annotations

import os

import pytest

from steadygo.commands.check import _check_writable
from steadygo.errors import UserError
from steadygo.fsutil import write_atomic, write_problem

from helpers import run_cli

SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'


@pytest.fixture
def not_root(monkeypatch):
    """os.open refuses /dev and /proc names, os.access says /dev is not
    writable: what a non-root process gets for root's pipe and for /dev."""
    real_open, real_access = os.open, os.access

    def refusing_open(path, flags, *args, **kwargs):
        if str(path).startswith(("/dev/", "/proc/")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def refusing_access(path, mode, *args, **kwargs):
        if os.path.abspath(str(path)) in ("/dev", "/proc") and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "access", refusing_access)


def _pipe_output(write) -> bytes:
    r, w = os.pipe()
    try:
        write(w)
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as fh:
        return fh.read()


@pytest.mark.parametrize("name", ["/dev/fd/{fd}", "/proc/self/fd/{fd}", "/proc/{pid}/fd/{fd}"])
def test_a_stream_name_is_written_through_its_descriptor_not_reopened(not_root, name):
    got = _pipe_output(lambda w: write_atomic(name.format(fd=w, pid=os.getpid()), "report\n"))
    assert got == b"report\n"


def test_a_link_to_a_stream_name_is_written_through_the_descriptor(not_root, tmp_path):
    def write(w):
        link = tmp_path / "out.json"
        link.symlink_to(f"/dev/fd/{w}")
        write_atomic(str(link), "via the link\n")
        assert link.is_symlink()

    assert _pipe_output(write) == b"via the link\n"


def test_the_descriptor_is_left_open_for_more_output(not_root):
    def write(w):
        write_atomic(f"/dev/fd/{w}", "one\n")
        write_atomic(f"/dev/fd/{w}", "two\n")
        os.write(w, b"three\n")

    assert _pipe_output(write) == b"one\ntwo\nthree\n"


def test_dev_stdout_is_accepted_before_the_scan_without_a_writable_dev(not_root):
    _check_writable("/dev/stdout")
    _check_writable("/dev/stderr")
    assert write_problem("/dev/stdout") is None


def test_a_closed_descriptor_is_refused_before_the_scan(not_root):
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(UserError) as err:
        _check_writable(f"/dev/fd/{w}")
    assert str(err.value) == f"/dev/fd/{w}: cannot write report: descriptor {w} is not open"


def test_a_directory_that_is_not_writable_is_still_refused(monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if str(p) == str(locked) else real_access(p, m, *a, **k))
    with pytest.raises(UserError) as err:
        _check_writable(str(locked / "r.json"))
    assert str(err.value) == f"{locked / 'r.json'}: cannot write report: directory {locked} is not writable"


def test_a_link_in_a_locked_directory_to_a_file_elsewhere_is_judged_by_the_target(monkeypatch, tmp_path):
    # the write replaces the link's target, so the target's directory is what must be writable
    locked, open_ = tmp_path / "locked", tmp_path / "open"
    locked.mkdir()
    open_.mkdir()
    (locked / "r.json").symlink_to(open_ / "r.json")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if str(p) == str(locked) else real_access(p, m, *a, **k))
    _check_writable(str(locked / "r.json"))
    write_atomic(str(locked / "r.json"), "{}\n")
    assert (open_ / "r.json").read_text() == "{}\n" and (locked / "r.json").is_symlink()


@pytest.mark.parametrize("option", [["-o", "/dev/stdout"], ["--format", "json=/dev/stdout"]])
def test_check_writes_its_report_to_dev_stdout(tmp_path, option):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(SERVER)
    proc = run_cli("check", "--preview", "--no-cache", "--isolated", *option, ".", cwd=str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert "SG101" in proc.stdout
    assert sorted(os.listdir(tmp_path)) == ["go.mod", "main.go"]  # nothing written beside the sources
