"""The go.mod parser (golang/gomod.py), the release table behind SG710, and
the ``as-of`` option from a config file."""

from __future__ import annotations

import datetime
import subprocess
import sys

from hypothesis import given, settings, strategies as st

from steadygo.golang import go_releases, gomod
from steadygo.golang.module import read_go_mod

GO_MOD = '''// comment before the module line
module "example.com/svc" // quoted, as old go.mod files write it

go 1.26.2

toolchain go1.27.3

require github.com/google/uuid v1.6.0

require (
\tgolang.org/x/sync v0.10.0 //indirect
\tgithub.com/example/lib v1.2.4-0.20240312101500-0123456789ab // indirect; note
\t"gopkg.in/yaml.v3" v3.0.1
\tlocal/nodot v1.0.0
)

replace github.com/example/lib v1.2.4-0.20240312101500-0123456789ab => ../lib

replace (
\tgopkg.in/yaml.v3 => github.com/example/yaml v3.0.2
\texample.com/win => C:\\src\\win
)

exclude github.com/google/uuid v1.5.0
'''


def test_parse_reads_every_directive_with_its_line():
    f = gomod.parse(GO_MOD)
    assert (f.module, f.module_line, f.go, f.go_line, f.toolchain, f.toolchain_line) == (
        "example.com/svc", 2, "1.26.2", 4, "go1.27.3", 6)
    assert [(r.path, r.version, r.line, r.indirect, r.pseudo) for r in f.requires] == [
        ("github.com/google/uuid", "v1.6.0", 8, False, False),
        ("golang.org/x/sync", "v0.10.0", 11, True, False),
        ("github.com/example/lib", "v1.2.4-0.20240312101500-0123456789ab", 12, True, True),
        ("gopkg.in/yaml.v3", "v3.0.1", 13, False, False),
        ("local/nodot", "v1.0.0", 14, False, False),
    ]  # the exclude line is not a requirement
    assert [(r.old_path, r.old_version, r.new_path, r.new_version, r.line, r.local) for r in f.replaces] == [
        ("github.com/example/lib", "v1.2.4-0.20240312101500-0123456789ab", "../lib", None, 17, True),
        ("gopkg.in/yaml.v3", None, "github.com/example/yaml", "v3.0.2", 20, False),
        ("example.com/win", None, "C:\\src\\win", None, 21, True),
    ]


def test_module_info_is_built_from_the_same_parser(tmp_path):
    (tmp_path / "go.mod").write_text(GO_MOD)
    info = read_go_mod(str(tmp_path / "go.mod"))
    assert (info.path, info.go_version) == ("example.com/svc", (1, 26))
    # direct, third-party requirements only
    assert info.requires == frozenset({"github.com/google/uuid", "gopkg.in/yaml.v3"})


def test_pseudo_version_forms():
    yes = ["v0.0.0-20240101000000-abcdef123456", "v1.2.4-0.20240101000000-abcdef123456",
           "v1.3.0-rc.1.0.20240101000000-abcdef123456", "v2.0.1-0.20190101000000-0123456789ab+incompatible",
           "v0.0.0-00010101000000-000000000000"]
    no = ["v1.6.0", "v1.3.0-rc.1", "v1.0.0-20240101", "v2.0.0+incompatible", "v0.0.0-2024010100000-abc",
          "1.2.4-0.20240101000000-abcdef123456"]
    assert [v for v in yes if not gomod.is_pseudo_version(v)] == []
    assert [v for v in no if gomod.is_pseudo_version(v)] == []


def test_go_release_forms():
    assert gomod.go_release("1.22") == (1, 22, 0)
    assert gomod.go_release("1.27.3") == (1, 27, 3)
    assert gomod.go_release("go1.21rc1") == (1, 21, 0)
    assert gomod.go_release("1.x") is None and gomod.go_release("default") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("modulegrqirtcha()=>/\"`.v0123456789 \t\n-")), max_size=300))
def test_parse_never_fails(text):
    f = gomod.parse(text)
    assert all(r.line >= 1 for r in f.requires)


def test_release_table_is_ordered_and_dated():
    table = go_releases.releases()
    assert [r.minor for r in table] == list(range(table[0].minor, table[-1].minor + 1)), "no gaps"
    assert all(a.date < b.date for a, b in zip(table, table[1:])), "dates increase with versions"


def test_support_follows_the_two_newest_releases():
    day = datetime.date(2026, 12, 1)  # 1.27 (2026-08-19) and 1.26 are out
    assert go_releases.support(1, 26, day).supported
    old = go_releases.support(1, 25, day)
    assert not old.supported and old.ended_by.name == "1.27" and [r.name for r in old.current] == ["1.27", "1.26"]
    assert go_releases.support(1, 25, datetime.date(2026, 8, 18)).supported  # the day before 1.27.0
    assert not go_releases.support(1, 24, datetime.date(2026, 2, 10)).supported  # 1.26.0's day
    assert go_releases.support(1, 30, day).supported  # newer than the table: not judged
    assert go_releases.support(1, 5, day).ended_by is None  # older than the table reaches


def test_as_of_option_from_the_config_file(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.25\n")
    (tmp_path / ".steadygo.toml").write_text("[rules.go-directive-unsupported-release]\nas-of = 2026-05-01\n")
    run = [sys.executable, "-m", "steadygo", "check", ".", "--select", "SG710"]
    quiet = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and "SG710" not in quiet.stdout, quiet.stdout + quiet.stderr
    (tmp_path / ".steadygo.toml").write_text("[rules.go-directive-unsupported-release]\nas-of = 2026-09-01\n")
    loud = subprocess.run(run + ["--fail-on", "info"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert loud.returncode == 1 and "go.mod\n  3:1: SG710" in loud.stdout, loud.stdout + loud.stderr
    (tmp_path / ".steadygo.toml").write_text('[rules.go-directive-unsupported-release]\nas-of = "soon"\n')
    bad = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "as-of" in bad.stderr and "Traceback" not in bad.stderr


def test_suppression_in_go_mod(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.27\n\nrequire github.com/example/x "
                                     "v0.0.0-20240101000000-abcdef123456 // steadygo:ignore SG714 -- vendor fork\n")
    done = subprocess.run([sys.executable, "-m", "steadygo", "check", ".", "--select", "SG714", "--fail-on", "info"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "SG714" not in done.stdout, done.stdout + done.stderr


def test_go_mod_facts_round_trip_through_json(tmp_path):
    import json

    from steadygo.artifacts.collect import collect
    from steadygo.artifacts.facts import ArtifactFacts

    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "go.sum").write_text("github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n")
    facts = collect([str(tmp_path / "go.mod")], str(tmp_path)).facts
    (mod,) = facts.go_mods
    assert (mod.path, mod.sum_state, mod.sum_path, mod.summed) == (
        "go.mod", "present", "go.sum", ["github.com/google/uuid v1.6.0"])
    assert [r.pseudo for r in mod.requires] == [False, False, True, False, False]
    back = ArtifactFacts.from_dict(json.loads(json.dumps(facts.to_dict())))
    assert back == facts
