"""Small filesystem helpers shared by every command that writes output."""

from __future__ import annotations

import os
import re
import stat
import tempfile


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Names that stand for an already-open stream: writing there means writing
# to that stream, whatever it is (a pipe, a terminal, a redirected file).
_STREAM_NAME = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/(?:self|thread-self|\d+)/fd/\d+")
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


def write_atomic(path: str, data: str | bytes) -> None:
    """Write a report or baseline so a crash or a full disk never leaves a
    half-written one: a temp file in the same directory, renamed over the
    target.  Only a regular file (or a name still free) is replaced that way:
    a symlink is resolved and its target replaced, so the link stays; a FIFO,
    a device or a stream name (/dev/stdout, /proc/self/fd/1) is written in
    place, since replacing it would swap a pipe or terminal for a file."""
    chain = _link_chain(path)
    try:
        st = os.stat(path)
    except OSError:
        st = None  # a free name, or a link to one: create it
    if any(_STREAM_NAME.fullmatch(p) for p in chain) or (st is not None and not stat.S_ISREG(st.st_mode)):
        _write_in_place(path, data, st)
        return
    _replace(os.path.realpath(path), data, st)


def _write_in_place(path: str, data: str | bytes, st: os.stat_result | None) -> None:
    # A regular file behind a stream name is what a shell redirection opened:
    # append, as writing to that descriptor would, rather than truncate what
    # the other output already wrote there.  O_TRUNC means nothing to a pipe
    # or a device; no chmod either way, the node's mode is not ours to change.
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
