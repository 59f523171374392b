"""The one go.mod parser: every directive steadygo reads, with its line.

Follows the grammar of golang.org/x/mod/modfile closely enough for auditing:
whitespace-separated tokens, ``//`` comments, double- or back-quoted strings,
``verb ( ... )`` blocks.  It never fails: a line it cannot make sense of is
skipped (``go build`` would report it; an audit should go on), so callers get
whatever the file does say.  ``golang.module`` builds ``ModuleInfo`` from it,
the build layer its ``GoModFacts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# golang.org/x/mod/module.IsPseudoVersion: the three forms
#   vX.0.0-yyyymmddhhmmss-abcdefabcdef        (no earlier tag)
#   vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef  (after a pre-release tag)
#   vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef  (after a release tag)
# each optionally followed by +incompatible (or other build metadata).
_PSEUDO = re.compile(r"^v\d+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
# At most 9 digits a part: no Go version is longer, and int() refuses a
# number of 4,300 digits and more (a go.mod shaped to crash the scan).
_GO_VERSION = re.compile(r"^(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?((?:rc|beta)\d{1,9})?$")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|=>|\S+')


def is_pseudo_version(version: str) -> bool:
    return bool(_PSEUDO.match(version))


def go_release(text: str) -> tuple[int, int, int] | None:
    """(1, 22, 0) for '1.22', '1.22.3' -> (1, 22, 3), 'go1.21rc1' -> (1, 21, 0);
    None when it is not a Go version."""
    m = _GO_VERSION.match(text[2:] if text.startswith("go") else text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def is_local_path(path: str) -> bool:
    """A replacement that is a directory, not a module path (modfile.IsDirectoryPath)."""
    return (path in (".", "..") or path.startswith(("./", "../", "/", ".\\", "..\\"))
            or bool(re.match(r"^[A-Za-z]:[\\/]", path)))


@dataclass(frozen=True)
class Requirement:
    path: str
    version: str
    line: int
    indirect: bool

    @property
    def pseudo(self) -> bool:
        return is_pseudo_version(self.version)


@dataclass(frozen=True)
class Replacement:
    old_path: str
    old_version: str | None  # None: every version of old_path
    new_path: str
    new_version: str | None  # None for a local directory
    line: int

    @property
    def local(self) -> bool:
        return self.new_version is None and is_local_path(self.new_path)


@dataclass
class GoModFile:
    module: str = ""
    module_line: int = 0
    go: str | None = None  # as written: '1.22', '1.22.3'
    go_line: int | None = None
    toolchain: str | None = None  # as written: 'go1.23.4', 'default'
    toolchain_line: int | None = None
    requires: list[Requirement] = field(default_factory=list)
    replaces: list[Replacement] = field(default_factory=list)


def unquote(tok: str) -> str:
    """A go.mod token's value: quotes removed, escapes read."""
    return _unquote(tok)


def replacement_for(req: "Requirement", replaces: list["Replacement"]) -> "Replacement | None":
    """The replace that applies to ``req``: one naming its version wins over
    one for every version, as in the go command."""
    exact = next((r for r in replaces if r.old_path == req.path and r.old_version == req.version), None)
    return exact or next((r for r in replaces if r.old_path == req.path and r.old_version is None), None)


def _unquote(tok: str) -> str:
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in '"`':
        body = tok[1:-1]
        return re.sub(r"\\(.)", r"\1", body) if tok[0] == '"' else body
    return tok


def _split(line: str) -> tuple[list[str], str]:
    """Tokens of a line and its comment text (after ``//``)."""
    toks: list[str] = []
    pos = 0
    while True:
        m = _TOKEN.search(line, pos)
        if m is None:
            return toks, ""
        tok = m.group(0)
        if tok.startswith("//"):
            return toks, line[m.start() + 2:].strip()
        if "//" in tok and tok[0] not in '"`':
            # 'v1.2.3//indirect': the comment starts inside the token.
            head, _, _ = tok.partition("//")
            if head:
                toks.append(head)
            return toks, line[m.start() + len(head) + 2:].strip()
        toks.append(tok)
        pos = m.end()


def _indirect(comment: str) -> bool:
    # modfile: the comment's first word is "indirect" ("// indirect; ..." too).
    return comment == "indirect" or comment.startswith(("indirect;", "indirect ", "indirect\t"))


def parse(text: str) -> GoModFile:
    out = GoModFile()
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        toks, comment = _split(raw)
        if not toks:
            continue
        if block is not None:
            if toks == [")"]:
                block = None
                continue
            _directive(out, block, toks, comment, number)
            continue
        verb, args = toks[0], toks[1:]
        if args == ["("]:
            block = verb
            continue
        if args[:1] == ["("] and args[-1:] == [")"]:  # 'require ( x v1 )' on one line
            args = args[1:-1]
        _directive(out, verb, args, comment, number)
    return out


def _directive(out: GoModFile, verb: str, args: list[str], comment: str, line: int) -> None:
    args = [_unquote(a) if a != "=>" else a for a in args]
    if verb == "module" and len(args) == 1:
        out.module, out.module_line = args[0], line
    elif verb == "go" and len(args) == 1 and go_release(args[0]) is not None:
        out.go, out.go_line = args[0], line
    elif verb == "toolchain" and len(args) == 1:
        out.toolchain, out.toolchain_line = args[0], line
    elif verb == "require" and len(args) == 2:
        out.requires.append(Requirement(args[0], args[1], line, _indirect(comment)))
    elif verb == "replace" and "=>" in args:
        i = args.index("=>")
        old, new = args[:i], args[i + 1:]
        if len(old) in (1, 2) and len(new) in (1, 2):
            out.replaces.append(Replacement(old[0], old[1] if len(old) == 2 else None,
                                            new[0], new[1] if len(new) == 2 else None, line))
    # exclude, retract, godebug, tool, ignore: nothing steadygo judges yet.
