"""The Go module a file belongs to: its path and its ``go`` directive."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

_GO_DIRECTIVE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)(?:\.(\d+))?\s*(?://.*)?$", re.M)
_MODULE = re.compile(rb"^\s*module\s+(\S+)", re.M)


@dataclass(frozen=True)
class ModuleInfo:
    root: str  # directory holding go.mod, '' when there is none
    path: str  # module path
    go_version: tuple[int, int] | None  # (1, 22)

    def go_at_least(self, major: int, minor: int) -> bool | None:
        """None when the version is unknown (no go.mod or no directive)."""
        if self.go_version is None:
            return None
        return self.go_version >= (major, minor)


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
    )


def parse_version(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(?:go)?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if not m:
        raise ValueError(f"not a Go version: {text!r}")
    return int(m.group(1)), int(m.group(2))
