"""The lock analysis walks up front only the functions that can hold a lock
(golang.lock_order._analyse); the rest are walked when ``counterparts``
first needs them.  That second walk must add no edge, relock or blocked
operation: if it did, a function that can hold a lock was left out, and a
rule reading the facts before the second walk would miss it."""

import glob
import os

import pytest

from steadygo.golang import lock_order
from steadygo.golang.module import ModuleInfo
from steadygo.golang.package import Package
from steadygo.golang.source import GoFile

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "go", "sg3_resources")


def _outputs(facts) -> tuple:
    return (sorted((e.inner.site.start_byte, e.outer.text) for e in facts.edges),
            sorted((b.op.site.start_byte, b.held.text) for b in facts.blocked),
            sorted((r.inner.site.start_byte, r.held.text) for r in facts.reacquired),
            sorted(facts.writers))


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(FIXTURES, "sg31*.go"))), ids=os.path.basename)
def test_second_walk_adds_no_finding_input(path):
    with open(path, "rb") as fh:
        pkg = Package(FIXTURES, [GoFile(path, os.path.basename(path), fh.read())], ModuleInfo("", "", None))
    facts = lock_order.lock_facts(pkg)
    first = _outputs(facts)
    facts.events  # walks the rest
    assert _outputs(facts) == first


def test_caller_of_a_helper_that_returns_locked_is_walked_first():
    src = b"""package p
import "sync"
type H struct { mu sync.Mutex; out chan int }
func (h *H) acquire() { h.mu.Lock() }
func (h *H) consume() int { h.acquire(); defer h.mu.Unlock(); return <-h.out }
"""
    pkg = Package("/p", [GoFile("/p/a.go", "a.go", src)], ModuleInfo("", "", None))
    facts = lock_order.lock_facts(pkg)
    assert [b.op.kind for b in facts.blocked] == ["recv"]  # consume holds h.mu, taken by acquire
    assert facts._rest is not None  # nothing asked for counterparts yet
