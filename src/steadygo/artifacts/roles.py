"""What a Dockerfile or manifest is for: ``service`` (what ships), ``example``
(docs, samples, demos) or ``test-support`` (tests, CI, local development,
build-toolchain images).

Judged from the file's path inside its project (``project_path``), the way
``golang.roles`` judges a package from its folders inside its module and
repository, never from the directory the scan was started in: ``steadygo
check /abs/x``, ``cd x && steadygo check .`` and ``steadygo check ../x`` give
the same verdicts.  Measured on 40 Go
repositories (benchmarks/PRECISION-SG7-SG8.md): nine in ten build and deploy
findings sat in such files (kyverno's conformance pods, istio's samples,
mimir's rendered test charts, ``Dockerfile.dev``, ``loki-build-image``), where
"runs as root" or "no liveness probe" is no production risk.
"""

from __future__ import annotations

import functools
import os
import re

# Folder names (one path component).  `[\w.-]*[-_]tests?` covers mimir-tests,
# ui-test, e2e-tests; `tests?[-_][\w.-]+` test-runner, test-exporter, test_fixtures.
_TEST_DIR = re.compile(
    r"tests?|testing|e2e|e2e-[\w.-]+|[\w.-]+-e2e|integration|integration-tests?|conformance|fixtures?|testutils?|"
    r"testhelpers?|mocks?|fakes?|[\w.-]*[-_]tests?|tests?[-_][\w.-]+|ci|prow|development|dev|hack|tilt[\w.-]*|"
    r"[\w.-]*build-images?|build\.assets|tooling|devcontainer|crossdock")
_EXAMPLE_DIR = re.compile(
    r"examples?|_examples?|samples?|demos?|docs?|documentation|snippets|tutorials?|getting-started|quickstarts?|"
    r"design|site")
# Words of a file name (split on . _ -): Dockerfile.dev, tilt.debug.dockerfile,
# .gitpod.Dockerfile, Dockerfile.e2e-tests, install-latest-testing.yaml.
_TEST_WORDS = frozenset({"test", "tests", "testing", "e2e", "dev", "debug", "ci", "cicd", "tilt", "gitpod",
                         "devcontainer"})
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "demo"})


def artifact_role(path: str) -> str:
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return "service"
    *dirs, name = parts
    if path.startswith("/"):
        # outside the scan's base (--k8s /elsewhere/x.yaml): the folders above
        # the file's own are the machine's, not the project's
        dirs = dirs[-1:]
    words = set(re.split(r"[._-]+", name.lower()))
    if any(_TEST_DIR.fullmatch(d.lower()) for d in dirs) or words & _TEST_WORDS:
        return "test-support"
    if any(_EXAMPLE_DIR.fullmatch(d.lower()) for d in dirs) or words & _EXAMPLE_WORDS:
        return "example"
    return "service"


def role_in_project(path: str, base: str, roots: tuple[str, ...] = ()) -> str:
    """The role of the artifact shown as ``path`` (relative to ``base``, or
    absolute), judged inside its project (``project_path``); a path that is
    no file on disk (stdin, text handed in by a caller) is judged as given."""
    full = path if os.path.isabs(path) else os.path.normpath(os.path.join(base, path))
    if not os.path.isfile(full):
        return artifact_role(path)
    inside, module_in_repo = project_path(full, tuple(os.path.abspath(r) for r in roots) or (os.path.abspath(base),))
    role = artifact_role(inside)
    if role == "service" and module_in_repo and any(
            _EXAMPLE_DIR.fullmatch(d.lower()) for d in module_in_repo.split("/")):
        return "example"  # a project kept under examples/ of its repository, as golang.roles judges modules
    return role


def project_path(full: str, roots: tuple[str, ...]) -> tuple[str, str]:
    """(the file's path inside its project, the project's folder inside its
    repository).  The project is the outermost Go module above the file,
    within its repository (the nearest ``.git``), like ``golang.roles``;
    without a go.mod above, the deepest scan root holding the file (the
    repository root would make every fixture under a ``tests/`` folder test
    support); outside every root, its repository; else only the file's own
    folder counts.  Only example folders are read from the project's place
    in its repository, as ``golang.roles`` does: tools keep fixtures of
    real services under ``tests/``."""
    d = os.path.dirname(full)
    module, repo = _module_and_repo(d)
    if module:
        rel_repo = os.path.relpath(module, repo).replace(os.sep, "/") if repo and repo != module else ""
        return _rel(full, module), rel_repo
    holding = [r for r in roots if full == r or full.startswith(r.rstrip(os.sep) + os.sep)]
    if holding:
        root = max(holding, key=len)
        inside_repo = _rel(root, repo) if repo and (root + os.sep).startswith(repo.rstrip(os.sep) + os.sep) else ""
        return _rel(full, root), "" if inside_repo == "." else inside_repo
    if repo:
        return _rel(full, repo), ""
    return "/".join([os.path.basename(d), os.path.basename(full)]), ""


def _rel(full: str, root: str) -> str:
    return os.path.relpath(full, root).replace(os.sep, "/")


@functools.lru_cache(maxsize=4096)
def _module_and_repo(directory: str) -> tuple[str, str]:
    """(outermost directory holding go.mod, up to and including the nearest
    ``.git``; the directory holding that ``.git``), '' for either not found."""
    d, outermost = directory, ""
    while True:
        if os.path.isfile(os.path.join(d, "go.mod")):
            outermost = d
        if os.path.exists(os.path.join(d, ".git")):
            return outermost, d
        parent = os.path.dirname(d)
        if parent == d:
            return outermost, ""
        d = parent
