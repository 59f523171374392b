"""Dockerfiles into ``DockerfileFacts``, through BuildKit's own parser.

PyPI ``dockerfile`` wraps the Go parser of moby/buildkit, so line
continuations, the ``# escape=`` directive, heredocs and JSON-vs-shell form
are read exactly as ``docker build`` reads them.  On top of it this module
resolves ``ARG`` defaults, links ``FROM <stage>`` to earlier stages, and
reads ``RUN`` lines with the shell lexer of ``steadygo.artifacts.shell``.
"""

from __future__ import annotations

import re

from steadygo.artifacts import images
from steadygo.artifacts.facts import ContainerCommand, CopyStep, DockerfileFacts, GoBuild, ImageRef, Stage
from steadygo.artifacts.shell import SimpleCommand, parse_script

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_DEFAULT_SHELL = ["/bin/sh", "-c"]
_WHOLE_ARG = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")  # FROM $BASE, FROM ${BASE}
_WHOLE_CONTEXT = {".", "./", "*", "./*", "./."}
_C_TOOLCHAIN = re.compile(r"\b(?:gcc|build-base|musl-dev|build-essential|libc6-dev|clang)\b")
# Tools an entrypoint script uses to start the service as another user after
# root-only setup (gitea, vault, the official postgres and redis images).
_PRIVILEGE_DROP = re.compile(r"(?<![\w.-])(?:gosu|su-exec|setpriv|s6-setuidgid|chpst)(?![\w.-])")
_PRIVILEGE_DROP_START = frozenset({"gosu", "su-exec", "setpriv", "s6-setuidgid", "chpst"})
# go build flags that take a value (``-o out`` as well as ``-o=out``)
_VALUE_FLAGS = {"-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p", "-pkgdir", "-buildmode",
                "-installsuffix", "-overlay", "-pgo", "-compiler", "-gccgoflags", "-toolexec", "-C", "-covermode",
                "-coverpkg", "-exec", "-json"}


class DockerfileError(Exception):
    """The file cannot be read as a Dockerfile; the message names no path."""


def parse_dockerfile(path: str, text: str) -> DockerfileFacts:
    # Imported here, not at module import: loading it starts a Go runtime,
    # and a process that forks afterwards must not call it (see collect.py).
    import dockerfile as buildkit

    try:
        instructions = buildkit.parse_string(text)
    except buildkit.GoParseError as exc:
        raise DockerfileError(f"not a Dockerfile: {exc}") from None
    return _Builder(path).run(instructions)


def substitute(value: str, env: dict[str, str]) -> tuple[str, bool]:
    """``$VAR``/``${VAR}``/``${VAR:-default}``/``${VAR:+alt}`` with the values
    known; the flag says whether some variable stayed unknown."""
    unknown = False

    def one(m: re.Match) -> str:
        nonlocal unknown
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3) or ""
        val = env.get(name)
        if op and op.endswith("-"):
            return val if val else word
        if op and op.endswith("+"):
            return word if val else ""
        if val is None:
            unknown = True
            return m.group(0)
        return val

    return _VAR.sub(one, value), unknown


