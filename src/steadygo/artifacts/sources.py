"""Which files are build and deploy artifacts, and reading them."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
YAML_SUFFIXES = (".yaml", ".yml")
# The patterns as one regex: kind_of runs for every file of a tree.
_DOCKERFILE_NAME = re.compile("|".join(fnmatch.translate(p) for p in DOCKERFILE_PATTERNS))
GO_MOD = "go.mod"  # its go.sum is read with it (artifacts.gomod_facts)
MAX_BYTES = 8 * 1024 * 1024
BUILD_FILE_MAX_BYTES = 1024 * 1024  # a build file bigger than this is generated, or no build file


@dataclass
class ArtifactInput:
    """A file's text handed over directly: stdin (``--k8s -``) or tests."""

    path: str  # display name: '<stdin>' or a path
    text: str
    kind: str  # dockerfile | yaml | gomod | build


def kind_of(path: str) -> str | None:
    """'gomod', 'dockerfile', 'build' (a file that may build images:
    ``build_file_kind``), 'yaml' or None; ``path`` may be a bare name."""
    name = os.path.basename(path)
    if name == GO_MOD:
        return "gomod"  # read only when a rule needs the module graph (SG719)
    if _DOCKERFILE_NAME.match(name):
        return "dockerfile"
    if build_file_kind(path) is not None:
        return "build"
    if name.lower().endswith(YAML_SUFFIXES):
        return "yaml"
    return None


MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})
SCRIPT_DIRS = frozenset({"scripts", "build", "hack"})
_YAML_BUILD_KINDS = {".gitlab-ci.yml": "gitlab", "skaffold.yaml": "skaffold", "skaffold.yml": "skaffold",
                     ".goreleaser.yml": "goreleaser", ".goreleaser.yaml": "goreleaser"}
_ROOT_MARKERS = ("go.mod", ".git", "Makefile")


def build_file_kind(path: str) -> str | None:
    """'make', 'shell', 'github', 'gitlab', 'skaffold', 'goreleaser' or None
    (``artifacts.build_files`` reads them).  A shell script counts at a
    project root (a go.mod, .git or Makefile beside it) or in scripts/, build/
    or hack/; given as a bare name, always."""
    name = os.path.basename(path)
    if name in MAKEFILE_NAMES or name.endswith(".mk"):
        return "make"
    kind = _YAML_BUILD_KINDS.get(name)
    if kind is not None:
        return kind
    directory = os.path.dirname(path)
    if name.endswith(YAML_SUFFIXES) and os.path.basename(directory) == "workflows" \
            and os.path.basename(os.path.dirname(directory)) == ".github":
        return "github"
    if name.endswith(".sh"):
        if not directory or os.path.basename(directory) in SCRIPT_DIRS:
            return "shell"
        if any(os.path.exists(os.path.join(directory, m)) for m in _ROOT_MARKERS):
            return "shell"
    return None


def workflow_files(github_dir: str) -> list[str]:
    """``.github/workflows/*.y*ml``: the one dot-folder a walk reads (CI
    files say which Dockerfile builds which image)."""
    folder = os.path.join(github_dir, "workflows")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names
            if n.endswith(YAML_SUFFIXES) and os.path.isfile(os.path.join(folder, n))]


class UnreadableArtifact(Exception):
    """Message names no path; the caller adds it."""


def read_artifact(path: str, max_bytes: int = MAX_BYTES) -> str:
    try:
        with open(path, "rb") as fh:
            # read(max_bytes + 1) alone allocates max_bytes (8 MiB) for every
            # small file: the size the file claims bounds the first read, and
            # one that grew since (or a pipe, size 0) is read on to the limit.
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(min(size, max_bytes) + 1)
            if len(data) > size:
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise UnreadableArtifact(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise UnreadableArtifact(f"larger than {max_bytes // (1024 * 1024)} MiB, not read")
    if b"\x00" in data:
        raise UnreadableArtifact("binary file, not read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableArtifact("not UTF-8 text, not read") from None


STDIN_NAME = "<stdin>"
MAX_INPUT_FILES = 20_000


def explicit_inputs(k8s: list[str], dockerfiles: list[str], stdin=None) -> list:
    """``--k8s FILE|DIR|-`` and ``--dockerfile FILE`` as artifact inputs: a
    file as given (whatever its name: ``helm template`` output may be saved as
    ``rendered.txt``), a directory's YAML files in order, ``-`` the YAML on
    stdin (read once, bounded).  A path that does not exist is a usage error."""
    import sys

    from steadygo.errors import UserError

    out: list = []
    for item in k8s:
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin
            data = stream.buffer.read(MAX_BYTES + 1) if hasattr(stream, "buffer") else stream.read(MAX_BYTES + 1)
            if isinstance(data, bytes):
                if len(data) > MAX_BYTES:
                    raise UserError(f"--k8s -: more than {MAX_BYTES // (1024 * 1024)} MiB on stdin")
                try:
                    data = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise UserError("--k8s -: stdin is not UTF-8 text") from None
            out.append(ArtifactInput(STDIN_NAME, data, "yaml"))
        elif os.path.isdir(item):
            found = []
            for root, dirs, files in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(YAML_SUFFIXES)]
                if len(found) > MAX_INPUT_FILES:
                    raise UserError(f"--k8s {item}: more than {MAX_INPUT_FILES} YAML files")
            out += [ExplicitFile(p, "yaml") for p in found]
        elif os.path.isfile(item):
            out.append(ExplicitFile(item, "yaml"))
        else:
            raise UserError(f"--k8s {item}: no such file or directory")
    for item in dockerfiles:
        if not os.path.isfile(item):
            raise UserError(f"--dockerfile {item}: no such file")
        out.append(ExplicitFile(item, "dockerfile"))
    return out


@dataclass(frozen=True)
class ExplicitFile:
    """A file named on the command line: its kind is what the option says,
    not what its name suggests."""

    path: str
    kind: str  # dockerfile | yaml
