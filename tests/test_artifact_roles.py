"""Which artifacts ship: Dockerfiles and manifests under test, CI, development
and example folders are judged only by the rules that say "never starts"
(SG707, SG708, SG800, SG807 in examples); test and CI artifacts by none.
Paths are the false positives of benchmarks/PRECISION-SG7-SG8.md."""

from __future__ import annotations

import pytest

from steadygo.artifacts.check import check_artifacts
from steadygo.artifacts.roles import artifact_role
from steadygo.artifacts.sources import ArtifactInput


@pytest.mark.parametrize("path", [
    "test/conformance/chainsaw/pods/pod.yaml",  # kyverno
    "tests/apps/hellodapr/Dockerfile",  # dapr
    "operations/mimir-tests/test-defaults-generated.yaml",
    "operations/helm/tests/small-values-generated/mimir-distributed/templates/ingester.yaml",
    "development/mimir-monolithic-mode/dev.dockerfile",
    "loki-build-image/Dockerfile", "build-image/Dockerfile", "build.assets/Dockerfile",
    "Dockerfile.dev", ".gitpod.Dockerfile", "tilt.debug.dockerfile", "Dockerfile.e2e-tests", "Dockerfile.cicd",
    "cmd/loki/Dockerfile.debug", "hack/Dockerfile.dev-tools", "e2e/deployment.yaml", "images/test-runner/Dockerfile",
    "integration/fixtures/k8s/01-ingress.yml", "config/install-latest-testing.yaml", "ui-test/Dockerfile",
    "crossdock/Dockerfile",  # jaeger's integration-test driver
    "operations/policies/test_fixtures/deployment_rollingupdate/maxunavailable-non-zero.yaml",
])
def test_test_and_dev_artifacts(path):
    assert artifact_role(path) == "test-support"


@pytest.mark.parametrize("path", [
    "samples/bookinfo/platform/kube/bookinfo.yaml", "examples/hotrod/Dockerfile", "docs/snippets/aws/deploy.yaml",
    "demo/agilebank/deployment.yaml", "docs/getting-started/cortex.yaml", "design/CLI/PoC/deployment.yaml",
    "deploy/example-app.yaml",
])
def test_example_artifacts(path):
    assert artifact_role(path) == "example"


@pytest.mark.parametrize("path", [
    "Dockerfile", "cmd/mimir/Dockerfile", "manifests/install.yaml", "manifests/ha/base/redis-ha/chart/upstream.yaml",
    "deploy/static/provider/cloud/deploy.yaml", "kubernetes-manifests/frontend.yaml", "Dockerfile.release",
    "app/vmagent/Dockerfile", "config/manager/manager.yaml", "latest/Dockerfile", "contest.yaml", "devops/app.yaml",
    "",
])
def test_shipped_artifacts(path):
    assert artifact_role(path) == "service"


ROOT_IMAGE = "FROM debian:bookworm-slim\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
SCRATCH_SHELL_FORM = "FROM scratch\nCOPY app /app\nCMD /app\n"


def _ids(path, text, rule):
    findings, diags = check_artifacts([ArtifactInput(path, text, "dockerfile")], [rule], base=".")
    assert not diags
    return [f.rule_id for f in findings]


def test_production_only_rule_is_silent_in_tests_and_examples():
    assert _ids("Dockerfile", ROOT_IMAGE, "SG702") == ["SG702"]
    assert _ids("test/e2e/Dockerfile", ROOT_IMAGE, "SG702") == []
    assert _ids("examples/app/Dockerfile", ROOT_IMAGE, "SG702") == []


def test_never_starts_rule_still_judges_examples_but_not_tests():
    assert _ids("examples/app/Dockerfile", SCRATCH_SHELL_FORM, "SG708") == ["SG708"]
    assert _ids("Dockerfile", SCRATCH_SHELL_FORM, "SG708") == ["SG708"]
    assert _ids("hack/Dockerfile", SCRATCH_SHELL_FORM, "SG708") == []


def test_manifest_in_test_folder_is_not_judged():
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector:\n"
                  "    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n"
                  "    spec:\n      containers:\n        - name: api\n          image: example/api:1.0\n")
    shipped, _ = check_artifacts([ArtifactInput("deploy/api.yaml", deployment, "yaml")], ["SG802"], base=".")
    tested, _ = check_artifacts([ArtifactInput("test/e2e/api.yaml", deployment, "yaml")], ["SG802"], base=".")
    assert [f.rule_id for f in shipped] == ["SG802"] and tested == []
