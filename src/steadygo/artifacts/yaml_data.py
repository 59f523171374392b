"""YAML documents into plain data plus the line of every key, straight from
libyaml's event stream.

Composing PyYAML nodes first and converting them afterwards built every
value twice (a Python ``Node`` with two ``Mark`` objects, then the value) and
kept the node tree alive for line look-ups: about half the time of a
1,000-manifest run.  Here each event is turned into its value at once, and
each collection gets a small line record beside it:

* a mapping's record maps the raw text of each key to ``(line, record of the
  value)`` (the first occurrence of a duplicate key, as a node search finds);
* a sequence's record is the list of ``(line, record of the item)``;
* a scalar's record is ``None``, and its entry the bare line: ``(line, None)``
  would be a tuple more for each of the ~170 scalars of a manifest file.

The semantics are those of PyYAML's safe composer followed by the plain-data
conversion this project used before (``tests/test_yaml_data.py`` compares the
two on tricky documents): YAML 1.1 implicit types for plain scalars (int,
float, bool, null; timestamps and binary stay strings), explicit tags on
scalars honoured, unknown tags ignored, ``<<`` merge keys flattened (merged
keys first, the mapping's own keys win), aliases sharing the anchored value,
non-scalar keys named by their position.  (PyYAML 6.0.4 tells merged keys
apart by the identity of their string objects, so two merged mappings that
share a key longer than one character both feed it and the later one wins;
here the earlier wins, as the merge-key spec says.)  An alias bomb cannot explode: the
size a document would have when expanded is counted, not built.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml import events as _ev

MAX_NODES = 500_000  # expanded size of one document; an alias bomb stops here

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Plain scalars YAML 1.1 may resolve to something other than a string: those
# starting with a digit, sign, dot, '~', '<' (merge) or '=' (value), and the
# bool/null words.  Any other word (``name``, ``nginx``, ``timeoutSeconds``)
# can only be a string.
MAYBE_TYPED = frozenset("-+.0123456789~<=")
TYPED_WORDS = frozenset(
    w for base in ("yes", "no", "true", "false", "on", "off", "null") for w in (base, base.capitalize(), base.upper())
) | {"y", "Y", "n", "N"}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}
# Typed plain scalars repeat endlessly in manifests ("3", "8080", "true"):
# their value depends on the text alone, so it is computed once.
_TYPED_CACHE: dict[str, object] = {}
_TYPED_CACHE_MAX = 4096
_TOO_BIG = f"more than {MAX_NODES} YAML nodes (alias expansion?), not read"
_KEY_TYPES = (str, int, float, bool)
_NO_KEY = object()  # a mapping waiting for its next key
_MERGE = object()  # the pending key is '<<'


class YamlDataError(Exception):
    """The text cannot be read as YAML; ``line`` is 1-based or None."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


def scalar_value(tag: str, value: str):
    """The value of a scalar with a resolved tag: int/float/bool/null
    constructed, anything else (str, timestamps, unknown tags) the text."""
    if tag == _STR_TAG:
        return value
    construct = _CONSTRUCT.get(tag)
    if construct is None:
        return value
    try:
        return construct(yaml.ScalarNode(tag, value))
    except (ValueError, yaml.constructor.ConstructorError):
        return value


def _typed_plain(value: str, resolve):
    hit = _TYPED_CACHE.get(value, _NO_KEY)
    if hit is not _NO_KEY:
        return hit
    out = scalar_value(resolve(yaml.ScalarNode, value, (True, False)), value)
    if len(_TYPED_CACHE) < _TYPED_CACHE_MAX:
        _TYPED_CACHE[value] = out
    return out


class KeyLines:
    """``get(key path)``: the 1-based line of the key (mapping) or item
    (sequence) the path ends at, or ``default``."""

    __slots__ = ("_record",)

    def __init__(self, record):
        self._record = record

    def get(self, path, default=None):
        record, line = self._record, None
        for key in path:
            if record.__class__ is dict:
                hit = record.get(key)
            elif record.__class__ is list and key.__class__ is int and 0 <= key < len(record):
                hit = record[key]
            else:
                return default
            if hit is None:
                return default
            if hit.__class__ is int:
                line, record = hit, None
            else:
                line, record = hit
        return default if line is None else line

    def deepest(self, path):
        """The line of the longest prefix of ``path`` that exists, or None."""
        record, line = self._record, None
        for key in path:
            if record.__class__ is dict:
                hit = record.get(key)
            elif record.__class__ is list and key.__class__ is int and 0 <= key < len(record):
                hit = record[key]
            else:
                break
            if hit is None:
                break
            if hit.__class__ is int:
                line, record = hit, None
            else:
                line, record = hit
        return line


