"""The shell model behind SG701, checked against what real shells did.

The table was measured on this machine (Debian dash 0.5.12, bash 5.2.15,
busybox ash 1.35.0) with a Go binary that logs SIGTERM: each shell ran
``sh -c FORM`` as PID 1 of a fresh PID namespace, SIGTERM went to PID 1, and
the row records whether the Go process received it (it does only when the
shell exec'd it).  benchmarks/shell_sigterm_probe.py re-measures it; docs/rules/SG701.md shows it.
"""

import pytest

from steadygo.artifacts.shell import hands_over, main_command, parse_script

MEASURED = {
    # form:                              (dash,  bash,  busybox)
    "./bin":                              (False, True,  True),
    "./bin --port 8080":                  (False, True,  True),
    "FOO=1 ./bin":                        (False, True,  True),
    "echo start >/dev/null; ./bin":       (False, True,  True),
    "cd /tmp/sgsig && ./bin":             (False, True,  True),
    "./bin; echo done >/dev/null":        (False, False, False),
    "exec ./bin":                         (True,  True,  True),
    "./bin | cat":                        (False, False, False),
    "./bin 2>&1":                         (False, False, True),
    "false || ./bin":                     (False, True,  True),
    "test -x ./bin && ./bin":             (False, True,  True),
    "trap 'echo x' INT; ./bin":           (False, False, False),
    "(./bin)":                            (False, False, True),
    "./bin & wait":                       (False, False, False),
    "if true; then ./bin; fi":            (False, False, True),
    "set -e; ./bin":                      (False, True,  True),
    "env FOO=1 ./bin":                    (False, True,  True),
}


@pytest.mark.parametrize("form", list(MEASURED))
@pytest.mark.parametrize("index,shell", list(enumerate(("dash", "bash", "busybox"))))
def test_model_matches_measured_shells(form, index, shell):
    assert hands_over(parse_script(form), shell) is MEASURED[form][index]


def test_main_command_skips_utilities():
    script = parse_script("cd /app && CGO_ENABLED=0 ./server --addr :8080; echo bye")
    main = main_command(script)
    assert main.words == ["./server", "--addr", ":8080"]
    assert main.assignments == {"CGO_ENABLED": "0"}


def test_redirect_fd_is_not_an_argument():
    (cmd,) = parse_script("./server 2>&1").commands
    assert cmd.words == ["./server"] and cmd.redirected


def test_unbalanced_quotes_do_not_raise():
    assert not parse_script("echo 'oops").parsed
