"""govulncheck, offline, for the go.mod files of a scan (SG716).

Runs only when a local vulnerability database is given (``--vulndb DIR`` or
``[build] vulndb``) and a ``govulncheck`` binary is found; it never
downloads: the database is read from ``file://DIR``, modules come from the
module cache (``GOPROXY=off``, ``GOSUMDB=off``), the toolchain is the local
one (``GOTOOLCHAIN=local``).  ``-mod=readonly`` (``-mod=vendor`` for a
vendored module), not ``-mod=mod``: with ``-mod=mod`` the go command that
govulncheck runs rewrites an untidy go.mod (it added ``go 1.27.3`` to one
without a go line) and asks sum.golang.org for a missing go.sum line; a check
must do neither.  What could not run is said once per scan, with the reason.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass

from steadygo.artifacts import govulncheck_json
from steadygo.artifacts.facts import GoModFacts
from steadygo.discovery import Diagnostic

VERSION = "v1.9.0"  # the release steadygo reads the JSON of (protocol v1.0.0)
INSTALL = f"go install golang.org/x/vuln/cmd/govulncheck@{VERSION}"
DEFAULT_TIMEOUT_SECONDS = 300
NO_DB = "no vulnerability database given (--vulndb DIR, or vulndb under [build] in .steadygo.toml)"
# govulncheck's boilerplate around the first real error of a failed package load
_NOISE = re.compile(r"govulncheck: loading packages:|There are errors with the provided package patterns:|"
                    r"For details on package patterns, see.*|")
# 'govulncheck: loading packages: err: exit status 1: stderr: go: ...': the go command's own line
_WRAPPED = re.compile(r"^(?:govulncheck: )?(?:loading packages: )?(?:err: exit status \d+: stderr: )?")


@dataclass(frozen=True)
class VulnRequest:
    """What the run asks for: the database directory (None: not given) and
    how long govulncheck may take over the whole scan, all modules together
    (``[rules.vulnerable-dependency] timeout-seconds``)."""

    db: str | None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    roles: tuple[str, ...] = ("service",)  # artifact roles of the go.mod files worth the run (artifacts.roles)
    say_no_db: bool = True  # without a database: say so (SG716 named by the user), or stay quiet


def database_problem(directory: str) -> str | None:
    """Why ``directory`` is not a vulnerability database govulncheck reads
    from ``file://`` (the layout of https://go.dev/security/vuln/database#api:
    index/db.json, index/modules.json, ID/<id>.json), or None."""
    import json

    if not os.path.exists(directory):
        return "no such directory"
    if not os.path.isdir(directory):
        return "not a directory"
    for name in ("db.json", "modules.json"):
        path = os.path.join(directory, "index", name)
        try:
            with open(path, "rb") as fh:
                json.loads(fh.read())
        except FileNotFoundError:
            return (f"not a Go vulnerability database: no index/{name} (expected index/db.json, "
                    "index/modules.json and ID/<id>.json)")
        except (OSError, ValueError) as exc:
            return f"index/{name} is unusable ({getattr(exc, 'strerror', None) or exc})"[:300]
    if not os.path.isdir(os.path.join(directory, "ID")):
        return "not a Go vulnerability database: no ID/ directory of OSV entries"
    return None


@dataclass(frozen=True)
class VulnTool:
    exe: str | None  # the govulncheck binary
    reason: str | None  # why nothing can run, None when it can


def find_tool(request: VulnRequest) -> VulnTool:
    if request.db is None:
        return VulnTool(None, NO_DB)
    exe = _find_govulncheck()
    if exe is None:
        return VulnTool(None, f"govulncheck is not installed (not on PATH, in $GOBIN or in $GOPATH/bin); "
                              f"install it with `{INSTALL}`")
    if shutil.which("go") is None:
        return VulnTool(exe, "no `go` command on PATH (govulncheck runs it to load the packages)")
    return VulnTool(exe, None)


def _find_govulncheck() -> str | None:
    """PATH first, then where ``go install`` puts it ($GOBIN, else the first
    $GOPATH entry's bin, else ~/go/bin): it is often not on PATH."""
    found = shutil.which("govulncheck")
    if found:
        return found
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0] or os.path.join(os.path.expanduser("~"), "go")
    for directory in (os.environ.get("GOBIN"), os.path.join(gopath, "bin")):
        candidate = os.path.join(directory, "govulncheck") if directory else None
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _env(vendored: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOFLAGS="-mod=vendor" if vendored else "-mod=readonly", GOPROXY="off", GOSUMDB="off",
               GOTOOLCHAIN="local", GOWORK="off")
    return env


