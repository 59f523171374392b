"""Small filesystem helpers shared by every command that writes output."""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile


STDOUT = "-"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Names that stand for an already-open stream: writing there means writing
# to that stream, whatever it is (a pipe, a terminal, a redirected file).
_STREAM_NAME = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/(?:self|thread-self|\d+)/fd/\d+")
# ... and the descriptor each one names in this process.  Those are written
# through the descriptor itself, never opened again by name: reopening a pipe
# or terminal that another user set up (root's shell, a CI runner) is refused
# to a non-root process that may write to it all the same.
_OWN_FD = re.compile(r"/dev/(?P<std>stdout|stderr)|/dev/fd/(?P<fd>\d+)"
                     r"|/proc/(?P<pid>self|thread-self|\d+)/fd/(?P<pfd>\d+)")
_MAX_LINKS = 40  # the kernel's own limit on a chain of symlinks


def _link_chain(path: str) -> list[str]:
    """``path`` and every name its symlinks lead to, in order."""
    chain = [os.path.abspath(path)]
    while len(chain) <= _MAX_LINKS and os.path.islink(chain[-1]):
        try:
            target = os.readlink(chain[-1])
        except OSError:
            break
        chain.append(os.path.normpath(os.path.join(os.path.dirname(chain[-1]), target)))
    return chain


def _own_descriptor(chain: list[str]) -> int | None:
    """The descriptor of this process the first stream name in ``chain``
    stands for, or None (no stream name, or another process's)."""
    for name in chain:
        m = _OWN_FD.fullmatch(name)
        if m is None:
            continue
        if m["std"]:
            return 1 if m["std"] == "stdout" else 2
        if m["fd"]:
            return int(m["fd"])
        if m["pid"] in ("self", "thread-self") or int(m["pid"]) == os.getpid():
            return int(m["pfd"])
        return None
    return None


def write_problem(path: str) -> str | None:
    """Why ``write_atomic(path)`` would fail, for commands that check before a
    long run instead of after it; None when it should work.  The same
    decisions as the write: a stream name needs its descriptor open, a device
    or FIFO needs write permission on itself, a regular file or a free name
    needs its (real) directory."""
    if path == STDOUT:
        return None
    chain = _link_chain(path)
    fd = _own_descriptor(chain)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            return f"descriptor {fd} is not open"
        return None
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None if os.access(path, os.W_OK) else "permission denied"
    directory = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(directory):
        return f"directory {directory} does not exist"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"directory {directory} is not writable"
    return None


def write_atomic(path: str, data: str | bytes) -> None:
    """Write a report or baseline so a crash or a full disk never leaves a
    half-written one: a temp file in the same directory, renamed over the
    target.  Only a regular file (or a name still free) is replaced that way:
    a symlink is resolved and its target replaced, so the link stays; a FIFO,
    a device or a stream name (/dev/stdout, /proc/self/fd/1) is written in
    place, since replacing it would swap a pipe or terminal for a file.
    ``-`` is standard output, as everywhere on the command line (a file
    named "-" is written as ``./-``)."""
    if path == STDOUT:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8", errors="replace"))
        sys.stdout.flush()
        return
    chain = _link_chain(path)
    fd = _own_descriptor(chain)
    if fd is not None:
        _write_to_descriptor(fd, data)
        return
    try:
        st = os.stat(path)
    except OSError:
        st = None  # a free name, or a link to one: create it
    if any(_STREAM_NAME.fullmatch(p) for p in chain) or (st is not None and not stat.S_ISREG(st.st_mode)):
        _write_in_place(path, data, st)
        return
    _replace(os.path.realpath(path), data, st)


def _write_to_descriptor(fd: int, data: str | bytes) -> None:
    # Through a duplicate, so closing it leaves the stream open; whatever
    # Python still holds for that stream goes first, keeping the order the
    # user sees (a text report on stdout, then this one).
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.fileno() == fd:
                stream.flush()
        except (AttributeError, ValueError, OSError):
            pass  # no real descriptor behind it (a test's capture), or already broken
    with os.fdopen(os.dup(fd), "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def _write_in_place(path: str, data: str | bytes, st: os.stat_result | None) -> None:
    # A regular file behind another process's stream name is what a shell
    # redirection opened: append, as writing to that descriptor would, rather
    # than truncate.  O_TRUNC means nothing to a pipe or a device; no chmod
    # either way, the node's mode is not ours to change.
    flags = os.O_WRONLY | (os.O_APPEND if st is not None and stat.S_ISREG(st.st_mode) else 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def _replace(target: str, data: str | bytes, st: os.stat_result | None) -> None:
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".steadygo-", dir=directory)
    try:
        # mkstemp creates 0600; a report or baseline is for sharing, so give it
        # the mode a plain open() would, or keep the mode of the file replaced.
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def walk_files(root: str, skip_dir=lambda name: False):
    """Yield (directory, sorted file names) under root, depth-first with an
    explicit stack (no recursion limit on deep trees), never following
    directory symlinks (no loops).  ``skip_dir(name)`` prunes directories."""
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        files, subdirs = [], []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not skip_dir(entry.name):
                        subdirs.append(entry.path)
                elif entry.is_file():
                    files.append(entry.name)
            except OSError:
                continue
        yield directory, files
        stack.extend(reversed(subdirs))
