"""``check --k8s FILE|DIR|-`` and ``--dockerfile FILE``: manifests and
Dockerfiles named on the command line, wherever they live and whatever their
file name, joined with the code like the ones found beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import FIXTURES

CASE = os.path.join(FIXTURES, "artifacts", "sg8_deploy", "sg823_probe_not_served_by_code", "bad_typo_path")


def _run(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "steadygo", "check", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=120)


def _code_only(tmp_path):
    for name in ("go.mod", "main.go"):
        (tmp_path / name).write_bytes(open(os.path.join(CASE, name), "rb").read())
    return tmp_path


def _ids(proc):
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return sorted((f["rule_id"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"])


BASE = ("--isolated", "--no-cache", "--preview", "--select", "SG823", "--format", "json", "--exit-zero")


def test_k8s_file_with_any_name_and_a_dockerfile_elsewhere(tmp_path):
    (tmp_path / "svc").mkdir()
    code = _code_only(tmp_path / "svc")
    ops = tmp_path / "ops"
    ops.mkdir()
    (ops / "rendered.txt").write_bytes(open(os.path.join(CASE, "deploy.yaml"), "rb").read())
    (ops / "api.docker").write_bytes(open(os.path.join(CASE, "Dockerfile"), "rb").read())
    got = _ids(_run(".", *BASE, "--k8s", str(ops / "rendered.txt"), "--dockerfile", str(ops / "api.docker"), cwd=code))
    assert [(r, os.path.basename(p), n) for r, p, n in got] == [("SG823", "rendered.txt", 25)]


def test_k8s_directory_reads_its_yaml(tmp_path):
    code = _code_only(tmp_path)
    manifests = tmp_path.parent / (tmp_path.name + "-manifests")
    (manifests / "nested").mkdir(parents=True)
    (manifests / "nested" / "deploy.yml").write_bytes(open(os.path.join(CASE, "deploy.yaml"), "rb").read())
    (manifests / "README.md").write_text("not yaml\n")
    got = _ids(_run(".", *BASE, "--k8s", str(manifests), cwd=code))
    assert [(r, os.path.basename(p), n) for r, p, n in got] == [("SG823", "deploy.yml", 25)]


def test_k8s_stdin_and_a_path_named_twice_is_read_once(tmp_path):
    text = open(os.path.join(CASE, "deploy.yaml"), "rb").read()
    assert _ids(_run(".", *BASE, "--k8s", "-", cwd=_code_only(tmp_path), stdin=text)) == [("SG823", "<stdin>", 25)]
    # the fixture tree itself has deploy.yaml: found by the walk and named again
    assert _ids(_run(".", *BASE, "--k8s", "deploy.yaml", cwd=CASE)) == [("SG823", "deploy.yaml", 25)]


def test_bad_explicit_inputs_are_one_line_usage_errors(tmp_path):
    missing = _run(".", *BASE, "--k8s", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and b"--k8s nope.yaml: no such file or directory" in missing.stderr
    assert b"Traceback" not in missing.stderr
    binary = _run(".", *BASE, "--k8s", "-", cwd=tmp_path, stdin=b"\xff\xfe\x00kind")
    assert binary.returncode == 2 and b"stdin is not UTF-8" in binary.stderr and b"Traceback" not in binary.stderr
    df = _run(".", *BASE, "--dockerfile", "Dockerfile.none", cwd=tmp_path)
    assert df.returncode == 2 and b"--dockerfile Dockerfile.none: no such file" in df.stderr


def test_k8s_without_any_deploy_rule_selected_says_so(tmp_path):
    proc = _run(".", "--isolated", "--no-cache", "--select", "SG101", "--k8s", os.path.join(CASE, "deploy.yaml"),
                cwd=_code_only(tmp_path))
    assert b"no build or deploy rule is selected" in proc.stderr
