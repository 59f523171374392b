"""Which image the repo builds from which Dockerfile, as its build files say:
Makefiles (``Makefile``, ``*.mk``), shell scripts at a project root or in
``scripts/``, ``build/``, ``hack/``, CI files (``.github/workflows/*.y*ml``,
``.gitlab-ci.yml``), ``skaffold.yaml`` and ``.goreleaser.y*ml``.

Each gives ``ImageBuild`` facts: an image repository and where its Dockerfile
may be.  ``links`` turns those into the most specific way to tie a deployed
image to a Dockerfile ("image 'api' is built from build/api.Dockerfile by
Makefile:12").  Only what the file states is used: a name or path that needs
a value the file does not give (``$(shell git describe)``, ``${{ github.sha }}``,
a variable from the environment) is left out, and so is its build when the
Dockerfile cannot be placed.
"""

from __future__ import annotations

import os
import re
import shlex

from steadygo.artifacts.build_commands import (
    UNKNOWN, BuildCommand, Variables, builds_in_line, dockerfile_candidates, make_expand, repository_of, shell_expand,
)
from steadygo.artifacts.facts import ImageBuild
from steadygo.artifacts.sources import SCRIPT_DIRS, build_file_kind
from steadygo.artifacts.yaml_data import YamlDataError, load_documents
from steadygo.discovery import display_path

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader

# Cheap test before any parsing: text with none of these builds no image.
_MENTIONS_BUILD = re.compile(r"\b(?:build|bud)\b|image_templates|artifacts")


class BuildFileError(Exception):
    """The file cannot be read; the message names no path."""


def image_builds(shown: str, text: str, real_path: str, base: str) -> list[ImageBuild]:
    """The images ``text`` (the file at ``real_path``, shown as ``shown``)
    builds; ``BuildFileError`` when a YAML build file is not YAML."""
    kind = build_file_kind(real_path)
    if kind is None or not _MENTIONS_BUILD.search(text):
        return []
    directory = os.path.dirname(os.path.abspath(real_path))
    if kind == "github":
        directory = os.path.dirname(os.path.dirname(directory))  # workflows run in the repository's root
    reader = _Reader(shown, base)
    if kind == "make":
        reader.makefile(text, directory)
    elif kind == "shell":
        parent = os.path.dirname(directory)
        bases = [directory, parent] if os.path.basename(directory) in SCRIPT_DIRS else [directory]
        reader.script(text, 1, bases, None, Variables())
    else:
        try:
            docs = load_documents(text, _Loader)
        except YamlDataError as exc:
            where = f" (line {exc.line})" if exc.line is not None else ""
            raise BuildFileError(f"invalid YAML{where}: {exc.problem}") from None
        for doc in docs:
            if doc.error is None and isinstance(doc.data, dict):
                getattr(reader, kind)(doc.data, doc.lines, directory)
    return reader.out


def _logical_lines(text: str):
    """(first line number, text) with backslash-newline continuations joined."""
    pending, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


