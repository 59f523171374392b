"""Find the Go files to analyse, grouped by package directory.

Problems with inputs (missing paths, unreadable files, symlink loops) become
``Diagnostic`` lines; the walk always goes on.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass

from steadygo.config import Config
from steadygo.textsafe import escape_control

SKIP_DIRS = frozenset({"vendor", "testdata", ".git", "node_modules", ".hg", ".svn"})


@dataclass(frozen=True)
class Diagnostic:
    path: str
    message: str
    level: str = "warning"  # 'warning': input skipped; 'error': a path given by the user is unusable

    def __post_init__(self):
        # A path straight from the command line or the walk may hold bytes
        # that are not UTF-8; no report could encode it.
        object.__setattr__(self, "path", printable_name(self.path))

    def line(self) -> str:
        """The one line commands print to stderr: control characters in a
        file name must not reach the terminal."""
        return escape_control(f"{self.path}: {self.message}")


def printable_name(name: str) -> str:
    """A file name that every report can encode.  Python decodes bytes that
    are not UTF-8 in a file name to lone surrogates (PEP 383), which no UTF-8
    writer accepts; they are shown as ``\\xff`` escapes instead."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no byte decodes to (from a JSON "\ud800" escape)
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _has_undecodable(name: str) -> bool:
    return not name.isascii() and printable_name(name) != name


_NOT_UTF8 = "file name is not valid UTF-8; reported with \\x escapes in its place"


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


@functools.lru_cache(maxsize=16)
def _plain_prefix(base: str) -> str | None:
    """``base`` + separator when base is absolute and normalised, so paths
    under it can be made relative by slicing (relpath costs ~20 us a call)."""
    if os.path.isabs(base) and os.path.normpath(base) == base:
        return base if base.endswith(os.sep) else base + os.sep
    return None


def display_path(path: str, base: str) -> str:
    """The path findings and diagnostics show: relative to ``base`` when
    under it, '/'-separated, and always encodable (see ``printable_name``)."""
    return printable_name(_relative_path(path, base))


def _relative_path(path: str, base: str) -> str:
    prefix = _plain_prefix(base)
    if prefix is not None and path.startswith(prefix):
        rest = path[len(prefix):]
        if rest and os.sep + "." not in rest and not rest.startswith(".") and os.sep * 2 not in rest:
            return rest.replace(os.sep, "/")
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    if rel.startswith(".." + os.sep) or rel == "..":
        return path
    return rel.replace(os.sep, "/")


def discover(paths: list[str], config: Config, base: str,
             artifacts: list[str] | None = None) -> tuple[dict[str, list[str]], list[Diagnostic]]:
    """Returns {package dir: [file paths]} and the diagnostics of the walk.
    With ``artifacts`` (a list to fill), Dockerfiles, YAML files and go.mod
    files met on the same walk are collected too (which YAML is Kubernetes is
    decided when it is read; a go.mod's go.sum is read with it); excludes and
    the special-file checks apply to them alike."""
    from steadygo.artifacts.sources import kind_of, workflow_files

    packages: dict[str, list[str]] = {}
    diags: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()

    exclude_base = config.root if config.path else base

    def want_file(path: str) -> bool:
        name = os.path.basename(path)
        if not name.endswith(".go"):
            return False
        if name.endswith("_test.go") and not config.include_tests:
            return False
        return not (config.exclude and config.is_excluded(_relative_path(path, exclude_base)))

    def add(path: str, is_link: bool = True) -> None:
        # Directories are already de-duplicated by inode, so only a file that is
        # itself a symlink (or named twice on the command line) can repeat;
        # realpath is costly, so take it only then.
        key = os.path.realpath(path) if is_link else os.path.abspath(path)
        if key in seen_files:
            return
        seen_files.add(key)
        if _has_undecodable(path):
            diags.append(Diagnostic(display_path(path, base), _NOT_UTF8))
        packages.setdefault(os.path.dirname(os.path.abspath(path)), []).append(path)

    for top in paths:
        if not os.path.lexists(top):
            diags.append(Diagnostic(top, "no such file or directory", "error"))
            continue
        if os.path.isfile(top):
            if top.endswith(".go"):
                add(top)
            elif artifacts is not None and kind_of(top) is not None:
                artifacts.append(top)
            else:
                diags.append(Diagnostic(top, "not a Go file or directory", "error"))
            continue
        if not os.path.isdir(top):
            try:
                what = _special_kind(os.stat(top).st_mode)
            except OSError:
                what = "a broken symlink"
            # Reading a FIFO blocks until someone writes to it: never open one.
            diags.append(Diagnostic(top, f"{what}, not a Go file or directory", "error"))
            continue
        stack = [top]
        while stack:
            d = stack.pop()
            try:
                st = os.stat(d)
            except OSError as exc:
                diags.append(Diagnostic(display_path(d, base), f"cannot read directory: {exc.strerror}"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                # A link back to one of its own ancestors is a loop worth saying;
                # a second name for a directory already scanned loses nothing.
                if os.path.islink(d):
                    target = os.path.realpath(d)
                    parent = os.path.realpath(os.path.dirname(d))
                    if parent == target or parent.startswith(target + os.sep):
                        diags.append(Diagnostic(display_path(d, base), "symlink loop; skipped"))
                continue
            seen_dirs.add(key)
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError as exc:
                diags.append(Diagnostic(display_path(d, base), f"cannot read directory: {exc.strerror}"))
                continue
            subdirs = []
            for e in entries:
                try:
                    is_dir = e.is_dir()  # follows symlinks
                except OSError:
                    is_dir = False
                if is_dir:
                    if e.name == ".github" and artifacts is not None:
                        # CI workflows say which Dockerfile builds which image
                        artifacts.extend(p for p in workflow_files(e.path) if not (
                            config.exclude and config.is_excluded(_relative_path(p, exclude_base))))
                        continue
                    if e.name in SKIP_DIRS or e.name.startswith((".", "_")):
                        continue
                    if config.exclude and config.is_excluded(_relative_path(e.path, exclude_base)):
                        continue
                    subdirs.append((e.is_symlink(), e.path))
                elif artifacts is not None and not e.name.endswith(".go") and kind_of(e.path) is not None:
                    try:
                        regular = e.is_file()
                    except OSError:
                        regular = False
                    if regular and not (config.exclude and config.is_excluded(_relative_path(e.path, exclude_base))):
                        artifacts.append(e.path)
                elif e.name.endswith(".go"):
                    link = e.is_symlink()
                    if link and not os.path.exists(e.path):
                        diags.append(Diagnostic(display_path(e.path, base), "broken symlink; skipped"))
                        continue
                    if not want_file(e.path):
                        continue
                    try:
                        regular = e.is_file()  # follows symlinks; False for FIFOs, sockets, devices
                        mode = 0 if regular else os.stat(e.path).st_mode
                    except OSError as exc:
                        diags.append(Diagnostic(display_path(e.path, base), f"cannot read: {exc.strerror}; skipped"))
                        continue
                    if not regular:
                        # Opening a FIFO for reading blocks until a writer comes:
                        # the scan would hang for ever.
                        diags.append(Diagnostic(display_path(e.path, base), f"{_special_kind(mode)}, not a regular file; skipped"))
                        continue
                    add(e.path, link)
            # Real directories before symlinks to them, so findings carry the
            # real path whatever the names sort as.
            stack.extend(p for _, p in sorted(subdirs, reverse=True))
    return packages, diags
