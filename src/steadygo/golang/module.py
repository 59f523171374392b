"""The Go module a file belongs to: its path, its ``go`` directive and its
direct requirements, read from ``go.mod``; and the repository it sits in."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field, replace

# At most 9 digits a part: no Go version is longer, and int() refuses a
# number of 4,300 digits and more (a go.mod shaped to crash the scan).
_GO_DIRECTIVE = re.compile(rb"^\s*go\s+(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?\s*(?://.*)?$", re.M)
_MODULE = re.compile(rb"^\s*module\s+(\S+)", re.M)
# direct requirements only: "// indirect" ones are not imported by the module itself
_REQUIRE = re.compile(rb"^\s*(?:require\s+)?([a-zA-Z0-9.\-]+\.[a-z]{2,}/[^\s]+)\s+v[^\s]+[ \t]*(?:$|//(?![ \t]*indirect))", re.M)


@dataclass(frozen=True)
class ModuleInfo:
    root: str  # directory holding go.mod, '' when there is none
    path: str  # module path
    go_version: tuple[int, int] | None  # (1, 22)
    # Third-party modules go.mod requires directly: where logging and client
    # libraries show up without reading any source.
    requires: frozenset[str] = field(default=frozenset(), compare=False)
    # Hash of go.mod's bytes: part of every cache key of the module's packages,
    # since rules read the requirements.
    digest: str = field(default="", compare=False)

    def go_at_least(self, major: int, minor: int) -> bool | None:
        """None when the version is unknown (no go.mod or no directive)."""
        if self.go_version is None:
            return None
        return self.go_version >= (major, minor)

    def with_go(self, version: tuple[int, int] | None) -> "ModuleInfo":
        return self if version is None else replace(self, go_version=version)


NO_MODULE = ModuleInfo("", "", None)


@functools.lru_cache(maxsize=4096)
def module_for_dir(directory: str) -> ModuleInfo:
    d = os.path.abspath(directory)
    while True:
        gomod = os.path.join(d, "go.mod")
        if os.path.isfile(gomod):
            return read_go_mod(gomod)
        parent = os.path.dirname(d)
        if parent == d:
            return NO_MODULE
        d = parent


def read_go_mod(gomod: str) -> ModuleInfo:
    try:
        with open(gomod, "rb") as fh:
            data = fh.read(1 << 20)
    except OSError:
        return ModuleInfo(os.path.dirname(gomod), "", None)
    m = _MODULE.search(data)
    g = _GO_DIRECTIVE.search(data)
    version = (int(g.group(1)), int(g.group(2))) if g else None
    return ModuleInfo(
        os.path.dirname(gomod),
        m.group(1).decode("utf-8", "replace") if m else "",
        version,
        frozenset(r.decode("utf-8", "replace") for r in _REQUIRE.findall(data)),
        hashlib.sha256(data).hexdigest()[:16],
    )


@functools.lru_cache(maxsize=4096)
def repository_root(directory: str) -> str:
    """The directory path heuristics (example, test-support, command folders)
    are judged from: the nearest directory holding ``.git``, else the
    outermost ``go.mod`` above, else '' (no root: judge the path as given).
    Judging inside the repository, not the scan, gives the same verdict
    whatever directory a scan starts from, and keeps a nested module under
    ``examples/`` an example."""
    d = os.path.abspath(directory)
    outermost_mod = ""
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        if os.path.isfile(os.path.join(d, "go.mod")):
            outermost_mod = d
        parent = os.path.dirname(d)
        if parent == d:
            return outermost_mod
        d = parent


def parse_version(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(?:go)?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if not m:
        raise ValueError(f"not a Go version: {text!r}")
    return int(m.group(1)), int(m.group(2))