def check_all(mods: list[GoModFacts], dirs: dict[str, str], request: VulnRequest) -> Diagnostic | None:
    """Run over every go.mod of ``mods`` whose role the rule judges (a test
    fixture's go.mod is not worth a minute of govulncheck), one after
    another within the scan's time budget; the one line to say, if any."""
    import time

    from steadygo.artifacts.roles import artifact_role, role_in_project

    if request.db is None and not request.say_no_db:
        return None
    tool = find_tool(request)
    deadline = time.monotonic() + request.timeout
    # judged inside its project, like every artifact (artifacts.roles), when its directory is known
    judged = [m for m in mods if (role_in_project(os.path.join(dirs[m.path], "go.mod"), "/") if m.path in dirs
                                  else artifact_role(m.path)) in request.roles]
    for mod in judged:
        directory = dirs.get(mod.path)
        if directory is None:
            mod.vuln_state, mod.vuln_reason = "not-run", "go.mod given as text, no module directory to check"
        else:
            check(mod, directory, tool, request, deadline - time.monotonic())
    return summary(judged)


def check(facts: GoModFacts, module_dir: str, tool: VulnTool, request: VulnRequest, seconds_left: float) -> None:
    """Fill ``facts.vuln_*`` from govulncheck run over ``./...`` in
    ``module_dir``, stopped after ``seconds_left``."""
    if tool.reason is not None:
        facts.vuln_state, facts.vuln_reason = "not-run", tool.reason
        return
    over = (f"govulncheck did not finish within the {request.timeout:g} s SG716 allows a scan "
            "([rules.vulnerable-dependency] timeout-seconds)")
    if seconds_left <= 0:
        facts.vuln_state, facts.vuln_reason = "not-run", over
        return
    argv = [tool.exe, "-db", _file_url(request.db), "-format", "json", "./..."]
    try:
        code, out, err = _run(argv, module_dir, _env(facts.vendored), seconds_left)
    except subprocess.TimeoutExpired:
        facts.vuln_state, facts.vuln_reason = "not-run", over
        return
    except OSError as exc:
        facts.vuln_state, facts.vuln_reason = "not-run", f"govulncheck could not start ({exc.strerror or exc})"
        return
    if code != 0 and "no packages matched the provided patterns" in err:
        facts.vuln_state = "checked"  # a module without Go packages of its own (a root of nested modules)
        return
    if code != 0:
        facts.vuln_state, facts.vuln_reason = "not-run", _failure(err, module_dir)
        return
    try:
        found = govulncheck_json.vulnerabilities(out, facts.module, posixpath.dirname(facts.path))
    except govulncheck_json.StreamError as exc:
        facts.vuln_state, facts.vuln_reason = "not-run", f"govulncheck {exc}"
        return
    facts.vuln_state, facts.vulns = "checked", found


def _file_url(directory: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(directory)).as_uri()


def _run(argv: list[str], cwd: str, env: dict, timeout: float) -> tuple[int, str, str]:
    """Run in its own process group, so a timeout stops govulncheck and the
    go commands it started (a killed parent alone leaves them holding the
    pipes, and the wait would never end)."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=max(timeout, 0.1))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.communicate()
        raise
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _failure(stderr: str, module_dir: str) -> str:
    """The first line that says what went wrong, paths shown relative to the module."""
    lines = [ln.strip() for ln in stderr.splitlines()]
    useful = [ln for ln in lines if not _NOISE.fullmatch(ln)]
    first = _WRAPPED.sub("", (useful or ["no output"])[0], count=1)
    first = re.sub(r";\s*to update it:$", "", first.replace(os.path.abspath(module_dir) + os.sep, ""))
    if "lookup disabled by GOPROXY=off" in first:
        first += " (modules missing from the module cache are not downloaded; `go mod download` fills it)"
    elif "disabled by -mod=readonly" in first:
        first += " (steadygo does not edit go.mod; `go mod tidy` does)"
    return f"govulncheck failed: {first[:300]}"


def summary(mods: list[GoModFacts]) -> Diagnostic | None:
    """One info line for the whole scan: which go.mod files govulncheck did
    not check, and why (the commonest reason first)."""
    skipped = [m for m in mods if m.vuln_state == "not-run"]
    if not skipped:
        return None
    counts: dict[str, int] = {}
    for m in skipped:
        counts[m.vuln_reason or ""] = counts.get(m.vuln_reason or "", 0) + 1
    reasons = sorted(counts, key=lambda r: (-counts[r], r))
    more = f"; {len(reasons) - 1} other reason(s), e.g. {reasons[1]}" if len(reasons) > 1 else ""
    done = sum(m.vuln_state == "checked" for m in mods)
    return Diagnostic(skipped[0].path, f"SG716 govulncheck did not check {len(skipped)} go.mod file(s) "
                                       f"(checked: {done}): {reasons[0]}{more}", level="info")