@dataclass
class Document:
    data: object
    lines: KeyLines
    start_line: int  # 1-based line of the root value
    end_line: int  # last line of the document's root value
    has_kind_key: bool  # a mapping with a top-level key spelled ``kind``
    error: str | None  # why the data cannot be built (bad merge, recursive alias, alias bomb)
    error_line: int | None  # where, when one line is to blame


class _Frame:
    __slots__ = ("value", "record", "is_map", "key", "key_raw", "key_line", "anchor", "start_mark",
                 "count_at_start", "merges", "as_key")

    def __init__(self, is_map: bool, anchor, start_mark, count: int, as_key: bool):
        self.is_map = is_map
        self.value = {} if is_map else []
        self.record = {} if is_map else []
        self.key = _NO_KEY
        self.key_raw = self.key_line = None
        self.anchor, self.start_mark, self.count_at_start = anchor, start_mark, count
        self.merges = None  # [(data, record)] of '<<' values, in flatten order
        self.as_key = as_key  # this collection is a key of its mapping


class _Builder:
    """One pass over the events.  The scalar case, four in five events, is
    handled inline; the rest in methods."""

    def __init__(self, loader):
        self.get_event = loader.get_event
        self.resolve = loader.resolve
        self.docs: list[Document] = []
        self.stack: list[_Frame] = []  # cleared, never replaced: run() holds it

    def run(self) -> list[Document]:
        get_event, resolve, stack = self.get_event, self.resolve, self.stack
        Scalar, MapStart, SeqStart = _ev.ScalarEvent, _ev.MappingStartEvent, _ev.SequenceStartEvent
        MapEnd, SeqEnd = _ev.MappingEndEvent, _ev.SequenceEndEvent
        pending = None  # an event read ahead after a mapping key (see below)
        while True:
            if pending is None:
                event = get_event()
            else:
                event, pending = pending, None
            cls = event.__class__
            if cls is Scalar:
                if event.anchor is not None or not stack:
                    self._scalar(event)  # anchored or a document's root: rare
                    continue
                top = stack[-1]
                tag, text = event.tag, event.value
                if tag is None or tag == "!":
                    if not event.implicit[0] or (text and text[0] not in MAYBE_TYPED and text not in TYPED_WORDS):
                        value = text
                    else:
                        value = _typed_plain(text, resolve)
                        if text == "<<" and top.is_map and top.key is _NO_KEY:
                            top.key = _MERGE
                            continue
                elif tag == _MERGE_TAG and top.is_map and top.key is _NO_KEY:
                    top.key = _MERGE
                    continue
                else:
                    value = scalar_value(tag, text)
                if not top.is_map:
                    top.value.append(value)
                    top.record.append(event.start_mark.line + 1)
                    continue
                if top.key is not _NO_KEY:
                    self._scalar_value(top, value, event.start_mark.line + 1)
                    continue
                # A key: most values are plain scalars too, so the next event
                # is read here and the pair stored at once, without parking
                # the key on the frame.
                key_line = event.start_mark.line + 1
                event = get_event()
                if event.__class__ is not Scalar or event.anchor is not None:
                    top.key, top.key_raw, top.key_line = value, text, key_line
                    pending = event
                    continue
                tag, vtext = event.tag, event.value
                if tag is None or tag == "!":
                    if not event.implicit[0] or (vtext and vtext[0] not in MAYBE_TYPED and vtext not in TYPED_WORDS):
                        item = vtext
                    else:
                        item = _typed_plain(vtext, resolve)
                else:
                    item = scalar_value(tag, vtext)
                key = value
                if key.__class__ is not str and key.__class__ not in _KEY_TYPES and key is not None:
                    key = str(key)
                top.value[key] = item
                record = top.record
                if text not in record:
                    record[text] = key_line
                if key.__class__ is not str and key not in record:
                    record[key] = key_line
            elif cls is MapStart or cls is SeqStart:
                if event.anchor is not None:
                    self._anchor_seen(event.anchor, event.start_mark)
                top = stack[-1] if stack else None
                as_key = top is not None and top.is_map and top.key is _NO_KEY
                stack.append(_Frame(cls is MapStart, event.anchor, event.start_mark, self.count, as_key))
            elif cls is MapEnd or cls is SeqEnd:
                self._end(event.end_mark)
            elif self._rare(event):
                return self.docs

    def _scalar(self, event) -> None:
        """An anchored scalar, or one with no collection around it (the
        general case of ``run``'s scalar branch)."""
        stack = self.stack
        tag, text = event.tag, event.value
        top = stack[-1] if stack else None
        if tag is None or tag == "!":
            if not event.implicit[0] or (text and text[0] not in MAYBE_TYPED and text not in TYPED_WORDS):
                value = text
            else:
                value = _typed_plain(text, self.resolve)
                if text == "<<" and top is not None and top.is_map and top.key is _NO_KEY:
                    top.key = _MERGE
                    return
        elif tag == _MERGE_TAG and top is not None and top.is_map and top.key is _NO_KEY:
            top.key = _MERGE
            return
        else:
            value = scalar_value(tag, text)
        line = event.start_mark.line + 1
        if event.anchor is not None:
            self._anchor_seen(event.anchor, event.start_mark)
            self.anchors[event.anchor] = (value, None, line, 0, text, event.start_mark)
        self._add(value, None, line, 0, text, event.start_mark)

    def _scalar_value(self, top: _Frame, value, line: int) -> None:
        """A scalar value after a key the frame holds (a key that was not
        followed by a plain scalar at once: an alias, a collection, a merge)."""
        key, top.key = top.key, _NO_KEY
        if key is _MERGE:
            self._merge_value(top, value, None, line)
            return
        if key.__class__ not in _KEY_TYPES and key is not None:
            key = str(key)
        top.value[key] = value
        raw = top.key_raw
        if raw is not None:
            top.record.setdefault(raw, top.key_line)
            if key.__class__ is not str:
                top.record.setdefault(key, top.key_line)

    def _rare(self, event) -> bool:
        """Aliases and document/stream boundaries; True at the stream's end."""
        cls = event.__class__
        if cls is _ev.AliasEvent:
            self._alias(event)
        elif cls is _ev.DocumentStartEvent:
            self.stack.clear()
            self.anchors, self.open_anchors, self.count = {}, set(), 0
            self.root_line, self.end_mark, self.has_kind, self.error, self.error_line = None, None, False, None, None
        elif cls is _ev.DocumentEndEvent:
            self._document_end()
        elif cls is _ev.StreamEndEvent:
            return True
        return False

    def _anchor_seen(self, name: str, mark) -> None:
        if name in self.open_anchors:
            raise YamlDataError("second occurrence", mark.line + 1)  # what PyYAML's composer says
        self.open_anchors.add(name)

    def _fail(self, message: str, line: int | None) -> None:
        if self.error is None:
            self.error, self.error_line = message, line

    def _alias(self, event) -> None:
        hit = self.anchors.get(event.anchor)
        line = event.start_mark.line + 1
        if hit is None:
            if event.anchor not in self.open_anchors:
                raise YamlDataError("found undefined alias", line)
            # An alias inside its own anchor: a cycle no plain data can hold.
            self._fail(f"recursive alias '{event.anchor}'", line)
            self._add(None, None, line, 0, None, event.start_mark)
            return
        value, record, anchored_line, size, raw, mark = hit
        self.count += size
        if self.count > MAX_NODES:
            self._fail(_TOO_BIG, None)
        # A sequence item that is an alias sits, for line look-ups, where its
        # anchor was defined (the node a composer would have put there).
        self._add(value, record, anchored_line, size, raw, mark, alias_line=line)

    def _add(self, value, record, line: int, size: int, raw, mark, alias_line: int | None = None) -> None:
        """One finished value (collection, alias, anchored or root scalar)
        into its parent; ``raw`` is a scalar's text."""
        stack = self.stack
        if not stack:
            if self.root_line is None:
                self.root_line = line if alias_line is None else alias_line
                self.root = (value, record)
            return
        top = stack[-1]
        if not top.is_map:
            top.value.append(value)
            top.record.append(line if record is None else (line, record))
            return
        key = top.key
        if key is _NO_KEY:
            top.key = value if record is None or raw is not None else str(mark)
            top.key_raw = raw if record is None else None
            top.key_line = line if alias_line is None else alias_line
            return
        top.key = _NO_KEY
        if key is _MERGE:
            self._merge_value(top, value, record, alias_line or line)
            return
        if key.__class__ not in _KEY_TYPES and key is not None:
            key = str(key)
        top.value[key] = value
        raw_key = top.key_raw
        if raw_key is not None:
            entry = top.key_line if record is None else (top.key_line, record)
            top.record.setdefault(raw_key, entry)
            if key.__class__ is not str:
                top.record.setdefault(key, entry)  # found by its value too: lines.get(('ports', 80))

    def _merge_value(self, frame: _Frame, value, record, line: int) -> None:
        if frame.merges is None:
            frame.merges = []
        if value.__class__ is dict:
            frame.merges.append((value, record))
        elif value.__class__ is list and all(v.__class__ is dict for v in value):
            frame.merges.extend((v, r) for v, (_, r) in zip(value, record))
        else:
            self._fail("expected a mapping or list of mappings for merging", line)

    def _end(self, end_mark) -> None:
        frame = self.stack.pop()
        value, record = frame.value, frame.record
        # The expanded size counts every item once (an alias: its anchor's size).
        self.count += len(value)
        if frame.merges:
            # YAML's merge key: a key from an earlier merged mapping (in a
            # '<<' list, or an earlier '<<') wins over a later one, the
            # mapping's own keys over all; merged keys come first
            value, record = {}, {}
            for data, rec in frame.merges:
                for k, v in data.items():
                    value.setdefault(k, v)
                for k, v in rec.items():
                    record.setdefault(k, v)
            value.update(frame.value)
            record.update(frame.record)
        if self.count > MAX_NODES:
            self._fail(_TOO_BIG, None)
        line = frame.start_mark.line + 1
        size = self.count - frame.count_at_start
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (value, record, line, size, None, frame.start_mark)
        if not self.stack:
            self.end_mark = end_mark
            # only the mapping's own keys, as written: a merged 'kind' does not make an object
            self.has_kind = frame.is_map and "kind" in frame.record
        if frame.as_key:
            # named by its position, and found by no key path
            self._add(str(frame.start_mark), None, line, 0, None, frame.start_mark)
            return
        stack = self.stack
        if stack:
            # _add's common cases inline: an item, or the value of a scalar key
            top = stack[-1]
            if not top.is_map:
                top.value.append(value)
                top.record.append((line, record))
                return
            key, raw_key = top.key, top.key_raw
            if key is not _NO_KEY and key is not _MERGE and key.__class__ is str and raw_key is not None:
                top.key = _NO_KEY
                top.value[key] = value
                if raw_key not in top.record:
                    top.record[raw_key] = (top.key_line, record)
                return
        self._add(value, record, line, size, None, frame.start_mark)

    def _document_end(self) -> None:
        if self.root_line is None:
            return
        value, record = self.root
        end = self.end_mark
        end_line = (end.line + (1 if end.column else 0)) if end is not None else self.root_line
        self.docs.append(Document(data=value, lines=KeyLines(record if record is not None else {}),
                                  start_line=self.root_line, end_line=end_line,
                                  has_kind_key=self.has_kind and value.__class__ is dict,
                                  error=self.error, error_line=self.error_line))


def load_documents(text: str, loader_class) -> list[Document]:
    """Every document of ``text``; raises ``YamlDataError`` for text that is
    not YAML (scanner, parser and composer errors)."""
    loader = loader_class(text)
    try:
        return _Builder(loader).run()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlDataError(problem, mark.line + 1 if mark is not None else None) from None
    finally:
        loader.dispose()
