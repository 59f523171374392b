"""Every artifact file read once into ``ArtifactFacts``, with a one-line
diagnostic for each file that cannot be used."""

from __future__ import annotations

import contextlib
import gc
import os
import re
from dataclasses import dataclass, field

from steadygo.artifacts import gomod_facts, k8s_facts, k8s_schema
from steadygo.artifacts.dockerfile import DockerfileError, parse_dockerfile
from steadygo.artifacts.facts import ArtifactFacts, SchemaProblem
from steadygo.artifacts.k8s_yaml import YamlError, load_k8s_yaml
from steadygo.artifacts.sources import (
    BUILD_FILE_MAX_BYTES, ArtifactInput, ExplicitFile, UnreadableArtifact, kind_of, read_artifact,
)
from steadygo.discovery import Diagnostic, display_path

# Below this many files a process pool costs more than it saves (~0.1 s to
# start two workers; libyaml composes ~1,000 manifest files a second a core).
PARALLEL_MIN_FILES = 200
PARSE_GC_THRESHOLD = 100_000  # gen-0 threshold while parsing (see fewer_gc_passes)
HELM_HINT = "unrendered Helm template, not parsed: pass rendered output with `helm template ... | steadygo check --k8s -`"


@dataclass
class Collected:
    facts: ArtifactFacts = field(default_factory=ArtifactFacts)
    lines: dict[str, list[str]] = field(default_factory=dict)  # display path -> source lines (snippets)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    gomod_dirs: dict[str, str] = field(default_factory=dict)  # go.mod display path -> its directory


def collect(files, base: str, validate_schema: bool = True, jobs: int | None = None,
            verify_modules: bool = False, module_graph: bool = False, vulncheck=None) -> Collected:
    """See ``_collect``; ``verify_modules`` also runs ``go mod verify`` offline
    in each go.mod's directory (SG715), after every file is read;
    ``module_graph`` builds the graph of the go.mod files and their local
    replaces (``facts.modules``, SG719); ``vulncheck`` (a
    ``govulncheck.VulnRequest``) runs govulncheck offline in them (SG716)."""
    files = list(files)
    got = _collect(files, base, validate_schema, jobs)
    if module_graph:
        gomods = [f for f in files if _kind(f) == "gomod" and not isinstance(f, ArtifactInput)]
        if gomods:
            _module_graph(got, gomods, base)
    if verify_modules and got.facts.go_mods:
        from steadygo.artifacts import gomod_verify

        tool = gomod_verify.find_tool()
        for mod in got.facts.go_mods:
            directory = got.gomod_dirs.get(mod.path)
            if directory is None:
                mod.verify_state, mod.verify_reason = "not-run", "go.mod given as text, no directory to verify in"
            else:
                gomod_verify.verify(mod, directory, tool)
        note = gomod_verify.summary(got.facts.go_mods)
        if note is not None:
            got.diagnostics.append(note)
    if vulncheck is not None and got.facts.go_mods:
        from steadygo.artifacts import govulncheck

        note = govulncheck.check_all(got.facts.go_mods, got.gomod_dirs, vulncheck)
        if note is not None:
            got.diagnostics.append(note)
    return got


def _module_graph(out: Collected, gomods: list[str], base: str) -> None:
    from steadygo.artifacts.modgraph import local_module_graph

    problems: list = []
    texts: dict[str, str] = {}
    out.facts.modules = local_module_graph(gomods, base, problems, texts)
    seen = {(d.path, d.message) for d in out.diagnostics}  # the go.mod parse already said it
    out.diagnostics.extend(Diagnostic(p.path, p.message) for p in problems if (p.path, p.message) not in seen)
    out.lines.update((path, text.splitlines()) for path, text in texts.items())


