"""A tree with nothing to check is a usage error (exit 2, one line saying
what was looked for), not a green run; --allow-empty accepts it."""

from __future__ import annotations

import subprocess
import sys


def _check(*args, cwd):
    return subprocess.run([sys.executable, "-m", "steadygo", "check", ".", "--isolated", "--no-cache", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_nothing_to_check_exits_2_and_says_what_was_looked_for(tmp_path):
    (tmp_path / "README.md").write_text("no code here\n")
    proc = _check(cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nothing to check in .: no Go source files" in proc.stderr
    assert "--preview" in proc.stderr  # build/deploy files would need it
    with_preview = _check("--preview", cwd=tmp_path)
    assert with_preview.returncode == 2
    assert "no Go source files, Dockerfiles, go.mod or Kubernetes YAML" in with_preview.stderr


def test_allow_empty_accepts_it(tmp_path):
    proc = _check("--allow-empty", cwd=tmp_path)
    assert proc.returncode == 0 and "0 findings" in proc.stdout


def test_a_dockerfile_alone_is_something_to_check_with_preview(tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT ["/app"]\n')
    assert _check(cwd=tmp_path).returncode == 2
    assert _check("--preview", cwd=tmp_path).returncode in (0, 1)
