"""to_dict/from_dict for the artifact fact dataclasses.

Facts join the engine's fact store as JSON, so every field is a JSON value,
a fact dataclass, a list of them, a str-keyed dict of them, or ``None``.
``from_dict`` reads the field types back from the annotations.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing


class Serialisable:
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict):
        return _build(cls, data)


@functools.cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _build(cls, data: dict):
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _value(hints[f.name], data[f.name])
    return cls(**kwargs)


def _value(tp, value):
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _value(args[0], value) if len(args) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_value(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp)
        return {k: _value(item, v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value)
    return value