def image_ref(raw: str, stage_names: dict[str, int], unresolved: bool, from_arg: bool = False) -> ImageRef:
    if raw.lower() in stage_names:
        return ImageRef(raw=raw, name=raw, stage=stage_names[raw.lower()])
    name, _, digest = raw.partition("@")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return ImageRef(raw=raw, name=name.lower(), tag=tag or None, digest=digest or None, unresolved=unresolved,
                    from_arg=from_arg)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.global_args: dict[str, str] = {}
        self.stages: list[Stage] = []
        self.stage_names: dict[str, int] = {}
        self.env_only: list[dict[str, str]] = []  # ENV (not ARG) per stage: what a FROM <stage> inherits

    def run(self, instructions) -> DockerfileFacts:
        for ins in instructions:
            cmd = ins.cmd.upper()
            if cmd == "FROM":
                self._from(ins)
            elif not self.stages:
                if cmd == "ARG":
                    for name, value in self._arg_pairs(ins, self.global_args):
                        self.global_args[name] = value
            else:
                handler = getattr(self, "_" + cmd.lower(), None)
                if handler is not None:
                    handler(ins, self.stages[-1])
        return DockerfileFacts(path=self.path, stages=self.stages, global_args=self.global_args)

    # -- instructions ------------------------------------------------------

    def _from(self, ins) -> None:
        words = list(ins.value)
        raw = words[0] if words else ""
        value, unknown = substitute(raw, self.global_args)
        ref = image_ref(value, self.stage_names, unknown, from_arg=_WHOLE_ARG.fullmatch(raw.strip()) is not None)
        stage = Stage(index=len(self.stages), line=ins.start_line, base=ref)
        if len(words) >= 3 and words[1].upper() == "AS":
            stage.name = words[2]
            self.stage_names[words[2].lower()] = stage.index
        env: dict[str, str] = {}
        if ref.stage is not None:
            parent = self.stages[ref.stage]
            env = dict(self.env_only[ref.stage])
            stage.env = dict(env)
            stage.env_lines = {k: v for k, v in parent.env_lines.items() if k in env}
            stage.user, stage.user_line = parent.user, parent.user_line
            stage.entrypoint, stage.cmd, stage.shell = parent.entrypoint, parent.cmd, parent.shell
            stage.go_version = parent.go_version
        else:
            stage.go_version = images.go_version(ref)
        self.env_only.append(env)
        self.stages.append(stage)

    def _arg_pairs(self, ins, defaults: dict[str, str]):
        for item in ins.value:
            name, eq, value = item.partition("=")
            if eq:
                yield name, substitute(_unquote(value), defaults)[0]
            elif name in self.global_args:
                yield name, self.global_args[name]

    def _arg(self, ins, stage: Stage) -> None:
        for name, value in self._arg_pairs(ins, stage.env):
            stage.env[name] = value
            stage.env_lines[name] = ins.start_line

    def _env(self, ins, stage: Stage) -> None:
        values = list(ins.value)
        for name, value in zip(values[::2], values[1::2]):
            value = substitute(_unquote(value), stage.env)[0]
            stage.env[name] = value
            stage.env_lines[name] = ins.start_line
            self.env_only[stage.index][name] = value

    def _user(self, ins, stage: Stage) -> None:
        if ins.value:
            stage.user = substitute(ins.value[0], stage.env)[0]
            stage.user_line = ins.start_line

    def _shell(self, ins, stage: Stage) -> None:
        if ins.json:
            stage.shell = list(ins.value)

    def _command(self, ins, stage: Stage) -> ContainerCommand:
        if ins.json:
            return ContainerCommand(line=ins.start_line, form="exec", argv=list(ins.value), text=ins.original)
        text = ins.value[0] if ins.value else ""
        return ContainerCommand(line=ins.start_line, form="shell", argv=[*(stage.shell or _DEFAULT_SHELL), text], text=text)

    def _entrypoint(self, ins, stage: Stage) -> None:
        stage.entrypoint = self._command(ins, stage)
        stage.cmd = None  # Docker resets an inherited CMD when ENTRYPOINT is set
        if ins.json and ins.value and ins.value[0].rsplit("/", 1)[-1] in _PRIVILEGE_DROP_START:
            stage.privilege_drop_line = stage.privilege_drop_line or ins.start_line

    def _cmd(self, ins, stage: Stage) -> None:
        stage.cmd = self._command(ins, stage)

    def _copy(self, ins, stage: Stage) -> None:
        values = list(ins.value)
        if len(values) < 2 or ins.heredocs:
            return
        step = CopyStep(line=ins.start_line, instruction=ins.cmd.upper(), sources=values[:-1], dest=values[-1])
        for flag in ins.flags:
            if flag.startswith("--from="):
                src = substitute(flag[len("--from="):], stage.env)[0]
                if src.lower() in self.stage_names:
                    step.from_stage = self.stage_names[src.lower()]
                elif src.isdigit() and int(src) < len(self.stages):
                    step.from_stage = int(src)
                else:
                    step.from_image = src
        if step.from_stage is None and step.from_image is None:
            step.whole_context = any(s in _WHOLE_CONTEXT for s in step.sources)
        stage.copies.append(step)

    _add = _copy

    def _run(self, ins, stage: Stage) -> None:
        if ins.json:
            commands = [SimpleCommand(list(ins.value))]
        else:
            script = "\n".join(h.content for h in ins.heredocs) if ins.heredocs else (ins.value[0] if ins.value else "")
            commands = parse_script(script).commands
        local = dict(stage.env)  # export FOO=1 / FOO=1; carry to later commands of this RUN
        for c in commands:
            if not c.words:
                local.update(c.assignments)
                continue
            env = {**local, **c.assignments}
            words = _through_env(c.words, env)
            if words[:1] == ["export"]:
                for item in words[1:]:
                    name, eq, value = item.partition("=")
                    if eq:
                        local[name] = value
                continue
            self._run_command(ins.start_line, words, env, stage)

    def _run_command(self, line: int, words: list[str], env: dict[str, str], stage: Stage) -> None:
        prog = words[0].rsplit("/", 1)[-1] if words else ""
        if prog in ("apk", "apt-get", "apt", "yum", "dnf", "microdnf") and _C_TOOLCHAIN.search(" ".join(words[1:])):
            stage.c_toolchain_line = stage.c_toolchain_line or line
        if prog in ("apk", "apt-get", "apt", "yum", "dnf", "microdnf", "curl", "wget") and \
                _PRIVILEGE_DROP.search(" ".join(words[1:])):
            stage.privilege_drop_line = stage.privilege_drop_line or line
        if prog != "go" or len(words) < 2:
            return
        sub = words[1]
        if sub in ("build", "install"):
            stage.go_builds.append(_go_build(line, sub, words[2:], env))
        elif sub == "run":
            stage.go_run_lines.append(line)
        elif sub == "mod" and words[2:3] == ["download"]:
            stage.mod_download_lines.append(line)
        elif sub == "env" and "-w" in words:
            for item in words[2:]:
                name, eq, value = item.partition("=")
                if eq:
                    stage.env[name] = value
                    stage.env_lines[name] = line
                    self.env_only[stage.index][name] = value


