"""Workloads tied to their Dockerfile through the repo's build files
(Makefiles, scripts, CI files, skaffold, goreleaser): artifacts.build_files
and the most specific tier of artifacts.links.

The trees in tests/fixtures/links/ have Dockerfiles whose names say nothing
about the images they build: without the build file each test also removes,
the same tree links nothing (or is ambiguous)."""

from __future__ import annotations

import os
import shutil

import pytest

from steadygo.artifacts.build_files import image_builds
from steadygo.artifacts.check import audit_artifacts
from steadygo.artifacts.sources import build_file_kind, kind_of
from steadygo.config import Config
from steadygo.discovery import discover
from steadygo.engine import collect_facts

from conftest import FIXTURES

LINKS = os.path.join(FIXTURES, "links")


def _links(tree: str):
    out: list = []
    collect_facts([tree], Config(), base=tree, artifacts=out)
    return out[0].links


def _by_workload(links) -> dict:
    return {c.workload: c for c in links.containers}


def _without(tmp_path, case: str, *names: str) -> str:
    copy = tmp_path / case
    shutil.copytree(os.path.join(LINKS, case), copy, ignore=shutil.ignore_patterns(*names))
    return str(copy)


def test_a_makefile_links_two_dockerfiles_whose_names_match_no_image(tmp_path):
    links = _by_workload(_links(os.path.join(LINKS, "makefile_two_dockerfiles")))
    api, jobs = links["Deployment/orders-api"], links["Deployment/orders-jobs"]
    assert (api.dockerfile, api.module) == ("docker/alpha.Dockerfile", "example.com/shop")
    assert api.how == "image 'orders-api' is built from docker/alpha.Dockerfile by Makefile:8 (docker build)"
    # `cd docker && ... -f beta.Dockerfile ..` on a continued line: -f is relative to where it runs
    assert jobs.dockerfile == "docker/beta.Dockerfile"
    assert jobs.how.endswith("by Makefile:9 (docker buildx build)")
    bare = _links(_without(tmp_path, "makefile_two_dockerfiles", "Makefile"))
    assert bare.containers == []
    assert any("ambiguous: 2 Dockerfiles and no image name match" in n for n in bare.notes)


def test_skaffold_artifacts_link_image_to_dockerfile_in_its_context(tmp_path):
    links = _by_workload(_links(os.path.join(LINKS, "skaffold_artifacts")))
    assert links["Deployment/orders-api"].dockerfile == "services/api/image.Dockerfile"
    assert links["Deployment/orders-jobs"].dockerfile == "services/jobs/Containerfile.prod"
    assert links["Deployment/orders-jobs"].how.endswith("by skaffold.yaml:11 (skaffold)")
    assert _links(_without(tmp_path, "skaffold_artifacts", "skaffold.yaml")).containers == []


def test_goreleaser_image_templates_pick_the_release_dockerfile(tmp_path):
    links = _by_workload(_links(os.path.join(LINKS, "goreleaser_image")))
    orders = links["Deployment/orders"]
    assert orders.dockerfile == "release/goreleaser.Dockerfile"
    assert orders.how == ("image 'orders' is built from release/goreleaser.Dockerfile by .goreleaser.yaml:8 "
                          "(goreleaser)")
    # without it the module name 'orders' matches both Dockerfiles: no guess
    bare = _links(_without(tmp_path, "goreleaser_image", ".goreleaser.yaml"))
    assert bare.containers == []
    assert any("ambiguous: 2 Dockerfiles match image name 'orders'" in n for n in bare.notes)


def test_one_image_built_from_two_dockerfiles_is_not_linked_and_says_why():
    links = _links(os.path.join(LINKS, "ambiguous_two_builds"))
    assert links.containers == []  # even though 'api' names Dockerfile.api
    (note,) = [n for n in links.notes if "Deployment api" in n]
    assert "ambiguous: the build files build image 'api' from 2 Dockerfiles" in note
    assert "Makefile:4 from Dockerfile.api" in note and "Makefile:7 from Dockerfile.debug" in note


def _builds(tmp_path, rel: str, text: str, *dockerfiles: str):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return [(b.repository, b.dockerfiles[0] if b.dockerfiles else None, b.line, b.tool)
            for b in image_builds(rel, text, str(path), str(tmp_path))]


def test_github_workflow_run_steps_env_and_build_push_action(tmp_path):
    text = """name: images
on: push
env:
  REGISTRY: ghcr.io/acme
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      IMAGE: ${{ env.REGISTRY }}/ignored
      API: ghcr.io/acme/api
    steps:
      - uses: actions/checkout@v4
      - name: api
        run: |
          echo building
          docker build -t "$API:${{ github.sha }}" -f build/api.Dockerfile .
          docker build -t "$IMAGE:1" -f build/other.Dockerfile .
      - name: worker
        working-directory: services/worker
        run: docker build --tag $REGISTRY/worker:latest .
      - uses: docker/build-push-action@v6
        with:
          context: web
          file: web/Containerfile
          tags: |
            ghcr.io/acme/web:latest
            ghcr.io/acme/web:${{ github.ref_name }}
"""
    got = _builds(tmp_path, ".github/workflows/images.yml", text)
    assert got == [
        ("ghcr.io/acme/api", "build/api.Dockerfile", 16, "docker build"),
        ("ghcr.io/acme/worker", "services/worker/Dockerfile", 20, "docker build"),
        ("ghcr.io/acme/web", "web/Containerfile", 21, "docker build"),
        ("ghcr.io/acme/web", "web/Containerfile", 21, "docker build"),
    ]  # $IMAGE holds a GitHub expression in its repository: left out


