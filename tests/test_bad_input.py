"""Bad input: one line naming the file, the scan goes on, exit code as documented."""

import builtins
import os

from steadygo.config import Config
from steadygo.engine import scan

from helpers import json_report, run_cli, write

GOOD_BAD = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":1", nil) }\n'


def _ids(proc):
    return sorted((f["path"], f["rule_id"]) for f in json_report(proc)["findings"])


def test_syntax_error_reported_once_and_rest_analysed(tmp_path):
    write(tmp_path / "broken.go", 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":1", nil)\n\tsrv := &http.Server{Addr: ":2"\n}\n\nfunc other() { x := ; }\n')
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    found = _ids(p)
    assert found.count(("broken.go", "SG000")) == 1
    assert ("broken.go", "SG101") in found  # the recovered part is still checked
    assert p.returncode == 1


def test_non_utf8_file(tmp_path):
    write(tmp_path / "latin1.go", b'package main\n\n// caf\xe9\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":1", nil) }\n', "wb")
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert _ids(p) == [("latin1.go", "SG101")]
    assert p.stderr == "steadygo: warning: latin1.go: not valid UTF-8 (byte 0xe9 at offset 20); analysed with replacement characters\n"


def test_huge_file_skipped(tmp_path):
    with open(tmp_path / "huge.go", "wb") as fh:
        fh.write(b"package main\n")
        fh.truncate(50 * 1024 * 1024)  # 50 MB
    write(tmp_path / "main.go", GOOD_BAD)
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert _ids(p) == [("main.go", "SG101")]
    assert p.stderr == "steadygo: warning: huge.go: file is 52.4 MB, over the max-file-size limit of 5.2 MB; skipped\n"
    assert p.returncode == 1


def test_binary_file_named_go(tmp_path):
    write(tmp_path / "blob.go", bytes(range(256)) * 40, "wb")
    write(tmp_path / "main.go", GOOD_BAD)
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert _ids(p) == [("main.go", "SG101")]
    assert p.stderr == "steadygo: warning: blob.go: binary content, not Go source; skipped\n"


def test_symlink_loop_and_broken_link(tmp_path):
    write(tmp_path / "svc" / "main.go", GOOD_BAD)
    os.symlink("..", tmp_path / "svc" / "loop")
    os.symlink("nowhere.go", tmp_path / "svc" / "dangling.go")
    os.symlink("svc", tmp_path / "alias")  # a second name for svc: scanned once, silently
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert _ids(p) == [("svc/main.go", "SG101")]
    assert sorted(p.stderr.splitlines()) == [
        "steadygo: warning: svc/dangling.go: broken symlink; skipped",
        "steadygo: warning: svc/loop: symlink loop; skipped",
    ]


def test_unreadable_file(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reads: simulate EACCES.
    write(tmp_path / "secret.go", GOOD_BAD)
    write(tmp_path / "main.go", GOOD_BAD)
    real_open = builtins.open

    def fake_open(path, *a, **k):
        if str(path).endswith("secret.go"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", fake_open)
    res = scan([str(tmp_path)], Config(preview=True, select=["SG1", "SG0"]), use_cache=False, jobs=1, base=str(tmp_path))
    assert [(f.path, f.rule_id) for f in res.active] == [("main.go", "SG101")]
    assert [d.line() for d in res.diagnostics] == ["secret.go: cannot read: Permission denied"]


def test_missing_path_is_exit_2_but_rest_is_scanned(tmp_path):
    write(tmp_path / "main.go", GOOD_BAD)
    p = run_cli("check", "--preview", "main.go", "does-not-exist", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert p.returncode == 2
    assert _ids(p) == [("main.go", "SG101")]
    assert p.stderr == "steadygo: error: does-not-exist: no such file or directory\n"


def test_deeply_nested_code_does_not_crash(tmp_path):
    depth = 3000
    body = "if true {\n" * depth + "http.ListenAndServe(\":1\", nil)\n" + "}\n" * depth
    write(tmp_path / "deep.go", f'package main\n\nimport "net/http"\n\nfunc main() {{\n{body}}}\n')
    p = run_cli("check", "--preview", ".", "--no-cache", "--isolated", "--select", "SG1,SG0", "--format", "json", cwd=tmp_path)
    assert ("deep.go", "SG101") in _ids(p)
