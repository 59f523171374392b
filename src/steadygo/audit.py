"""What a report says it audited: modules, VCS revision and dirty state, when,
with which steadygo, by which command line.  Read once per report, bounded
(git gets two seconds), never failing the run: an unknown is shown as such."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from dataclasses import dataclass

from steadygo import __version__
from steadygo.redact import redact


@dataclass(frozen=True)
class Audit:
    modules: tuple[str, ...]
    revision: str | None  # short commit id
    dirty: bool | None  # tracked files changed since it; None when unknown
    when: str  # UTC, minutes
    version: str
    command: str  # secrets masked


def _git(base: str, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", base, *args], capture_output=True, text=True, timeout=2,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def collect(result, base: str, argv: list[str] | None = None) -> Audit:
    rev = _git(base, "rev-parse", "--short=12", "HEAD")
    status = _git(base, "status", "--porcelain", "--untracked-files=no") if rev else None
    modules = tuple(sorted({f.module for f in (getattr(result, "module_facts", None) or {}).values() if f.module}))
    args = argv if argv is not None else sys.argv[1:]
    return Audit(
        modules=modules,
        revision=rev.strip() if rev else None,
        dirty=(bool(status.strip()) if status is not None else None),
        when=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        command=redact(" ".join(["steadygo", *args])),
    )
