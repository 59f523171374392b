"""steadygo's schema walk agrees with kubernetes-validate itself.

``k8s_schema.validate`` walks the schemas kubernetes-validate ships, compiled
once, because ``kubernetes_validate.validate`` costs ~27 ms an object.  Here
both judge the same objects: every fixture object, and the full Deployment
fixture with a bogus key or a wrong-typed value planted at random places.
"""

from __future__ import annotations

import copy
import glob
import os

import kubernetes_validate
import pytest
from hypothesis import given, settings, strategies as st

from steadygo.artifacts import k8s_schema
from steadygo.artifacts.k8s_yaml import load_k8s_yaml

from conftest import FIXTURES

VERSION = k8s_schema.K8S_VERSION


def _reference_ok(obj: dict) -> bool | None:
    try:
        kubernetes_validate.validate(obj, VERSION, strict=True)
        return True
    except kubernetes_validate.SchemaNotFoundError:
        return None
    except kubernetes_validate.ValidationError:
        return False


def _fixture_objects():
    for path in sorted(glob.glob(os.path.join(FIXTURES, "artifacts", "**", "*.yaml"), recursive=True)):
        for i, obj in enumerate(load_k8s_yaml(path, open(path, encoding="utf-8").read()).objects):
            yield pytest.param(obj.data, id=f"{os.path.basename(path)}#{i}")


@pytest.mark.parametrize("obj", list(_fixture_objects()))
def test_agrees_on_fixture_objects(obj):
    ours = k8s_schema.validate(obj)
    ref = _reference_ok(obj)
    if ref is None:
        assert ours is None
    else:
        assert (not ours) is ref, ours


def _full_deployment() -> dict:
    path = os.path.join(FIXTURES, "artifacts", "sg8_deploy", "sg800_manifest_schema_violation", "good_full_deployment.yaml")
    return load_k8s_yaml(path, open(path, encoding="utf-8").read()).objects[0].data


def _mappings(data, path=()):
    """Every (path, mapping) inside data."""
    out, stack = [], [(path, data)]
    while stack:
        p, d = stack.pop()
        if isinstance(d, dict):
            out.append((p, d))
            stack.extend((p + (k,), v) for k, v in d.items())
        elif isinstance(d, list):
            stack.extend((p + (i,), v) for i, v in enumerate(d))
    return sorted(out, key=lambda x: tuple(map(str, x[0])))


BASE = _full_deployment()
# labels/annotations/requests/limits/matchLabels take any key: planting one there is valid
FREE_FORM = {"labels", "annotations", "matchLabels", "requests", "limits"}


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["livenessprobe", "replica", "x", "Image"]))
def test_agrees_on_planted_unknown_keys(pick, key):
    obj = copy.deepcopy(BASE)
    maps = _mappings(obj)
    path, target = maps[pick % len(maps)]
    target[key] = 1
    ours = k8s_schema.validate(obj)
    assert (not ours) is _reference_ok(obj)
    if path and path[-1] not in FREE_FORM:
        assert any(e.path == path + (key,) for e in ours), ours


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([[], {}, "text", 7, True]))
def test_agrees_on_planted_wrong_types(pick, value):
    obj = copy.deepcopy(BASE)
    # apiVersion and kind choose the schema; changing them is another question
    leaves = [(p, d, k) for p, d in _mappings(obj) for k in d if p or k not in ("apiVersion", "kind")]
    path, target, key = leaves[pick % len(leaves)]
    target[key] = value
    assert (not k8s_schema.validate(obj)) is _reference_ok(obj)


def test_lazy_definitions_equal_the_whole_file():
    """The definitions are decoded one by one when first used; each must be
    what decoding the whole file gives, and every key must be found."""
    import json

    with open(os.path.join(k8s_schema.schema_dir(VERSION), "_definitions.json"), encoding="utf-8") as fh:
        text = fh.read()
    whole = json.loads(text)["$defs"]
    lazy = k8s_schema._LazyDefinitions.of(text)
    assert lazy is not None, "the shipped file's layout changed: the schema is now decoded whole (slower)"
    assert lazy.names() == list(whole)
    for name, value in whole.items():
        assert lazy.get(name) == value
    assert lazy.get("io.k8s.no.such.Thing", {}) == {}


@pytest.mark.parametrize("text", [
    '{"$defs": {"a": {}}}',  # not indented: decoded whole
    '{\n  "$defs": {\n    "a": "text"\n  }\n}',  # a value that is not an object
    '{\n  "$defs": {\n    "a\\"b": {\n    }\n  }\n}',  # an escaped key
])
def test_lazy_definitions_refuse_other_layouts(text):
    assert k8s_schema._LazyDefinitions.of(text) is None
