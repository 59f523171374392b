"""What process a container starts as PID 1, and through which shell.

Docker's rules: an ENTRYPOINT in shell form runs ``/bin/sh -c`` (or the
``SHELL`` in force) and ignores CMD; an exec-form ENTRYPOINT gets CMD appended
as arguments; without ENTRYPOINT, CMD is the command.  Kubernetes
``command``/``args`` replace ENTRYPOINT/CMD the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from steadygo.artifacts.facts import ContainerCommand, Stage
from steadygo.artifacts.shell import Script, parse_script

_SHELLS = {"sh": None, "bash": "bash", "dash": "dash", "ash": "busybox"}  # None: whatever /bin/sh is


@dataclass
class StartCommand:
    argv: list[str]
    line: int  # the instruction that decides it
    shell_form: bool  # written in shell form (Docker adds the shell)


@dataclass
class ShellLaunch:
    """The container's PID 1 is a shell running ``script``."""

    shell: str | None  # dash | bash | busybox, or None for 'sh' (the image's /bin/sh)
    script: Script
    text: str
    line: int
    shell_form: bool


def start_command(entrypoint: ContainerCommand | None, cmd: ContainerCommand | None) -> StartCommand | None:
    if entrypoint is not None:
        if entrypoint.form == "shell":
            return StartCommand(list(entrypoint.argv), entrypoint.line, True)
        argv = list(entrypoint.argv) + (list(cmd.argv) if cmd is not None else [])
        return StartCommand(argv, entrypoint.line, False)
    if cmd is not None:
        return StartCommand(list(cmd.argv), cmd.line, cmd.form == "shell")
    return None


def image_start(stage: Stage) -> StartCommand | None:
    return start_command(stage.entrypoint, stage.cmd)


def strip_init(argv: list[str]) -> tuple[list[str], bool]:
    """Drop a tini/dumb-init wrapper; the flag says the wrapper signals the
    whole process group (dumb-init by default, ``tini -g``), which reaches the
    service even behind a shell."""
    if not argv:
        return argv, False
    prog = os.path.basename(argv[0])
    if prog not in ("tini", "tini-static", "dumb-init"):
        return argv, False
    rest = argv[1:]
    flags = []
    while rest and rest[0].startswith("-"):
        flag = rest.pop(0)
        if flag == "--":
            break
        flags.append(flag)
    if prog == "dumb-init":
        group = not ({"-c", "--single-child"} & set(flags))
    else:
        group = "-g" in flags
    return rest, group


def shell_launch(start: StartCommand) -> ShellLaunch | None:
    """The shell PID 1 runs, if the start command is ``sh -c SCRIPT``."""
    argv = start.argv
    if len(argv) < 3:
        return None
    prog = os.path.basename(argv[0])
    args = argv[1:]
    if prog == "busybox" and args[:1] in (["sh"], ["ash"]):
        prog, args = "ash", args[1:]
    if prog not in _SHELLS or not args:
        return None
    # -c may be grouped with other single-letter options: sh -ec 'script'
    while args and args[0].startswith("-") and "c" not in args[0]:
        args = args[1:]
    if not args or not args[0].startswith("-") or "c" not in args[0] or len(args) < 2:
        return None
    text = args[1]
    return ShellLaunch(shell=_SHELLS[prog], script=parse_script(text), text=text, line=start.line,
                       shell_form=start.shell_form)


@dataclass
class SignalVerdict:
    """What happens to SIGTERM sent to a container whose PID 1 is ``sh -c``."""

    launch: ShellLaunch
    shell: str | None  # dash | bash | busybox, None when the image's /bin/sh is unknown
    main: str  # the service's command line, as written in the script
    outcome: str  # no-shell-hands-over | this-shell-keeps-it | depends-on-shell


def sigterm_verdict(start: StartCommand, image_shell: str | None) -> SignalVerdict | None:
    """None when the signal reaches the service (exec form, ``exec``, a
    group-signalling init, a shell that execs the last command) or there is no
    shell at all (SG708's case); otherwise how it is lost.  The shells'
    behaviour is the measured table in ``artifacts.shell``."""
    from steadygo.artifacts.shell import SHELL_KINDS, hands_over, hands_over_somewhere, main_command

    argv, group_signals = strip_init(start.argv)
    if group_signals:
        return None
    launch = shell_launch(StartCommand(argv, start.line, start.shell_form))
    main = main_command(launch.script) if launch is not None else None
    if main is None:
        return None
    shell = launch.shell or image_shell
    if shell == "none":
        return None
    words = " ".join(main.words)
    if not hands_over_somewhere(launch.script):
        return SignalVerdict(launch, shell, words, "no-shell-hands-over")
    if shell in SHELL_KINDS:
        return None if hands_over(launch.script, shell) else SignalVerdict(launch, shell, words, "this-shell-keeps-it")
    return SignalVerdict(launch, None, words, "depends-on-shell")
