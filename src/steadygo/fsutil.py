"""Small filesystem helpers shared by every command that writes output."""

from __future__ import annotations

import os
import tempfile


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: str, data: str | bytes) -> None:
    """Write via a temp file in the same directory and rename over the target,
    so a crash or a full disk never leaves a half-written report or baseline."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=".steadygo-", dir=directory)
    try:
        # mkstemp creates 0600; a report or baseline is for sharing, so give it
        # the mode a plain open() would (or keep the mode of the file replaced).
        try:
            target_mode = os.stat(path).st_mode & 0o777
        except OSError:
            target_mode = 0o666 & ~_umask()
        os.chmod(tmp, target_mode)
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
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
