"""SG800: a key or value the Kubernetes schema does not allow."""

from __future__ import annotations

from steadygo.artifacts.kustomize import is_patch_file, kustomize_input
from steadygo.artifacts.rules.base import WITH_EXAMPLES, ArtifactContext, ArtifactRule, deploy_meta
from steadygo.findings import Severity


class ManifestSchemaViolation(ArtifactRule):
    meta = deploy_meta(
        "SG800", "manifest-schema-violation", Severity.ERROR,
        "setting silently ignored or manifest rejected",
        "A field the Kubernetes schema does not know (`livenessprobe:`), a wrong type, or a missing required field.",
        roles=WITH_EXAMPLES)

    judges_patches = True  # it judges what is written

    def check(self, ctx: ArtifactContext) -> None:
        problems = ctx.manifests.schema_problems
        # An object holding a strategic-merge directive ($patch: delete) is a
        # patch whatever its file is called (gatekeeper's helmify delete-ports.yaml).
        patches = {(p.path, p.object_kind, p.object_name) for p in problems if p.message.startswith("unknown field '$")}
        for p in problems:
            patch = is_patch_file(p.path) or (p.path, p.object_kind, p.object_name) in patches
            if p.message.startswith("missing required field") and (patch or kustomize_input(ctx.manifests, p.path)):
                continue  # kustomize adds it (labels -> selector) or the patch's base has it
            if p.message.startswith("unknown field '$") and patch:
                continue  # a strategic-merge directive ($patch: delete, $setElementOrder)
            if p.object_name.startswith("{"):
                continue  # `name: {{ .Name }}` read as a mapping: an unrendered template, not a manifest
            ctx.report(p.path, p.line, f"{p.object_kind} {p.object_name}: {p.field_path or '(object)'}: {p.message}")
