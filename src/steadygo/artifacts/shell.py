"""Just enough of a POSIX shell lexer to answer what the build and deploy
rules ask of a ``sh -c`` string or a ``RUN`` line: which simple commands it
runs, with which variable assignments, joined by which operators, and whether
the shell hands its process over (``exec``) to the last one.

``shlex`` with ``punctuation_chars`` splits on the operators; quoting, escapes
and ``$(...)`` inside a word are kept as one token.  Compound commands
(``if``/``for``/``while``/subshells) are recognised only far enough to say the
command is not a plain list.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_LIST_OPS = {";", "&&", "||", "&", "|", "|&", "\n"}
_REDIRECT = re.compile(r"^[0-9]*[<>][<>&|]*$|^&>>?$")
_COMPOUND_WORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "{", "}",
                   "(", ")", "function"}


@dataclass
class SimpleCommand:
    words: list[str]  # argv, assignments and redirections removed
    assignments: dict[str, str] = field(default_factory=dict)  # FOO=1 before the command word
    redirected: bool = False
    op_after: str = ""  # the operator that follows (';', '&&', '|', ...), '' at the end

    @property
    def name(self) -> str:
        return self.words[0] if self.words else ""


@dataclass
class Script:
    commands: list[SimpleCommand]
    compound: bool  # if/for/while/case/subshell/function: not a plain list
    parsed: bool  # False when the lexer gave up (unbalanced quotes)


def parse_script(text: str) -> Script:
    # A newline ends a command like ';' does (heredoc RUN scripts, multi-line
    # sh -c strings); inside quotes this is wrong, and harmless for our questions.
    text = text.replace("\\\n", " ").replace("\n", " ; ")
    lex = shlex.shlex(text, posix=True, punctuation_chars=True)
    lex.whitespace = " \t\r"
    lex.whitespace_split = True
    lex.commenters = "#"
    try:
        tokens = list(lex)
    except ValueError:  # unbalanced quotes: keep the words we can
        return Script([SimpleCommand(text.split())], compound=False, parsed=False)
    commands: list[SimpleCommand] = []
    compound = False
    cur = SimpleCommand([])
    expect_target = False
    for tok in tokens:
        if expect_target:
            expect_target = False
            continue
        if tok in _LIST_OPS or tok == ";;":
            cur.op_after = tok
            if cur.words or cur.assignments:
                commands.append(cur)
            cur = SimpleCommand([])
            continue
        if tok in ("(", ")"):
            compound = True
            continue
        if _REDIRECT.match(tok):
            cur.redirected = True
            expect_target = True
            # '2>&1' lexes as '2', '>&', '1': the fd number is not an argument
            if cur.words and cur.words[-1].isdigit() and not tok[0].isdigit():
                cur.words.pop()
            continue
        if not cur.words and _ASSIGNMENT.match(tok):
            name, _, value = tok.partition("=")
            cur.assignments[name] = value
            continue
        if not cur.words and tok in _COMPOUND_WORDS:
            compound = True
            continue
        cur.words.append(tok)
    if cur.words or cur.assignments:
        commands.append(cur)
    return Script(commands, compound=compound, parsed=True)


# How each shell treats the last command of ``sh -c STRING`` (measured with a
# Go binary that logs SIGTERM; see docs/rules/SG701.md for the table):
#   dash 0.5.12 (Debian/Ubuntu /bin/sh): never execs; only ``exec prog`` hands over.
#   bash 5.2: execs the last simple command of a ';', '&&', '||' list, unless
#     it has a redirection, a trap is set, or it sits in a compound command.
#   busybox ash 1.35 (Alpine /bin/sh): execs the last simple command, also with
#     a redirection or inside a subshell/if; not after a trap.
#   All three: a command in a pipeline or in the background is never exec'd.
SHELL_KINDS = ("dash", "bash", "busybox")

# Commands that are never the service itself: when one of these is the last
# command, the service ran earlier in the list and the shell kept PID 1.
_UTILITIES = {"echo", "printf", "true", "false", ":", "cd", "export", "set", "unset", "sleep", "test", "[", "mkdir",
              "chmod", "chown", "cp", "mv", "rm", "ln", "touch", "cat", "ls", "wait", "trap", "umask", "ulimit",
              "source", ".", "eval", "shift", "read", "env", "exit", "return"}


def main_command(script: Script) -> SimpleCommand | None:
    """The command that is the service: the last one that is not a shell
    utility (``./server`` in ``cd /app && ./server``)."""
    for cmd in reversed(script.commands):
        word = _program(cmd)
        if word and word not in _UTILITIES:
            return cmd
    return None


def _program(cmd: SimpleCommand) -> str:
    """The program a command runs, looking through ``exec``/``env`` prefixes."""
    words = list(cmd.words)
    while words and words[0] in ("exec", "env", "command", "nohup"):
        words.pop(0)
        while words and (words[0].startswith("-") or _ASSIGNMENT.match(words[0])):
            words.pop(0)
    return words[0].rsplit("/", 1)[-1] if words else ""


def hands_over(script: Script, shell: str) -> bool:
    """Whether the shell running ``script`` ends up replaced by the service
    process, so SIGTERM sent to PID 1 reaches it."""
    main = main_command(script)
    if main is None:
        return True  # nothing that looks like a service: not this question
    if main.words and main.words[0] in ("exec",) and main.op_after not in ("|", "&", "|&"):
        return True
    is_last = script.commands and script.commands[-1] is main
    if not is_last or main.op_after in ("|", "&", "|&"):
        return False
    before = script.commands[: script.commands.index(main)]
    if any(c.op_after in ("|", "|&") for c in before[-1:]):
        return False  # the main command is the right side of a pipeline
    if any(c.name == "trap" for c in before):
        return False
    if shell == "dash":
        return False
    if shell == "bash":
        return not main.redirected and not script.compound
    if shell == "busybox":
        return True
    return False


def hands_over_everywhere(script: Script) -> bool:
    return all(hands_over(script, s) for s in SHELL_KINDS)


def hands_over_somewhere(script: Script) -> bool:
    return any(hands_over(script, s) for s in SHELL_KINDS)
