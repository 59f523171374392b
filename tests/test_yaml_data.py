"""artifacts.yaml_data builds plain data and key lines from libyaml's events;
it must agree with PyYAML's own composer (nodes, then the safe constructor's
scalar types and merge keys) on everything a manifest can hold.  The
reference below composes nodes with PyYAML and converts them the slow,
obvious way."""

from __future__ import annotations

import glob
import os

import pytest
import yaml

from steadygo.artifacts.k8s_yaml import YamlError, load_k8s_yaml
from steadygo.artifacts.yaml_data import MAX_NODES, load_documents

from conftest import FIXTURES

_CONSTRUCT = yaml.constructor.SafeConstructor()
_TYPED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


def _ref_scalar(node):
    if node.tag in _TYPED:
        try:
            return _CONSTRUCT.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError):
            return node.value
    return node.value


def _ref_data(node):
    """Plain data of a composed node (merge keys flattened as PyYAML does)."""
    if isinstance(node, yaml.ScalarNode):
        return _ref_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_ref_data(n) for n in node.value]
    _CONSTRUCT.flatten_mapping(node)
    out = {}
    for k, v in node.value:
        out[_ref_scalar(k) if isinstance(k, yaml.ScalarNode) else str(k.start_mark)] = _ref_data(v)
    return out


def _ref_lines(node, path=(), out=None):
    """Line of every key path: first occurrence of a key, own keys before merged ones."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        own = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
        for k, v in own:
            if isinstance(k, yaml.ScalarNode) and path + (k.value,) not in out:
                out[path + (k.value,)] = k.start_mark.line + 1
                _ref_lines(v, path + (k.value,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[path + (i,)] = item.start_mark.line + 1
            _ref_lines(item, path + (i,), out)
    return out


def _compare(text: str) -> None:
    nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    docs = load_documents(text, yaml.CSafeLoader)
    assert len(docs) == len([n for n in nodes if n is not None])
    for node, doc in zip(nodes, docs):
        lines = _ref_lines(node)  # before _ref_data flattens the merges
        want = _ref_data(node)
        assert doc.data == want and repr(doc.data) == repr(want)  # values, types and key order
        assert doc.start_line == node.start_mark.line + 1
        for path, line in lines.items():
            assert doc.lines.get(path) == line, path
        assert doc.lines.get(("no", "such", "key")) is None


TRICKY = [
    # typed scalars, quoting, explicit and unknown tags
    "a: [yes, No, on, OFF, y, n, null, ~, '', 0x1F, -1, +3, .5, .inf, -.NaN, 1e3, 2026-12-01, 12:30, 190:20:30, "
    "=, <<, true, tRue, nginx:1.2, 1_000, 0o17, 017, 0b101, !!str 3, !!int '4', !!int bad, !!float '1.5', "
    "!foo bar, ! 12, !!binary aGVsbG8=, 1.0, -0, 6.8523015e+5, 'a\\tb', \"q\"]\nempty:\n",
    # anchors, aliases (a sequence item alias sits where its anchor was defined)
    "labels: &l {app: a, tier: web}\nsel: *l\nitems:\n  - &m\n    name: app\n    env: &e [{name: A}]\n  - *m\n"
    "  - {name: side, env: *e}\n",
    # merge keys: single, list (earlier wins), own keys win, inline, nested (one-letter keys where two
    # merged mappings share one: PyYAML dedupes merged keys by string identity, see yaml_data)
    "base: &b {a: 1, b: 2}\nother: &o {b: 3, c: 4}\nm:\n  <<: [*b, *o]\n  a: own\n  <<: {d: 5, a: merged}\n"
    "n:\n  <<: *b\n  x: &x {p: 1, <<: *o}\n",
    # complex keys, duplicate keys, non-string keys, block scalars, several documents
    "? [a, b]\n: v1\n? {k: v}\n: v2\ndup: first\ndup: second\n80: port\ntrue: t\n~: n\n1.5: f\n'q': 1\n"
    "lit: |\n  one\n  two\nfold: >-\n  x\n  y\n---\n- a\n- [b, c]\n---\nplain scalar\n",
]


@pytest.mark.parametrize("text", TRICKY, ids=["scalars", "anchors", "merges", "keys-and-documents"])
def test_same_data_and_lines_as_pyyaml(text):
    _compare(text)


def test_same_data_and_lines_on_every_yaml_fixture():
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.y*ml"), recursive=True))
    assert len(paths) > 50
    for p in paths:
        text = open(p, encoding="utf-8").read()
        if "{{" in text:
            continue  # Helm templates are never parsed
        try:
            nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            with pytest.raises(YamlError):
                load_k8s_yaml(p, text)
            continue
        if nodes:
            _compare(text)


BOMB = "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10) if p else ', '.join(['x'] * 10)}]\n"
               for p, c in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg"))


def test_alias_bombs_are_counted_not_built():
    k8s = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n" + BOMB
    with pytest.raises(YamlError, match=f"more than {MAX_NODES} YAML nodes"):
        load_k8s_yaml("x.yaml", k8s)
    # in a document that is no Kubernetes object it costs nothing and says nothing
    assert [o.data["metadata"]["name"] for o in load_k8s_yaml("x.yaml", BOMB + "---\napiVersion: v1\nkind: Service\n"
                                                               "metadata: {name: after}\n").objects] == ["after"]


@pytest.mark.parametrize("text,message", [
    ("apiVersion: v1\nkind: ConfigMap\ndata: *nope\n", "invalid YAML (line 3): found undefined alias"),
    ("apiVersion: v1\nkind: ConfigMap\na: &x 1\nb: &x 2\n", "invalid YAML (line 4): second occurrence"),
    ("apiVersion: v1\nkind: ConfigMap\ndata:\n  <<: 3\n", "invalid YAML (line 4): expected a mapping or list of "
                                                         "mappings for merging"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: &r {name: m, self: *r}\n", "invalid YAML (line 3): recursive alias 'r'"),
    ("apiVersion: v1\nkind: [unclosed\n", "invalid YAML (line 3)"),
])
def test_unusable_yaml_is_one_message_never_a_traceback(text, message):
    with pytest.raises(YamlError) as err:
        load_k8s_yaml("x.yaml", text)
    assert str(err.value).startswith(message)


def test_documents_without_a_written_kind_key_are_not_objects():
    text = "<<: &b {kind: Secret, apiVersion: v1}\nmetadata: {name: merged-kind}\n---\n" \
           "'kind': ConfigMap\napiVersion: v1\nmetadata: {name: quoted}\n"
    assert [o.data["metadata"]["name"] for o in load_k8s_yaml("x.yaml", text).objects] == ["quoted"]
