"""``[redis] max-clients`` (SG828's go-redis budget): read into the config,
and a bad table is one line naming the file and key, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from steadygo.config import from_dict


def test_max_clients_is_read():
    assert from_dict({"redis": {"max-clients": 500}}).redis_max_clients == 500
    assert from_dict({}).redis_max_clients is None


@pytest.mark.parametrize("toml,message", [
    ('[redis]\nmax-clients = "500"\n', "redis.max-clients: expected a whole number"),
    ('[redis]\nmax-clients = 0\n', "redis.max-clients: expected a whole number"),
    ('[redis]\nmaxclients = 5\n', "redis.maxclients: unknown key"),
    ('redis = 5\n', "redis: expected a table"),
])
def test_bad_redis_section_is_one_line_and_exit_2(tmp_path, toml, message):
    (tmp_path / ".steadygo.toml").write_text(toml)
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    p = subprocess.run([sys.executable, "-m", "steadygo", "check", "."], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and message in p.stderr, p.stderr
    assert ".steadygo.toml" in p.stderr and "Traceback" not in p.stderr
