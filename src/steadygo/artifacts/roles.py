"""What a Dockerfile or manifest is for: ``service`` (what ships), ``example``
(docs, samples, demos) or ``test-support`` (tests, CI, local development,
build-toolchain images).

Judged from the file's path as shown (relative to the scan's base), the way
``golang.roles`` judges a package from its folders.  Measured on 40 Go
repositories (benchmarks/PRECISION-SG7-SG8.md): nine in ten build and deploy
findings sat in such files (kyverno's conformance pods, istio's samples,
mimir's rendered test charts, ``Dockerfile.dev``, ``loki-build-image``), where
"runs as root" or "no liveness probe" is no production risk.
"""

from __future__ import annotations

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
