"""SG800: a key or value the Kubernetes schema does not allow."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ManifestSchemaViolation(ArtifactRule):
    meta = deploy_meta(
        "SG800", "manifest-schema-violation", Severity.ERROR,
        "setting silently ignored or manifest rejected",
        "A field the Kubernetes schema does not know (`livenessprobe:`), a wrong type, or a missing required field.")

    def check(self, ctx: ArtifactContext) -> None:
        for p in ctx.manifests.schema_problems:
            ctx.report(p.path, p.line, f"{p.object_kind} {p.object_name}: {p.field_path or '(object)'}: {p.message}")
