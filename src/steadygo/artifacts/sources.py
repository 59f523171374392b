"""Which files are build and deploy artifacts, and reading them."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
YAML_SUFFIXES = (".yaml", ".yml")
GO_MOD = "go.mod"  # its go.sum is read with it (artifacts.gomod_facts)
MAX_BYTES = 8 * 1024 * 1024


@dataclass
class ArtifactInput:
    """A file's text handed over directly: stdin (``--k8s -``) or tests."""

    path: str  # display name: '<stdin>' or a path
    text: str
    kind: str  # dockerfile | yaml | gomod


def kind_of(path: str) -> str | None:
    name = os.path.basename(path)
    if name == "go.mod":
        return "gomod"  # read only when a rule needs the module graph (SG719)
    if any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS):
        return "dockerfile"
    if name.lower().endswith(YAML_SUFFIXES):
        return "yaml"
    if name == GO_MOD:
        return "gomod"
    return None


class UnreadableArtifact(Exception):
    """Message names no path; the caller adds it."""


def read_artifact(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableArtifact(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UnreadableArtifact(f"larger than {MAX_BYTES // (1024 * 1024)} MiB, not read")
    if b"\x00" in data:
        raise UnreadableArtifact("binary file, not read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableArtifact("not UTF-8 text, not read") from None