_MAKE_ASSIGN = re.compile(r"^(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|::?=|:::=|\+=|!=|=)\s*(.*)$")
_MAKE_COMMENT = re.compile(r"(?<!\\)#.*$")
_SH_ASSIGN = re.compile(r"^(?:(?:export|readonly|local|declare(?:\s+-\w+)*)\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_GH_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_GORELEASER_PROJECT = re.compile(r"\{\{\s*\.ProjectName\s*\}\}")
_TEMPLATE = re.compile(r"\{\{.*?\}\}")


class _Reader:
    def __init__(self, shown: str, base: str):
        self.shown, self.base = shown, base
        self.out: list[ImageBuild] = []

    def _add(self, repository: str | None, candidates: list[str], line: int, tool: str) -> None:
        if repository is None or not candidates:
            return
        self.out.append(ImageBuild(repository=repository, dockerfiles=[display_path(p, self.base) for p in candidates],
                                   path=self.shown, line=line, tool=tool))

    def _command(self, cmd: BuildCommand, line: int, bases: list[str]) -> None:
        candidates = dockerfile_candidates(cmd, bases)
        for tag in cmd.tags:
            self._add(repository_of(tag), candidates, line, cmd.tool)

    # -- shell text ----------------------------------------------------------

    def makefile(self, text: str, directory: str) -> None:
        variables = Variables()
        recipes, in_define = [], False
        for number, line in _logical_lines(text):
            stripped = line.strip()
            if in_define:
                in_define = not stripped.startswith("endef")
                continue
            if line.startswith("\t"):
                recipes.append((number, line.lstrip("\t").lstrip("@-+ \t")))
                continue
            if stripped.startswith("define "):
                in_define = True
                variables.forget(stripped.split()[1] if len(stripped.split()) > 1 else "")
                continue
            m = _MAKE_ASSIGN.match(stripped)
            if m is not None:
                name, op, value = m.group(1), m.group(2), _MAKE_COMMENT.sub("", m.group(3)).strip()
                if op in ("+=", "!="):
                    variables.forget(name)
                else:
                    variables.assign(name, value)
        known = variables.known()
        for number, recipe in recipes:
            # make runs every recipe line in its own shell, in the Makefile's directory
            commands, _ = builds_in_line(shell_expand(make_expand(recipe, known), {}), directory)
            for cmd in commands:
                self._command(cmd, number, [directory])

    def script(self, text: str, first_line: int, bases: list[str], cwd: str | None, variables: Variables) -> None:
        """Shell text run line by line; ``cd`` and assignments carry over."""
        for number, line in _logical_lines(text):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            m = _SH_ASSIGN.match(stripped)
            if m is not None:
                try:
                    words = shlex.split(m.group(2), comments=True)
                except ValueError:
                    words = None
                if words is not None and len(words) <= 1:
                    variables.assign(m.group(1), shell_expand(words[0] if words else "", variables.known()))
                    continue
            commands, cwd = builds_in_line(shell_expand(line, variables.known()), cwd)
            for cmd in commands:
                self._command(cmd, first_line + number - 1, bases)

    # -- CI and release configuration --------------------------------------

    def github(self, data: dict, lines, directory: str) -> None:
        jobs = data.get("jobs")
        if not isinstance(jobs, dict):
            return
        top_env = _env(data.get("env"))
        default_dir = _get(data, "defaults", "run", "working-directory")
        for job_id, job in jobs.items():
            if not isinstance(job, dict) or not isinstance(job.get("steps"), list):
                continue
            job_env = {**top_env, **_env(job.get("env"))}
            job_dir = _get(job, "defaults", "run", "working-directory") or default_dir
            for i, step in enumerate(job["steps"]):
                if not isinstance(step, dict):
                    continue
                where = ("jobs", job_id, "steps", i)
                env = {**job_env, **_env(step.get("env"))}
                uses = step.get("uses")
                if isinstance(uses, str) and uses.split("@", 1)[0] == "docker/build-push-action":
                    self._build_push_action(step.get("with"), lines.get(where + ("uses",), 0), directory)
                run = step.get("run")
                if isinstance(run, str):
                    workdir = step.get("working-directory") or job_dir
                    cwd = os.path.normpath(os.path.join(directory, _gh(str(workdir)))) if workdir else directory
                    variables = _variables(env)
                    line = lines.get(where + ("run",), 0)
                    # a block scalar's text starts on the line after its key
                    self.script(_gh(run), line + 1 if "\n" in run.strip() else line, [directory],
                                None if UNKNOWN in cwd else cwd, variables)

    def _build_push_action(self, inputs, line: int, directory: str) -> None:
        if not isinstance(inputs, dict):
            return
        tags = [t.strip() for t in re.split(r"[,\n]", _gh(str(inputs.get("tags") or ""))) if t.strip()]
        context = _gh(str(inputs.get("context") or "."))
        file = inputs.get("file")
        cmd = BuildCommand("docker build", tags, _gh(str(file)) if file else None, context, directory)
        self._command(cmd, line, [directory])

    def gitlab(self, data: dict, lines, directory: str) -> None:
        top = _env(data.get("variables"))
        for job_id, job in data.items():
            if not isinstance(job, dict) or str(job_id).startswith("."):
                continue  # hidden jobs are templates; what extends them is a job of its own
            variables = _variables({**top, **_env(job.get("variables"))})
            cwd = directory
            for key in ("before_script", "script"):
                items = job.get(key)
                items = [items] if isinstance(items, str) else items if isinstance(items, list) else []
                for i, item in enumerate(items):
                    if isinstance(item, str):
                        line = lines.get((job_id, key, i), 0) or lines.get((job_id, key), 0)
                        for cmd_line in item.splitlines() or [""]:
                            commands, cwd = builds_in_line(shell_expand(cmd_line, variables.known()), cwd)
                            for cmd in commands:
                                self._command(cmd, line, [directory])

    def skaffold(self, data: dict, lines, directory: str) -> None:
        if not str(data.get("apiVersion", "")).startswith("skaffold/"):
            return
        sections = [(("build",), data.get("build"))]
        profiles = data.get("profiles")
        for i, profile in enumerate(profiles if isinstance(profiles, list) else []):
            if isinstance(profile, dict):
                sections.append((("profiles", i, "build"), profile.get("build")))
        for path, build in sections:
            artifacts = build.get("artifacts") if isinstance(build, dict) else None
            for i, art in enumerate(artifacts if isinstance(artifacts, list) else []):
                if not isinstance(art, dict) or not isinstance(art.get("image"), str):
                    continue
                builder = art.get("docker") if isinstance(art.get("docker"), dict) else art.get("kaniko")
                if not isinstance(builder, dict):
                    if any(k in art for k in ("ko", "jib", "bazel", "buildpacks", "custom")):
                        continue  # built without a Dockerfile
                    builder = {}
                context = str(art.get("context") or ".")
                dockerfile = str(builder.get("dockerfile") or "Dockerfile")
                candidate = os.path.normpath(os.path.join(directory, context, dockerfile))
                self._add(repository_of(art["image"]), [candidate], lines.get(path + ("artifacts", i, "image"), 0),
                          "skaffold")

    def goreleaser(self, data: dict, lines, directory: str) -> None:
        project = data.get("project_name")
        dockers = data.get("dockers")
        for i, docker in enumerate(dockers if isinstance(dockers, list) else []):
            if not isinstance(docker, dict) or not isinstance(docker.get("image_templates"), list):
                continue
            dockerfile = os.path.normpath(os.path.join(directory, str(docker.get("dockerfile") or "Dockerfile")))
            for j, template in enumerate(docker["image_templates"]):
                name = str(template)
                if isinstance(project, str):
                    name = _GORELEASER_PROJECT.sub(project, name)
                name = _TEMPLATE.sub(UNKNOWN, name)
                self._add(repository_of(name), [dockerfile], lines.get(("dockers", i, "image_templates", j), 0),
                          "goreleaser")


def _variables(env: dict[str, str]) -> Variables:
    """CI variables in order; a value may use the ones before it."""
    variables = Variables()
    for k, v in env.items():
        variables.assign(k, shell_expand(v, variables.known()))
    return variables


def _gh(text: str) -> str:
    return _GH_EXPRESSION.sub(UNKNOWN, text)


def _env(value) -> dict[str, str]:
    """A CI ``env``/``variables`` map as strings (GitLab's ``{value: ...}`` form too)."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for k, v in value.items():
        if isinstance(v, dict):
            v = v.get("value")
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            out[str(k)] = _gh(str(v))
    return out


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
