"""``go mod verify``, offline, for the go.mod files of a scan (SG715).

Runs only when the ``go`` command is on PATH and the user's module cache
exists; it never downloads anything (``GOPROXY=off``: a module missing from
the cache is "not verified", not fetched) and never switches toolchains
(``GOTOOLCHAIN=local``).  The cache is only read: ``go mod verify`` hashes
what is there and compares it with the hashes recorded when it was
downloaded.  What could not run is said once per scan, with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from steadygo.artifacts.facts import GoModFacts, GoVerifyProblem
from steadygo.discovery import Diagnostic

TIMEOUT_SECONDS = 60
NOT_IN_CACHE = "modules not in the module cache were not verified (offline: nothing is downloaded)"
# 'example.com/lib v1.0.0: dir has been modified (/root/go/pkg/mod/example.com/lib@v1.0.0)'
_MODIFIED = re.compile(r"^(\S+) (v\S+): (dir|zip) has been modified(?: \((.*)\))?\s*$")
_LOOKUP_OFF = re.compile(r"^go: (\S+)@(\S+): module lookup disabled by GOPROXY=off")


@dataclass(frozen=True)
class GoTool:
    go: str | None  # path of the go command, None when there is none
    modcache: str | None  # GOMODCACHE, None when it does not exist
    reason: str | None  # why verify cannot run at all, None when it can


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Offline and read-only: no proxy, no toolchain switch, no workspace.
    env.update(GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", GOWORK="off")
    return env


def find_tool() -> GoTool:
    go = shutil.which("go")
    if go is None:
        return GoTool(None, None, "no `go` command on PATH")
    try:
        done = subprocess.run([go, "env", "GOMODCACHE"], capture_output=True, text=True, env=_env(),
                              timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return GoTool(go, None, f"`go env GOMODCACHE` failed ({exc})")
    cache = done.stdout.strip()
    if done.returncode != 0 or not cache:
        return GoTool(go, None, f"`go env GOMODCACHE` failed: {_first_line(done.stderr)}")
    if not os.path.isdir(cache):
        return GoTool(go, None, f"no module cache at {cache} (steadygo never downloads; `go mod download` fills it)")
    if not os.listdir(cache):
        return GoTool(go, None, f"the module cache at {cache} is empty (steadygo never downloads; "
                                "`go mod download` fills it)")
    return GoTool(go, cache, None)


def verify(facts: GoModFacts, module_dir: str, tool: GoTool) -> None:
    """Fill ``facts.verify_*`` from ``go mod verify`` run in ``module_dir``."""
    if not any(not (rep and rep.local) for rep in (facts.replacement_for(r) for r in facts.requires)):
        facts.verify_state = "nothing"  # no module from the cache to check
        return
    if tool.reason is not None:
        facts.verify_state, facts.verify_reason = "not-run", tool.reason
        return
    try:
        done = subprocess.run([tool.go, "mod", "verify"], cwd=module_dir, capture_output=True, text=True,
                              env=_env(), timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        facts.verify_state, facts.verify_reason = "not-run", f"`go mod verify` took over {TIMEOUT_SECONDS} s"
        return
    except OSError as exc:
        facts.verify_state, facts.verify_reason = "not-run", f"`go mod verify` could not start ({exc.strerror})"
        return
    missing = []
    other = []
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        m = _MODIFIED.match(line.strip())
        if m:
            facts.verify_problems.append(GoVerifyProblem(m.group(1), m.group(2), f"{m.group(3)} has been modified"))
            continue
        m = _LOOKUP_OFF.match(line.strip())
        if m:
            missing.append(f"{m.group(1)}@{m.group(2)}")
        elif line.strip().startswith("go: "):
            other.append(line.strip())
    if done.returncode == 0:
        facts.verify_state = "verified"
    elif facts.verify_problems:
        facts.verify_state = "failed"
    else:
        facts.verify_state = "not-run"
    facts.verify_unchecked = missing
    if missing:
        facts.verify_reason = NOT_IN_CACHE
    elif other and not facts.verify_problems:
        facts.verify_reason = _first_line(other[0])


def summary(mods: list[GoModFacts]) -> Diagnostic | None:
    """One info line for the whole scan: which go.mod files were not fully
    verified, and why (the commonest reason first)."""
    skipped = [m for m in mods if m.verify_reason]
    if not skipped:
        return None
    counts: dict[str, int] = {}
    for m in skipped:
        counts[m.verify_reason] = counts.get(m.verify_reason, 0) + 1
    reasons = sorted(counts, key=lambda r: (-counts[r], r))
    first = reasons[0]
    if first == NOT_IN_CACHE:
        unchecked = sorted({u for m in skipped for u in m.verify_unchecked})
        first += f" ({len(unchecked)} module version(s), e.g. {unchecked[0]})"
    more = f"; {len(reasons) - 1} other reason(s), e.g. {reasons[1]}" if len(reasons) > 1 else ""
    full = sum(m.verify_state == "verified" or (m.verify_state == "failed" and not m.verify_reason) for m in mods)
    return Diagnostic(skipped[0].path, f"SG715 `go mod verify` did not fully check {len(skipped)} go.mod file(s) "
                                       f"(fully checked: {full}): {first}{more}", level="info")


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or ["no output"])[0][:300]