def _collect(files, base: str, validate_schema: bool, jobs: int | None) -> Collected:
    """Facts of every file, in the order given.

    With ``jobs`` > 1 (default 1: on this 2-core machine, shared, the pool
    never beat one process on 1,000 manifests) and many YAML files, contiguous
    chunks of them are parsed in worker processes while this process reads
    the Dockerfiles, and the parts are merged in order, so the result does not
    depend on ``jobs``.  Dockerfiles never go to a worker: the ``dockerfile``
    package runs BuildKit's parser in an embedded Go runtime, which does not
    survive ``fork`` (a forked child deadlocks in its first call), so it is
    only ever called, and imported, in this process, after the pool forked.
    """
    files = list(files)
    kinds = [_kind(f) for f in files]  # once: kind_of may look at the directory of a script
    yaml_files = [(f, k) for f, k in zip(files, kinds) if k == "yaml"]
    other = [(f, k) for f, k in zip(files, kinds) if k != "yaml"]
    workers = min(jobs or 1, os.cpu_count() or 1, max(1, len(yaml_files) // (PARALLEL_MIN_FILES // 2)))
    if workers <= 1 or len(yaml_files) < PARALLEL_MIN_FILES:
        return _ordered(files, base, [_collect_serial(list(zip(files, kinds)), base, validate_schema)])
    size = -(-len(yaml_files) // workers)
    chunks = [yaml_files[i:i + size] for i in range(0, len(yaml_files), size)]
    from concurrent.futures import ProcessPoolExecutor  # here: ~30 ms of imports, for jobs > 1 only

    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=_fork_context()) as pool:
        futures = [pool.submit(_collect_serial, c, base, validate_schema) for c in chunks]
        mine = _collect_serial(other, base, validate_schema)
        parts = [f.result() for f in futures]
    return _ordered(files, base, [mine, *parts])


def _kind(item) -> str | None:
    return item.kind if isinstance(item, (ArtifactInput, ExplicitFile)) else kind_of(item)


def _fork_context():
    import multiprocessing

    # fork: workers inherit the imported modules and schemas (spawn would pay
    # the interpreter start and imports again); they never call into Go.
    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _ordered(files, base: str, parts: list[Collected]) -> Collected:
    """Merge parts; diagnostics in the order the files were given."""
    out = Collected()
    for part in parts:
        out.facts.dockerfiles.extend(part.facts.dockerfiles)
        out.facts.manifests.extend(part.facts.manifests)
        out.facts.go_mods.extend(part.facts.go_mods)
        out.facts.image_builds.extend(part.facts.image_builds)
        out.lines.update(part.lines)
        out.gomod_dirs.update(part.gomod_dirs)
        out.diagnostics.extend(part.diagnostics)
    position = {(f.path if isinstance(f, ArtifactInput) else display_path(getattr(f, "path", f), base)): i
                for i, f in enumerate(files)}
    out.diagnostics.sort(key=lambda d: position.get(d.path, len(position)))
    return out


@contextlib.contextmanager
def fewer_gc_passes():
    """Parsing allocates millions of small dicts, lists and YAML nodes that
    form no cycles; at the default gen-0 threshold (700) the cyclic GC
    rescans the growing heap again and again for nothing: ~30% of the time
    on 1,000 manifests.  Raised for the parse (and, in ``check``, the rules)
    only, then restored.  (At 50,000 one young collection amid the facts
    still took 20-30 ms of a 1,000-manifest run; 100,000 keeps at most that
    many objects of cyclic garbage, which this code does not make, waiting.)"""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], PARSE_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if old[0] < PARSE_GC_THRESHOLD and not gc.get_freeze_count():
            # What survived the parse is the facts and findings, alive till
            # the report: moved to the oldest generation in one step (freeze
            # then unfreeze splices lists, it scans nothing), or the next
            # young collection at the restored threshold walks all of it
            # (~0.1 s for 1,000 manifests) to free nothing.  Not when someone
            # froze objects on purpose: unfreeze would let theirs go too.
            gc.freeze()
            gc.unfreeze()


def _collect_serial(files, base: str, validate_schema: bool) -> Collected:
    """``files``: (file, its kind) pairs."""
    with fewer_gc_passes():
        return _collect_files(files, base, validate_schema)


def _collect_files(files, base: str, validate_schema: bool) -> Collected:
    out = Collected()
    for item, kind in files:
        real_path = None
        if isinstance(item, ArtifactInput):
            shown, text = item.path, item.text
        else:
            if isinstance(item, ExplicitFile):
                item = item.path
            real_path = item
            shown = display_path(item, base)
            if kind is None:
                out.diagnostics.append(Diagnostic(shown, "not a Dockerfile, YAML file or go.mod, skipped"))
                continue
            if kind == "build":
                _build_file(out, shown, item, base)
                continue
            try:
                text = read_artifact(item)
            except UnreadableArtifact as exc:
                out.diagnostics.append(Diagnostic(shown, str(exc)))
                continue
        out.lines[shown] = text.splitlines()
        if kind == "dockerfile":
            _dockerfile(out, shown, text)
        elif kind == "gomod":
            _gomod(out, shown, text, real_path)
            if real_path is not None:
                out.gomod_dirs[shown] = os.path.dirname(os.path.abspath(real_path))
        else:
            _yaml(out, shown, text, validate_schema)
    return out


# A Dockerfile that is itself a Go/Helm-style template (``FROM {{ .Image }}``,
# ``{{ if ... }}`` lines) says nothing until rendered.  Only FROM lines and
# lines that start with an action count: ``go list -f '{{.Dir}}'`` in a RUN
# line is ordinary shell.
_TEMPLATE_LINE = re.compile(r"^\s*(?:FROM\b[^\n]*\{\{|\{\{)", re.I | re.M)
TEMPLATE_HINT = "Dockerfile template (unrendered {{ ... }} actions), not parsed: audit the rendered Dockerfile"


def _dockerfile(out: Collected, shown: str, text: str) -> None:
    if "{{" in text and _TEMPLATE_LINE.search(text):
        out.diagnostics.append(Diagnostic(shown, TEMPLATE_HINT, level="info"))
        return
    try:
        out.facts.dockerfiles.append(parse_dockerfile(shown, text))
    except DockerfileError as exc:
        out.diagnostics.append(Diagnostic(shown, str(exc)))


def _build_file(out: Collected, shown: str, path: str, base: str) -> None:
    """Images the file builds.  Build files are read for the links alone, not
    audited: one that cannot be read (an installer script with a binary
    payload, a huge generated Makefile) is passed over without a word."""
    from steadygo.artifacts.build_files import BuildFileError, image_builds

    try:
        text = read_artifact(path, max_bytes=BUILD_FILE_MAX_BYTES)
    except UnreadableArtifact:
        return
    try:
        out.facts.image_builds.extend(image_builds(shown, text, path, base))
    except BuildFileError as exc:
        out.diagnostics.append(Diagnostic(shown, str(exc)))


def _gomod(out: Collected, shown: str, text: str, real_path: str | None) -> None:
    facts, sum_lines = gomod_facts.extract(shown, text, real_path)
    out.facts.go_mods.append(facts)
    if sum_lines is not None and facts.sum_path:
        out.lines[facts.sum_path] = sum_lines


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