def _through_env(words: list[str], env: dict[str, str]) -> list[str]:
    """``env CGO_ENABLED=0 go build``: fold env's assignments into ``env``."""
    out = list(words)
    while out and out[0] in ("env", "exec", "command"):
        out.pop(0)
        while out and "=" in out[0] and not out[0].startswith("-"):
            name, _, value = out.pop(0).partition("=")
            env[name] = value
        while out and out[0].startswith("-") and out[0] != "--":
            out.pop(0)
    return out


def _go_build(line: int, command: str, args: list[str], env: dict[str, str]) -> GoBuild:
    flags: list[str] = []
    targets: list[str] = []
    values: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and a != "-":
            name, eq, value = a.partition("=")
            name = "-" + name.lstrip("-")
            if not eq and name in _VALUE_FLAGS and i + 1 < len(args):
                value = args[i + 1]
                i += 1
            flags.append(name if not (eq or name in _VALUE_FLAGS) else f"{name}={value}")
            values[name] = value if (eq or name in _VALUE_FLAGS) else "true"
        else:
            targets.append(a)
        i += 1
    goflags = env.get("GOFLAGS", "")
    trimpath = values.get("-trimpath", "") not in ("", "false") or "-trimpath" in goflags.split()
    ldflags = values.get("-ldflags", "")
    static = "-extldflags" in ldflags and "-static" in ldflags.replace("-extldflags", "")
    cgo = env.get("CGO_ENABLED")
    tags = [t for t in re.split(r"[,\s]+", values.get("-tags", "")) if t]
    return GoBuild(line=line, command=command, flags=flags, targets=targets, output=values.get("-o"),
                   trimpath=trimpath, cgo_enabled=cgo, static_link=static, tags=tags)
