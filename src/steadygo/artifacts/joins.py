"""Questions the cross-artifact rules ask about one deployed container whose
image and code are known (``links.Joined``): how long its preStop waits,
what PID 1 it starts, which ports and paths its Go code serves."""

from __future__ import annotations

import os
import re

from steadygo.artifacts import images
from steadygo.artifacts.facts import Container, DockerfileFacts
from steadygo.artifacts.links import Joined
from steadygo.artifacts.process import StartCommand, image_start, start_command

SLEEP_PROGRAMS = {"sleep"}


def by_module(joined: list[Joined]) -> dict[str, list[Joined]]:
    out: dict[str, list[Joined]] = {}
    for j in joined:
        if j.module_root:
            out.setdefault(j.module_root, []).append(j)
    return out


def pre_stop_seconds(c: Container) -> float | None:
    """Seconds a preStop hook waits: the ``sleep`` action, ``exec: [sleep, N]``
    or ``sh -c "sleep N"``; 0 without a hook; None when it does something else
    (an HTTP call, a script) whose duration is unknown."""
    if c.pre_stop_kind is None:
        return 0.0
    argv = c.pre_stop or []
    if c.pre_stop_kind == "sleep" or (argv and os.path.basename(argv[0]) in SLEEP_PROGRAMS):
        return _seconds(argv[1]) if len(argv) == 2 else None
    if c.pre_stop_kind == "exec" and len(argv) == 3 and os.path.basename(argv[0]) in ("sh", "bash", "ash") and argv[1] == "-c":
        words = argv[2].split()
        if len(words) == 2 and words[0] in SLEEP_PROGRAMS:
            return _seconds(words[1])
    return None


_SHELLS = {"sh", "bash", "ash", "dash"}


def pre_stop_program_missing(j: Joined) -> str | None:
    """The program (``sleep``, ``sh``) a preStop ``exec`` hook runs that the
    linked image's final stage does not have (scratch, distroless), or None:
    no exec hook, the image has a shell or the program copied in, or the
    image is unknown (no claim)."""
    c = j.container
    if c.pre_stop_kind != "exec" or not c.pre_stop or j.dockerfile is None:
        return None
    if image_shell(j.dockerfile) != "none":
        return None  # a shell image has sleep; an unknown image: no claim
    program = os.path.basename(c.pre_stop[0])
    if not (program in _SHELLS or program == "sleep") or image_has_program(j.dockerfile, program):
        return None
    return program


def _seconds(text: str) -> float | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)s?", text.strip())
    return float(m.group(1)) if m else None


def container_start(j: Joined) -> StartCommand | None:
    """PID 1 of the container: Kubernetes ``command`` replaces the image's
    ENTRYPOINT (and drops its CMD), ``args`` replaces CMD."""
    c = j.container
    final = j.dockerfile.final if j.dockerfile is not None else None
    if c.command is not None:
        return StartCommand(list(c.command.argv) + list(c.args or []), c.command.line, False)
    if final is None:
        return None
    if c.args is not None:
        if final.entrypoint is not None and final.entrypoint.form == "exec":
            return StartCommand(list(final.entrypoint.argv) + list(c.args), c.line, False)
        if final.entrypoint is None:
            return StartCommand(list(c.args), c.line, False)
        return start_command(final.entrypoint, None)
    return image_start(final)


def image_shell(df: DockerfileFacts | None) -> str | None:
    """The final image's shell: dash | bash | busybox | none | None (unknown)."""
    if df is None or df.final is None:
        return None
    return images.shell_kind(images.external_base(df, df.final))


def image_has_program(df: DockerfileFacts, program: str) -> bool:
    """A program copied into the final stage (``COPY --from=busybox /bin/sleep``)
    or installed there: the image's base alone does not decide."""
    final = df.final
    name = os.path.basename(program)
    for step in final.copies if final is not None else ():
        if any(os.path.basename(s.rstrip("/")) in (name, "busybox", "bin") for s in step.sources) or \
                os.path.basename(step.dest.rstrip("/")) == name:
            return True
    return False


def _segment(seg: str) -> str:
    if seg.startswith(("{", ":")):
        return ".*" if seg.endswith("...}") or seg.startswith("{$") and seg == "{$}" else "[^/]+"
    if seg.startswith("*"):
        return ".*"
    return re.escape(seg)


def _pattern_regex(pattern: str) -> re.Pattern:
    body = "/".join(_segment(seg) for seg in pattern.strip("/").split("/")) if pattern.strip("/") else ""
    return re.compile("/" + body + "/?" if body else "/")


def path_served(routes, health_endpoints, path: str) -> bool:
    """Whether a route of the code answers GET ``path``: the same path, a
    pattern with parameters matching it (``/{id}``, ``:id``, ``*``), a
    ``net/http`` subtree (``/debug/``, the catch-all ``/``), or a route whose
    group prefix the facts could not see (``/healthz`` registered on a router
    handed to a function as a parameter serves ``/api/healthz``).  Lenient on
    purpose: a probe is only reported when nothing could serve it."""
    path = "/" + (path.split("?", 1)[0].lstrip("/"))
    candidates = [(r.path, r.framework) for r in routes if r.method in ("", "GET", "HEAD")]
    candidates += [(h.path, "") for h in health_endpoints if h.method in ("", "GET", "HEAD")]
    for pattern, framework in candidates:
        if not pattern or not pattern.startswith("/"):
            continue
        if pattern.endswith("/") and path.startswith(pattern) and framework in ("net/http", "unknown", ""):
            return True  # a ServeMux subtree, and its catch-all "/"
        rx = _pattern_regex(pattern)
        if rx.fullmatch(path):
            return True
        # an unseen group prefix: the pattern matches the end of the path
        if pattern.strip("/") and any(rx.fullmatch("/" + path.split("/", i + 2)[-1])
                                      for i in range(path.count("/") - 1)):
            return True
    return False


def probe_health_endpoints(service, probe) -> list:
    """The code's health endpoints an httpGet probe asks for (same path, query
    and trailing slash aside), in the facts' order; none when there is no
    service or the probe is not an httpGet."""
    if service is None or probe is None or probe.handler != "httpGet" or probe.path is None:
        return []
    path = probe.path.split("?", 1)[0].rstrip("/") or "/"
    return [h for h in service.health_endpoints if (h.path.rstrip("/") or "/") == path]


def served_ports(service, c: Container) -> set[int] | None:
    """Ports the code listens on, with ``env:NAME`` addresses resolved from the
    container's env; None when any listener's port is unknown."""
    ports: set[int] = set()
    for listener in service.listeners:
        if listener.port is not None:
            ports.add(listener.port)
            continue
        if listener.addr_source.startswith("env:"):
            env = c.env_value(listener.addr_source[4:])
            m = re.search(r"(\d{1,5})$", env.value or "") if env is not None else None
            if m:
                ports.add(int(m.group(1)))
                continue
        return None
    return ports or None


