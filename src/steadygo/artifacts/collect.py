"""Every artifact file read once into ``ArtifactFacts``, with a one-line
diagnostic for each file that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.artifacts import k8s_facts, k8s_schema
from steadygo.artifacts.dockerfile import DockerfileError, parse_dockerfile
from steadygo.artifacts.facts import ArtifactFacts, SchemaProblem
from steadygo.artifacts.k8s_yaml import YamlError, load_k8s_yaml
from steadygo.artifacts.sources import ArtifactInput, UnreadableArtifact, kind_of, read_artifact
from steadygo.discovery import Diagnostic, display_path

HELM_HINT = "unrendered Helm template, not parsed: pass rendered output with `helm template ... | steadygo check --k8s -`"


@dataclass
class Collected:
    facts: ArtifactFacts = field(default_factory=ArtifactFacts)
    lines: dict[str, list[str]] = field(default_factory=dict)  # display path -> source lines (snippets)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def collect(files, base: str, validate_schema: bool = True) -> Collected:
    out = Collected()
    for item in files:
        if isinstance(item, ArtifactInput):
            shown, text, kind = item.path, item.text, item.kind
        else:
            shown, kind = display_path(item, base), kind_of(item)
            if kind is None:
                out.diagnostics.append(Diagnostic(shown, "not a Dockerfile or YAML file, skipped"))
                continue
            try:
                text = read_artifact(item)
            except UnreadableArtifact as exc:
                out.diagnostics.append(Diagnostic(shown, str(exc)))
                continue
        out.lines[shown] = text.splitlines()
        if kind == "dockerfile":
            _dockerfile(out, shown, text)
        else:
            _yaml(out, shown, text, validate_schema)
    return out


def _dockerfile(out: Collected, shown: str, text: str) -> None:
    try:
        out.facts.dockerfiles.append(parse_dockerfile(shown, text))
    except DockerfileError as exc:
        out.diagnostics.append(Diagnostic(shown, str(exc)))


def _yaml(out: Collected, shown: str, text: str, validate_schema: bool) -> None:
    try:
        parsed = load_k8s_yaml(shown, text)
    except YamlError as exc:
        out.diagnostics.append(Diagnostic(shown, str(exc)))
        return
    if parsed.helm_template:
        out.diagnostics.append(Diagnostic(shown, HELM_HINT, level="info"))
        return
    out.facts.manifests.extend(k8s_facts.extract(parsed.objects))
    if not validate_schema:
        return
    for obj in parsed.objects:
        errors = k8s_schema.validate(obj.data)
        for e in errors or ():
            out.facts.manifests.schema_problems.append(SchemaProblem(
                path=shown, line=obj.line_of(*e.path), object_kind=obj.kind,
                object_name=str((obj.data.get("metadata") or {}).get("name", "")) if isinstance(obj.data.get("metadata"), dict) else "",
                field_path=k8s_schema.field_path(e.path), message=e.message))