def test_gitlab_ci_script_lines_with_variables(tmp_path):
    text = """variables:
  IMAGE_NAME: registry.example.com/team/api
build:
  stage: build
  variables:
    FULL: $IMAGE_NAME:$CI_COMMIT_SHA
  script:
    - cd deploy
    - podman build -t $FULL .
    - docker build -t $CI_REGISTRY_IMAGE:latest .
.template:
  script:
    - docker build -t hidden/template .
"""
    got = _builds(tmp_path, ".gitlab-ci.yml", text)
    # podman's default file is Containerfile, then Dockerfile; $CI_REGISTRY_IMAGE is unknown here
    assert got == [("registry.example.com/team/api", "deploy/Containerfile", 9, "podman build")]


def test_scripts_and_makefiles_use_only_values_the_file_states(tmp_path):
    script = """#!/bin/sh
set -eu
IMAGE="${IMAGE:-acme/tool}"
TAG=$(git rev-parse --short HEAD)
cd "$(dirname "$0")/.."
docker build -t "$IMAGE:$TAG" -f build/tool.Dockerfile .
docker build -t "$(cat image.txt)" .
buildah bud -t acme/base -f - < Dockerfile
"""
    # scripts in hack/ run from the root or from hack/: both are candidates
    got = _builds(tmp_path, "hack/images.sh", script)
    assert got == [("acme/tool", "hack/build/tool.Dockerfile", 6, "docker build")]
    (b,) = image_builds("hack/images.sh", script, str(tmp_path / "hack/images.sh"), str(tmp_path))
    assert b.dockerfiles == ["hack/build/tool.Dockerfile", "build/tool.Dockerfile"]
    makefile = """IMG = acme/one
ifeq ($(ARCH),arm64)
IMG = acme/one-arm
endif
OTHER := $(shell echo acme/other)
build:
\tdocker build -t $(IMG) .
\tdocker build -t $(OTHER) .
\t@docker build -t acme/$$USER .
\tdocker build -t acme/plain:$(TAG) build
"""
    # IMG has two values, OTHER and $$USER come from a shell: only acme/plain is known
    assert _builds(tmp_path, "Makefile", makefile) == [("acme/plain", "build/Dockerfile", 10, "docker build")]


def test_which_files_are_build_files(tmp_path):
    for rel in ("Makefile", "tools/images.mk", "scripts/release.sh", "build/push.sh", ".gitlab-ci.yml",
                "skaffold.yaml", ".goreleaser.yml", ".github/workflows/ci.yaml"):
        assert kind_of(str(tmp_path / rel)) == "build", rel
    assert build_file_kind(str(tmp_path / "docs/snippets/run.sh")) is None  # not where builds live
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "go.mod").write_text("module x\n")
    assert build_file_kind(str(tmp_path / "svc" / "build-image.sh")) == "shell"  # at a module root
    assert kind_of(str(tmp_path / "workflows" / "ci.yaml")) == "yaml"  # not under .github


def test_discovery_reads_ci_workflows_in_dot_github_and_nothing_else_there(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("jobs: {}\n")
    (tmp_path / ".github" / "dependabot.yml").write_text("version: 2\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "demo.sh").write_text("docker build -t x .\n")
    (tmp_path / "Makefile").write_text("all:\n")
    found: list = []
    discover([str(tmp_path)], Config(), str(tmp_path), found)
    assert sorted(os.path.relpath(p, tmp_path) for p in found) == [".github/workflows/ci.yml", "Makefile"]


def test_a_broken_ci_file_is_one_line_and_an_unreadable_script_is_passed_over(tmp_path):
    (tmp_path / ".gitlab-ci.yml").write_text("build:\n  script: [docker build -t a .\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "install.sh").write_bytes(b"#!/bin/sh\ndocker build -t a .\n\x00\x01payload")
    out = audit_artifacts([str(tmp_path / ".gitlab-ci.yml"), str(tmp_path / "scripts" / "install.sh")], [],
                          base=str(tmp_path))
    assert [d.line() for d in out.diagnostics] == [".gitlab-ci.yml: invalid YAML (line 3): "
                                                   + out.diagnostics[0].message.split(": ", 1)[1]]
    assert out.diagnostics[0].message.startswith("invalid YAML (line")
    assert out.facts.image_builds == []


@pytest.mark.parametrize("line,want", [
    ("docker build -t a/b -t a/b:2 .", ["a/b", "a/b"]),
    ("docker image build --tag=a/c ctx", ["a/c"]),
    ("sudo -E docker build --build-arg X=1 --target prod -t a/d .", ["a/d"]),
    ("docker buildx bake -f docker-bake.hcl", []),
    ("echo docker build -t a/e .", []),
    ("docker build -t 'a/f:${VERSION}' https://github.com/acme/f.git", []),
])
def test_build_command_words(tmp_path, line, want):
    assert [b[0] for b in _builds(tmp_path, "scripts/build.sh", line + "\n")] == want
