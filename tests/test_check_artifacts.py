"""`steadygo check` audits the build and deploy layers found beside the Go code:
Dockerfiles and Kubernetes YAML on the same walk, their findings in the same
pipeline (suppressions, per-path ignores, exit codes) and reports."""

from __future__ import annotations

import json
import os
import textwrap

from helpers import run_cli

DOCKERFILE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/api

FROM alpine:3.20
COPY --from=build /app /app
USER 65532
ENTRYPOINT /app && echo stopped
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example.com/api:1.0
"""


def _tree(tmp_path):
    root = tmp_path / "svc"
    (root / "cmd" / "api").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (root / "cmd" / "api" / "main.go").write_text("package main\n\nfunc main() {}\n")
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "deploy").mkdir()
    (root / "deploy" / "api.yaml").write_text(DEPLOYMENT)
    (root / "deploy" / "values.yaml").write_text("replicas: 3\nimage: api\n")  # not Kubernetes: silently skipped
    return root


def _run(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def _json(out):
    return json.loads(out)["findings"]


def test_preview_check_reports_build_and_deploy_findings_with_lines(tmp_path):
    root = _tree(tmp_path)
    code, out, err = _run("check", str(root), "--preview", "--isolated", "--no-cache", "--format", "json",
                             cwd=str(root))
    assert code == 1, err
    found = {(f["rule_id"], f["path"], f["line"]) for f in _json(out)}
    layers = {f["layer"] for f in _json(out)}
    assert ("SG701", "Dockerfile", 9) in found  # the shell keeps SIGTERM: /app is not its last command
    assert ("SG802", "deploy/api.yaml", 14) in found  # no livenessProbe, on the container's line
    assert {"build", "deploy"} <= layers
    assert not any(p == "deploy/values.yaml" for _, p, _ in found)
    assert "values.yaml" not in err


def test_default_check_runs_no_preview_artifact_rule(tmp_path):
    root = _tree(tmp_path)
    code, out, err = _run("check", str(root), "--isolated", "--no-cache", "--format", "json", cwd=str(root))
    assert {f["layer"] for f in _json(out)} <= {"code"}


def test_artifact_findings_go_through_per_path_ignores_and_selection(tmp_path):
    root = _tree(tmp_path)
    (root / ".steadygo.toml").write_text(textwrap.dedent("""\
        preview = true
        [per-path-ignores]
        "deploy/**" = ["SG8"]
        """))
    code, out, err = _run("check", str(root), "--no-cache", "--format", "json", cwd=str(root))
    rules = {f["rule_id"] for f in _json(out)}
    assert "SG701" in rules and not any(r.startswith("SG8") for r in rules)
    (root / ".steadygo.toml").unlink()
    code, out, err = _run("check", str(root), "--no-cache", "--select", "SG802", "--format", "json", cwd=str(root))
    assert {f["rule_id"] for f in _json(out)} == {"SG802"}


def test_broken_yaml_is_one_line_and_the_rest_completes(tmp_path):
    root = _tree(tmp_path)
    (root / "deploy" / "broken.yaml").write_text("apiVersion: v1\nkind: [unclosed\n")
    code, out, err = _run("check", str(root), "--preview", "--isolated", "--no-cache", "--format", "json",
                             cwd=str(root))
    assert "Traceback" not in err
    lines = [l for l in err.splitlines() if "broken.yaml" in l]
    assert len(lines) == 1, err
    assert any(f["rule_id"] == "SG701" for f in _json(out))


def test_a_dockerfile_template_is_skipped_with_one_info_line_but_go_list_templates_are_not(tmp_path):
    root = _tree(tmp_path)
    (root / "Dockerfile.tmpl").write_text("FROM cockroachdb/cockroach:{{ .Version }}\nCMD start\n")
    (root / "Dockerfile").write_text(DOCKERFILE.replace("RUN go build", "RUN go list -f '{{.Dir}}' ./... && go build"))
    code, out, err = _run("check", str(root), "--preview", "--isolated", "--no-cache", "--format", "json",
                          cwd=str(root))
    found = _json(out)
    assert not any(f["path"] == "Dockerfile.tmpl" for f in found)
    assert [l for l in err.splitlines() if "Dockerfile.tmpl" in l and "template" in l]
    assert any(f["rule_id"] == "SG701" and f["path"] == "Dockerfile" for f in found)


def test_sg803_severity_follows_what_the_code_shows():
    """Liveness = readiness is a restart storm only if the shared check calls a
    dependency: a warning naming the call when the code shows it, nothing
    when the handler calls nothing, info when the handler is not in view."""
    import json
    import os
    import subprocess
    import sys

    here = os.path.join(os.path.dirname(__file__), "fixtures", "artifacts", "sg8_deploy",
                        "sg803_liveness_same_as_readiness")

    def run(name):
        out = subprocess.run([sys.executable, "-m", "steadygo", "check", "--isolated", "--no-cache", "--preview",
                              "--select", "SG803", "--exit-zero", "--format", "json", os.path.join(here, name)],
                             capture_output=True, text=True, check=True).stdout
        return [f for f in json.loads(out)["findings"] if f["rule_id"] == "SG803"]

    (bad,) = run("bad_shared_check_pings_database")
    assert bad["severity"] == "warning" and "db.PingContext" in bad["message"]
    assert any(r["path"].endswith("main.go") for r in bad["related"])
    assert run("good_shared_check_calls_nothing") == []
    (unseen,) = run("bad_same_path_and_port.yaml")
    assert unseen["severity"] == "info" and "not known" in unseen["message"]
