"""``docker build`` (and ``docker buildx build``, ``podman build``,
``buildah bud``) commands found in shell text, with their ``-t``, ``-f`` and
context, after the variables the text defines are substituted.

Substitution is textual and conservative: a variable is known only when the
file gives it one value (``IMG ?= ghcr.io/acme/api`` in a Makefile,
``IMAGE=ghcr.io/acme/api`` in a script); anything else (``$(shell ...)``,
``$(git describe)``, a variable set twice to different values, one from the
environment) becomes ``UNKNOWN``, and a name or path that holds it is not
used.  An unknown tag (``api:$(VERSION)``) still leaves the repository.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

UNKNOWN = "\x00"  # stands for text no variable resolves
_DOLLAR = "\x01"  # a literal '$' ('$$' in Make) while Make references are expanded

# (program, words after it) -> name shown in facts
_TOOLS = {
    ("docker", ("build",)): "docker build",
    ("docker", ("buildx", "build")): "docker buildx build",
    ("docker", ("image", "build")): "docker build",
    ("podman", ("build",)): "podman build",
    ("podman", ("buildx", "build")): "podman build",
    ("buildah", ("bud",)): "buildah bud",
    ("buildah", ("build",)): "buildah bud",
}
# Long options of docker/buildx/podman/buildah build that take a value as the
# next word; any other option is taken as a flag (its would-be value is then a
# positional, and the context is the last positional).
_VALUE_OPTIONS = frozenset("""
--add-host --allow --annotation --attest --build-arg --build-context --builder --cache-from --cache-to --call
--cgroup-parent --iidfile --label --metadata-file --network --no-cache-filter --output --platform --progress
--provenance --sbom --secret --shm-size --ssh --target --ulimit --cpu-period --cpu-quota --cpu-shares
--cpuset-cpus --cpuset-mems --isolation --memory --memory-swap --security-opt --authfile --cert-dir --creds
--format --jobs --sign-by --arch --os --variant --userns --volume --env --from --decryption-key --logfile
--timestamp --manifest --runtime --signature-policy --retry --retry-delay --layer-label --cap-add --cap-drop
--device --dns --dns-option --dns-search --hooks-dir --ipc --pid --uts --unsetenv --unsetlabel
""".split())
_SHORT_VALUE = frozenset("mcov")  # -m 1g, -c 512, -o type=..., -v a:b
_PREFIXES = frozenset({"sudo", "exec", "time", "command", "env", "nice", "nohup"})
_ASSIGNMENT_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class BuildCommand:
    tool: str
    tags: list[str]
    file: str | None  # -f as written (resolved)
    context: str | None
    cwd: str | None  # absolute directory the command runs in, None when a `cd` made it unknown


def _commands(text: str) -> list[list[str]] | None:
    """The simple commands of one shell line, as words."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # an unbalanced quote: not a line we can read
        return None
    out, current = [], []
    for w in words:
        if w and set(w) <= set(";&|"):
            if current:
                out.append(current)
            current = []
        else:
            current.append(w)
    if current:
        out.append(current)
    return out


def builds_in_line(text: str, cwd: str | None) -> tuple[list[BuildCommand], str | None]:
    """Build commands of one shell line run in ``cwd``, and the directory it
    leaves the shell in (``cd`` on the line)."""
    found = []
    for words in _commands(text) or ():
        words = _strip_prefixes(words)
        if not words:
            continue
        program = os.path.basename(words[0])
        if program in ("cd", "pushd"):
            target = words[1] if len(words) == 2 else None
            cwd = os.path.normpath(os.path.join(cwd, target)) if cwd and target and UNKNOWN not in target \
                and not target.startswith("~") and target != "-" else None
            continue
        for (prog, sub), tool in _TOOLS.items():
            if program == prog and tuple(words[1:1 + len(sub)]) == sub:
                cmd = _build_args(words[1 + len(sub):], tool, cwd)
                if cmd is not None:
                    found.append(cmd)
                break
    return found, cwd


def _strip_prefixes(words: list[str]) -> list[str]:
    """``DOCKER_BUILDKIT=1 sudo -E docker build`` -> ``docker build``."""
    while words:
        if _ASSIGNMENT_WORD.match(words[0]):
            words = words[1:]
        elif os.path.basename(words[0]) in _PREFIXES:
            words = words[1:]
            while words and words[0].startswith("-"):
                words = words[1:]
        else:
            break
    return words


