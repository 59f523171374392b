"""Artifact roles are judged inside the project (the outermost go.mod
above the file, else the scan root), never from the directory a scan starts
in: the same tree checked as ``/abs/path``, ``.`` from inside it and
``../x`` from beside it gives the same findings, although the tree itself
sits under a folder named ``examples`` and holds ``test/`` and ``examples/``
folders of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from steadygo.artifacts.roles import role_in_project

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
"""


def _tree(tmp_path, with_go_mod: bool) -> str:
    tree = tmp_path / "examples" / "shop"  # the folders above the project are not the project's
    for rel in ("deploy/api.yaml", "test/e2e/api.yaml", "examples/demo/api.yaml"):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(DEPLOYMENT)
    if with_go_mod:
        (tree / "go.mod").write_text("module example.com/shop\n\ngo 1.24\n")
        (tree / "main.go").write_text("package main\n\nfunc main() {}\n")
    (tmp_path / "beside").mkdir()
    return str(tree)


def _findings(cwd: str, target: str, tree: str) -> list[tuple[str, int, str]]:
    p = subprocess.run([sys.executable, "-m", "steadygo", "check", target, "--select", "SG802", "--preview",
                        "--no-cache", "--format", "json", "--exit-zero"], cwd=cwd, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    out = []
    for f in json.loads(p.stdout)["findings"]:
        full = f["path"] if os.path.isabs(f["path"]) else os.path.join(cwd, f["path"])
        out.append((os.path.relpath(full, tree).replace(os.sep, "/"), f["line"], f["rule_id"]))
    return sorted(out)


@pytest.mark.parametrize("with_go_mod", [True, False], ids=["module-root", "scan-root"])
def test_three_ways_to_name_one_tree_give_the_same_findings(tmp_path, with_go_mod):
    tree = _tree(tmp_path, with_go_mod)
    absolute = _findings(str(tmp_path / "beside"), tree, tree)
    inside = _findings(tree, ".", tree)
    beside = _findings(str(tmp_path / "beside"), "../examples/shop", tree)
    from_above = _findings(str(tmp_path), "examples/shop", tree)
    assert absolute == inside == beside == from_above
    # what ships is judged; the tree's own test and example manifests are not (SG802 judges services only)
    assert absolute == [("deploy/api.yaml", 12, "SG802")]


def test_roles_of_files_not_on_disk_are_judged_as_given():
    assert role_in_project("test/e2e/api.yaml", "/nonexistent-base") == "test-support"
    assert role_in_project("<stdin>", "/nonexistent-base") == "service"


def _module_under_examples(root, own_repository: bool):
    (root / ".git").mkdir(parents=True)
    mod = root / "examples" / "hotrod"
    (mod / "k8s").mkdir(parents=True)
    if own_repository:
        (mod / ".git").mkdir()
    (mod / "go.mod").write_text("module example.com/hotrod\n\ngo 1.24\n")
    (mod / "k8s" / "api.yaml").write_text(DEPLOYMENT)
    return str(mod / "k8s" / "api.yaml"), str(mod)


def test_module_under_examples_of_its_repository_is_an_example(tmp_path):
    path, mod = _module_under_examples(tmp_path / "repo", own_repository=False)
    assert role_in_project(path, "/", (mod,)) == "example"
    # the same module as a repository of its own ships
    path, mod = _module_under_examples(tmp_path / "other", own_repository=True)
    assert role_in_project(path, "/", (mod,)) == "service"


def test_scanned_folder_under_examples_of_its_repository_is_an_example(tmp_path):
    """Without a go.mod, the scanned folder is the project; its place under
    examples/ of the repository still makes it an example."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "examples" / "k8s").mkdir(parents=True)
    (repo / "deploy").mkdir()
    for d in ("examples/k8s", "deploy"):
        (repo / d / "api.yaml").write_text(DEPLOYMENT)
    assert role_in_project(str(repo / "examples/k8s/api.yaml"), "/", (str(repo / "examples/k8s"),)) == "example"
    assert role_in_project(str(repo / "deploy/api.yaml"), "/", (str(repo / "deploy"),)) == "service"
    assert role_in_project(str(repo / "examples/k8s/api.yaml"), "/", (str(repo),)) == "example"
