"""Safe YAML loading that remembers where each key and list item came from,
so spec errors can say ``spec.yaml:12: slos[1].objective: ...``."""

from __future__ import annotations

import yaml

from steadygo.errors import UserError


class LocatedDict(dict):
    """A mapping plus the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict


class LocatedList(list):
    """A sequence plus the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader (no arbitrary object construction) that records lines and
    rejects duplicate keys, which plain PyYAML silently lets the last win."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        out = LocatedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _LocatedError(key_node.start_mark.line + 1, "mapping key is not a scalar") from None
            if key in out:
                raise _LocatedError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node, deep=False):
        out = LocatedList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


class _LocatedError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def load(path: str):
    """Read and parse ``path``; any failure is a one-line ``UserError``."""
    return loads(read(path), path)


def read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None


def loads(text: str, path: str = "<spec>"):
    return _parse(lambda: yaml.load(text, Loader=_Loader), path)  # noqa: S506 - _Loader is a SafeLoader


def loads_all(text: str, path: str = "<spec>") -> list:
    """Every document of a multi-document stream (Kubernetes YAML), empty ones dropped."""
    docs = _parse(lambda: list(yaml.load_all(text, Loader=_Loader)), path)  # noqa: S506
    return [d for d in docs if d is not None]


def _parse(parse, path: str):
    try:
        return parse()
    except _LocatedError as exc:
        raise UserError(f"{path}:{exc.line}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise UserError(f"{path}:{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        # Not every PyYAML error is marked (ReaderError for a control
        # character is not) and their text spans lines: make it one.
        raise UserError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        # PyYAML composes and constructs recursively; "[" * 10000 is a spec
        # nobody wrote, so say so instead of crashing.
        raise UserError(f"{path}: invalid YAML: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise UserError(f"{path}: invalid YAML: {exc}") from None
