"""The ``require`` and ``replace`` directives of a go.mod file, with their
lines: what the module graph needs beyond ``golang.module.ModuleInfo``.

The grammar is golang.org/x/mod/modfile's: a directive on one line or in a
``( ... )`` block, tokens that may be "quoted" or `raw`, ``//`` comments to
the end of the line.  Only these two directives are read; the rest of the
file is left to the shared reader."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//|=>|[()]|(?:(?!//|=>)[^\s()"`])+')


@dataclass(frozen=True)
class Require:
    path: str
    version: str
    line: int
    indirect: bool


@dataclass(frozen=True)
class Replace:
    old: str
    old_version: str | None  # None: every version of ``old``
    new: str  # a module path, or a directory (see ``local``)
    new_version: str | None
    line: int

    @property
    def local(self) -> bool:
        return is_directory_path(self.new)


def is_directory_path(path: str) -> bool:
    """modfile.IsDirectoryPath: a replacement that names a directory, in any
    OS's spelling, since go.mod files move between systems."""
    return (path in (".", "..") or path.startswith(("./", "../", "/", ".\\", "..\\", "\\"))
            or (len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":"))


def unquote(tok: str) -> str:
    """A go.mod token's value: quotes removed, escapes read."""
    if tok.startswith("`"):
        return tok[1:-1]
    if tok.startswith('"'):
        # Go string escapes in a module path are rare; \" and \\ are what matter.
        return re.sub(r"\\(.)", r"\1", tok[1:-1])
    return tok


def _tokens(line: str) -> tuple[list[str], str]:
    """Tokens of one line and its comment text."""
    toks: list[str] = []
    for m in _TOKEN.finditer(line):
        if m.group() == "//":
            return toks, line[m.end():]
        toks.append(m.group())
    return toks, ""


def read_directives(text: str) -> tuple[list[Require], list[Replace]]:
    requires: list[Require] = []
    replaces: list[Replace] = []
    block: str | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        toks, comment = _tokens(raw)
        if not toks:
            continue
        if block is not None:
            if toks == [")"]:
                block = None
                continue
            verb, args = block, toks
        else:
            verb, args = toks[0], toks[1:]
            if args == ["("]:
                block = verb
                continue
        if verb == "require" and len(args) >= 2:
            requires.append(Require(unquote(args[0]), unquote(args[1]), n,
                                    comment.strip().split(";")[0].strip() == "indirect"))
        elif verb == "replace" and "=>" in args:
            i = args.index("=>")
            old, new = args[:i], args[i + 1:]
            if 1 <= len(old) <= 2 and 1 <= len(new) <= 2:
                replaces.append(Replace(unquote(old[0]), unquote(old[1]) if len(old) == 2 else None,
                                        unquote(new[0]), unquote(new[1]) if len(new) == 2 else None, n))
    return requires, replaces


def replacement_for(req: Require, replaces: list[Replace]) -> Replace | None:
    """The replace that applies to ``req``: one naming its version wins over
    one for every version, as in the go command."""
    exact = next((r for r in replaces if r.old == req.path and r.old_version == req.version), None)
    return exact or next((r for r in replaces if r.old == req.path and r.old_version is None), None)