def _build_args(args: list[str], tool: str, cwd: str | None) -> BuildCommand | None:
    tags, file, positionals = [], None, []
    i = 0
    while i < len(args):
        a = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if a.startswith((">", "<", "2>", "1>", "&>")):
            break  # a redirection: the command's words are over
        if a == "--":
            positionals += args[i + 1:]
            break
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            if name in ("--tag", "--file"):
                if not eq:
                    value, i = nxt, i + 1
                if value is not None and name == "--tag":
                    tags.append(value)
                elif value is not None:
                    file = value
            elif not eq and name in _VALUE_OPTIONS:
                i += 1
        elif a.startswith("-") and len(a) > 1:
            flag, value = a[1], a[2:]
            if flag in "tf":
                value = value[1:] if value.startswith("=") else value  # -t=name, as pflag reads it
                if not value:
                    value, i = nxt, i + 1
                if value is not None and flag == "t":
                    tags.append(value)
                elif value is not None:
                    file = value
            elif flag in _SHORT_VALUE and not value:
                i += 1
        else:
            positionals.append(a)
        i += 1
    return BuildCommand(tool, tags, file, positionals[-1] if positionals else None, cwd)


def repository_of(image: str) -> str | None:
    """``ghcr.io/acme/api:1.2@sha256:..`` -> ``ghcr.io/acme/api``; None when
    the repository part is not known."""
    ref = image.split("@", 1)[0].strip()
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref = ref[:colon]
    if not ref or UNKNOWN in ref or any(ch.isspace() for ch in ref):
        return None
    return ref


def dockerfile_candidates(cmd: BuildCommand, bases: list[str]) -> list[str]:
    """Absolute paths the command's Dockerfile may be at, most likely first:
    ``-f`` is relative to where the command runs (``bases``: the known working
    directory, else the build file's guesses), the default file sits in the
    context."""
    if cmd.cwd:
        bases = [cmd.cwd]
    context = cmd.context
    if context is not None and (context == "-" or "://" in context or context.startswith("git@")):
        return []  # the context is stdin or a remote repository
    out = []
    if cmd.file is not None:
        if cmd.file == "-" or "://" in cmd.file:
            return []
        for b in bases:
            out.append(os.path.join(b, cmd.file))
        if context is not None and not os.path.isabs(cmd.file):
            out += [os.path.join(b, context, cmd.file) for b in bases]
    elif context is not None:
        names = ("Dockerfile",) if cmd.tool.startswith("docker") else ("Containerfile", "Dockerfile")
        out += [os.path.join(b, context, n) for b in bases for n in names]
    seen, result = set(), []
    for p in out:
        p = os.path.normpath(p)
        if UNKNOWN not in p and p not in seen:
            seen.add(p)
            result.append(p)
    return result


# --------------------------------------------------------------------------
# Variables


_SH_COMMAND_SUB = re.compile(r"\$\([^()]*\)|`[^`]*`")
_SH_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^{}$]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|\{[^{}]*\}|.)")


def shell_expand(text: str, variables: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}``, ``${NAME:-default}`` replaced from
    ``variables``; command substitutions and anything else unknown."""
    for _ in range(10):  # $(...) nested: innermost first
        new = _SH_COMMAND_SUB.sub(UNKNOWN, text)
        if new == text:
            break
        text = new

    def one(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        if name is None:
            return UNKNOWN
        value = variables.get(name)
        if value is None and m.group(2) is not None:
            return m.group(3)  # ${NAME:-default} with NAME unset
        if value is not None and value == "" and m.group(2) and m.group(2).startswith(":"):
            return m.group(3)
        return UNKNOWN if value is None else value
    return _SH_REF.sub(one, text)


_MAKE_REF = re.compile(r"\$(?:\(([^()$]*)\)|\{([^{}$]*)\}|(.))")


def make_expand(text: str, variables: dict[str, str]) -> str:
    """Make references (``$(IMG)``, ``${IMG}``, ``$X``) expanded from
    ``variables`` (recursively); functions and automatic variables are
    unknown; ``$$`` is the shell's ``$``."""
    text = text.replace("$$", _DOLLAR)

    def one(m: re.Match) -> str:
        name = m.group(1) if m.group(1) is not None else m.group(2)
        if name is None:
            name = m.group(3)
        value = variables.get(name.strip()) if name and not any(c in name for c in " ,\t") else None
        return UNKNOWN if value is None else value.replace("$$", _DOLLAR)
    for _ in range(10):
        new = _MAKE_REF.sub(one, text)
        if new == text:
            break
        text = new
    return text.replace(_DOLLAR, "$")


class Variables:
    """Values given to each name; a name given two different values is unknown."""

    def __init__(self):
        self._values: dict[str, str | None] = {}

    def assign(self, name: str, value: str) -> None:
        if name in self._values and self._values[name] != value:
            self._values[name] = None
        else:
            self._values[name] = value

    def forget(self, name: str) -> None:
        self._values[name] = None

    def known(self) -> dict[str, str]:
        return {k: v for k, v in self._values.items() if v is not None}
