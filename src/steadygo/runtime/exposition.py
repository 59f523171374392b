"""Read a Prometheus exposition (text format 0.0.4 or OpenMetrics) into a
compact per-family model: what the metric lints need, not every sample.

OpenMetrics goes through prometheus-client's OpenMetrics parser as it is:
its checks (``# EOF``, grouping, bucket order, ``_created``) are the point of
that format.  The text format is grouped into families the way the Go
parser promtool uses groups it (by name; ``_bucket``/``_sum``/``_count`` join
a declared histogram or summary), and each sample line is read by one of two
readers that give the same answer: a regular expression for the canonical
form client libraries write (no escapes, one space before the value), and
prometheus-client's text parser for every other line, so escaped label
values, odd spacing and every malformed line get the real parser's verdict.
prometheus-client alone is pure Python, about 150 µs a line: 30 s for a
200,000-series scrape, where the canonical reader takes a few µs
(tests/runtime/test_metrics_parse.py checks the two agree).

A line that neither accepts is one ``UserError`` naming the input and the
line: exit 2, never a traceback.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field

from steadygo.errors import UserError
from steadygo.runtime import fetch
from steadygo.textsafe import escape_control

TEXT_TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
# OpenMetrics types, named as promlint (and Prometheus' storage) sees them.
_OM_TYPES = {"counter": "counter", "gauge": "gauge", "histogram": "histogram", "summary": "summary",
             "unknown": "untyped", "gaugehistogram": "gauge_histogram", "info": "gauge", "stateset": "gauge"}
# The sample name an OpenMetrics family is stored under (its counter is foo_total).
_OM_EXPOSED_SUFFIX = {"counter": "_total", "info": "_info"}
OPENMETRICS_TYPE = "application/openmetrics-text"
# Prefer the text format: it is what `promtool check metrics` reads, so the
# naming verdicts compare one to one; a server that only speaks OpenMetrics
# still answers.
ACCEPT = f"text/plain;version=0.0.4;q=1,{OPENMETRICS_TYPE};version=1.0.0;q=0.9,*/*;q=0.1"

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
_PAIR = _LABEL + r'="[^"\\\n]*"'
# Every value spelling here converts with float() exactly as prometheus-client
# (and Go's ParseFloat) read it; any other goes to prometheus-client.
_VALUE = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN"
# The canonical sample line: name, optional {pairs}, one space, value, optional timestamp.
_CANONICAL = re.compile(rf"({_NAME})(?:\{{((?:{_PAIR}(?:,{_PAIR})*,?)?)\}})? (?:{_VALUE})(?: -?\d+)?")
# The same, over many lines at once (multiline: one C pass per block of samples).
_CANONICAL_LINES = re.compile(rf"^({_NAME})(?:\{{((?:{_PAIR}(?:,{_PAIR})*,?)?)\}})? (?:{_VALUE})(?: -?\d+)?$", re.M)
_PAIRS = re.compile(rf'({_LABEL})="([^"\\\n]*)"')
_VALUES_OF_PAIRS = re.compile(r'="[^"\\\n]*"')
_PAIR_NAMES = re.compile(rf'({_LABEL})="')  # on one canonical body: values hold no '"', so each hit is a name
_BODY_SEP = '\x00",'
_JOINED_NAMES = re.compile(rf'",({_LABEL})="')
_LEGAL_NAME = re.compile(rf"{_NAME}\Z")


@dataclass
class Family:
    name: str  # as exposed: the TYPE/HELP name, or the sample name of an untyped one (OpenMetrics: foo_total)
    type: str  # counter gauge histogram summary untyped gauge_histogram
    line: int  # where it is first named
    help: str | None = None  # None: no HELP line
    unit: str = ""
    series: int = 0
    # Label name -> distinct values (le of buckets and quantile of summaries are not labels).
    labels: dict[str, set[str]] = field(default_factory=dict)
    buckets: set[float] = field(default_factory=set)  # histogram: the le bounds seen, +Inf included
    typed: bool = False  # a TYPE line named it: a second one is an error, as in Go
    # Canonical text lines are kept as their label text, by sample name (a
    # histogram's _bucket lines apart from its _sum lines), and read in bulk
    # by finish() instead of one regex pass per line.
    bodies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_samples(self) -> bool:
        return self.series > 0 or bool(self.bodies)

    def add(self, labels: dict[str, str]) -> None:
        self.series += 1
        self._add_pairs(labels.items())

    def _add_pairs(self, pairs) -> None:
        hist = self.type in ("histogram", "gauge_histogram")
        summary = self.type == "summary"
        for k, v in pairs:
            if hist and k == "le":
                try:
                    self.buckets.add(float(v))
                except ValueError:
                    pass  # OpenMetrics refused it already; in the text format it is just a label value
                continue
            if summary and k == "quantile":
                continue
            self.labels.setdefault(k, set()).add(v)

    def label_shapes(self) -> set[str]:
        """The label-name sequences (``a,b,c``) of the canonical lines (slow;
        for naming an error)."""
        joined = "\x00" + "\x00".join(b for group in self.bodies.values() for b in group)
        return {shape for shape in set(_VALUES_OF_PAIRS.sub("", joined).split("\x00")) if shape}

    def finish(self, source: str, text: str) -> None:
        """Read the canonical lines' labels in bulk, all in C.  A sample
        name whose lines all name the same labels in the same order (what
        client libraries write) is split on its quotes; any other goes to
        the pair-walking reader."""
        if not self.bodies:
            return
        rest: list[str] = []
        for group in self.bodies.values():
            self.series += len(group)
            split = _values_by_position(group)
            if split is None:
                rest.extend(group)
                continue
            self._add_values(split)
        self.bodies = {}
        if rest:
            self._finish_mixed(rest, source, text)

    def _add_values(self, values: dict[str, set[str]]) -> None:
        hist = self.type in ("histogram", "gauge_histogram")
        for k, vals in values.items():
            if hist and k == "le":
                self._add_pairs(("le", v) for v in vals)
            elif not (k == "quantile" and self.type == "summary"):
                self.labels.setdefault(k, set()).update(vals)

    def _finish_mixed(self, bodies: list[str], source: str, text: str) -> None:
        """Lines of one sample name with differing label names: per label
        name a count, a search for a repeat and one regex pass over the
        joined label text.

        Counting '",k="' can over-count (a value may be ',k=': x=",k="), so
        the counts only decide when to look closer; the values themselves are
        read by a pattern that walks each line pair by pair from its start."""
        joined = _BODY_SEP + _BODY_SEP.join(bodies)
        names = {k for body in (bodies[0], bodies[-1]) for k in _PAIR_NAMES.findall(body)}
        pairs = joined.count('="')  # at least one per pair
        counts = {k: joined.count(f'",{k}="') for k in names}
        if sum(counts.values()) != pairs:  # names the first and last line lack, or values with '="' in them
            names = set(_JOINED_NAMES.findall(joined))
            counts = {k: joined.count(f'",{k}="') for k in names}
        suspect = False
        values: dict[str, set[str]] = {}
        for k in names:
            found = re.findall(f'\x00",(?:{_PAIR},)*?{k}="([^"\\\\\n]*)"', joined)  # k's first value per line
            # More '",k="' than lines with k: a line has k twice, or a value looks like a pair.
            suspect = suspect or k.startswith("__") or counts[k] > len(found)
            if found:  # else a name seen only inside a value
                values[k] = set(found)
        self._add_values(values)
        if suspect:
            _first_bad_line(text, source)  # raises when a line really is bad


def _values_by_position(bodies: list[str]) -> dict[str, set[str]] | None:
    """Label name -> distinct values when every body names the same labels
    in the same order, else None.  A canonical body holds no quote inside a
    value or a name and no newline, so joined by newlines and split on its
    quotes it alternates name slots (``k=``, ``,k=``, ``\\nk=`` where a line
    starts) and values, at fixed positions; the name slots are checked in
    bulk, so a line with other names, a trailing comma or a repeated or
    reserved name makes this None."""
    names = _PAIR_NAMES.findall(bodies[0])
    if not names:
        return {} if not any(bodies) else None
    if len(set(names)) != len(names) or any(k.startswith("__") for k in names):
        return None  # refused (or not) by the pair-walking reader
    parts = "\n".join(bodies).split('"')
    stride = 2 * len(names)
    end = stride * len(bodies)
    if len(parts) != end + 1 or parts[end] != "":
        return None
    values: dict[str, set[str]] = {}
    for i, k in enumerate(names):
        slots = set(parts[2 * i + stride:end:stride]) if i == 0 else set(parts[2 * i:end:stride])
        want = "\n" + k + "=" if i == 0 else "," + k + "="
        if (i == 0 and parts[0] != k + "=") or not slots <= {want}:
            return None
        values[k] = set(parts[2 * i + 1:end:stride])
    return values


@dataclass
class Exposition:
    source: str
    format: str  # "text" | "openmetrics"
    families: list[Family]
    lines: int

    @property
    def series(self) -> int:
        return sum(f.series for f in self.families)


def load(source: str, max_bytes: int, timeout: float) -> Exposition:
    art = fetch.read_artifact(source, max_bytes=max_bytes, timeout=timeout, accept=ACCEPT, offer_gzip=True)
    return parse(art.data, _shown(source), art.content_type)


def _shown(source: str) -> str:
    return "standard input" if source == "-" else source


def parse(data: bytes | bytearray, source: str, content_type: str = "", canonical_reader: bool = True) -> Exposition:
    """``canonical_reader=False`` sends every text-format sample line to
    prometheus-client (slow): the tests compare the two."""
    text = _decode(data, source)
    if not text.strip():
        raise UserError(f"{source}: empty input: no metric families (is this the /metrics endpoint?)")
    if fetch.looks_like_html(bytes(data[:512])):
        raise UserError(f"{source}: this is an HTML page, not a Prometheus exposition (is the metrics path right?)")
    if content_type.lower().startswith(OPENMETRICS_TYPE) or _ends_with_eof(text):
        return _parse_openmetrics(text, source)
    return _parse_text(text, source, canonical_reader)


def _decode(data: bytes | bytearray, source: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise UserError(f"{source}: line {line}: binary data (a NUL byte), not a Prometheus exposition")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UserError(f"{source}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); an exposition is "
                        "UTF-8") from None


def _ends_with_eof(text: str) -> bool:
    return text.rstrip("\n").rsplit("\n", 1)[-1] == "# EOF"


# --------------------------------------------------------------------------- text format 0.0.4


def _bad(source: str, lineno: int, what: str) -> UserError:
    what = escape_control(what)
    return UserError(f"{source}: line {lineno}: {what if len(what) <= 160 else what[:157] + '...'}")


def _parse_text(text: str, source: str, canonical_reader: bool = True) -> Exposition:
    """Blocks of sample lines between comment lines are read by one
    multiline regex pass each; a block with any other line (escapes, odd
    spacing, blank lines, malformed) is read line by line instead."""
    families: dict[str, Family] = {}
    lineno = 1  # of the block being read
    pos = 0
    try:
        for start, end in _comment_lines(text):
            block = text[pos:start]
            _read_block(block, lineno, families, source, canonical_reader)
            lineno += block.count("\n")
            try:
                _comment(text[start:end].strip(), lineno, families, source)
            except UserError as exc:
                raise _BlockError(exc, lineno) from None
            lineno += 1
            pos = end + 1
        _read_block(text[pos:], lineno, families, source, canonical_reader)
    except _BlockError as err:
        # A canonical line before this one may hold a bad label name (checked
        # in bulk when the families finish): the first bad line is the one to name.
        if any(_bad_shape(shape) for fam in families.values() for shape in fam.label_shapes()):
            _first_bad_line(text, source, before=err.lineno)
        raise err.error from None
    for fam in families.values():
        fam.finish(source, text)
    if not families:
        raise UserError(f"{source}: no metric families (only comments)")
    # A HELP or TYPE line with no samples is not a family: the Go parser
    # drops it, so promtool does not judge it either.
    return Exposition(source, "text", [f for f in families.values() if f.series],
                      text.count("\n") + (not text.endswith("\n")))


def _comment_lines(text: str):
    """(start, end) of each line that starts with '#', found with str.find
    (a '#' inside a label value is skipped; an indented comment is left to
    the line-by-line reader)."""
    if text.startswith("#"):
        at = 0
    else:
        at = text.find("\n#") + 1
        if at == 0:
            return
    while True:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        yield at, end
        nxt = text.find("\n#", end)
        if nxt < 0:
            return
        at = nxt + 1


class _BlockError(Exception):
    def __init__(self, error: UserError, lineno: int):
        self.error, self.lineno = error, lineno


def _read_block(block: str, first: int, families: dict[str, Family], source: str, canonical_reader: bool) -> None:
    if not block:
        return
    lines = block.split("\n")
    if lines[-1] == "":
        lines.pop()  # the block's last newline ends its last line
    found = _CANONICAL_LINES.findall(block) if canonical_reader else ()
    if len(found) == len(lines):  # every line canonical, so match i is line first + i
        last_name, bodies = "", None
        for i, (name, body) in enumerate(found):
            if name != last_name:
                last_name, bodies = name, _family_of(name, families, first + i).bodies.setdefault(name, [])
            bodies.append(body)
        return
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        lineno = first + i
        try:
            if line[0] == "#":  # an indented comment line
                _comment(line, lineno, families, source)
                continue
            m = _CANONICAL.fullmatch(line) if canonical_reader else None
            if m is not None:
                name, body = m.group(1, 2)
                _family_of(name, families, lineno).bodies.setdefault(name, []).append(body or "")
                continue
            name, labels = _sample_by_prometheus_client(line, lineno, source)
        except UserError as exc:
            raise _BlockError(exc, lineno) from None
        _family_of(name, families, lineno).add(labels)


def _first_bad_line(text: str, source: str, before: int | None = None) -> None:
    """A canonical line with a label name twice, or a reserved ``__`` name,
    is refused as prometheus-client refuses it; the lines are read again
    only then, to name the first offending one."""
    for lineno, raw in enumerate(text.split("\n"), 1):
        if before is not None and lineno >= before:
            return
        m = _CANONICAL.fullmatch(raw.strip())
        if m is not None and _bad_shape(_VALUES_OF_PAIRS.sub("", m.group(2) or "")):
            _sample_by_prometheus_client(raw.strip(), lineno, source)
            raise _bad(source, lineno, f"malformed sample line (duplicate or reserved label name): {raw.strip()}")


def _bad_shape(shape: str) -> bool:
    names = [n for n in shape.split(",") if n]
    return len(set(names)) != len(names) or any(n.startswith("__") for n in names)


def _sample_by_prometheus_client(line: str, lineno: int, source: str) -> tuple[str, dict[str, str]]:
    from prometheus_client.parser import text_string_to_metric_families

    try:
        fams = list(text_string_to_metric_families(line))
    except (ValueError, IndexError, TypeError) as exc:  # its errors are ValueErrors, a few slip out as others
        detail = str(exc) or "malformed sample line"
        raise _bad(source, lineno, f"malformed sample line ({detail}): {line}") from None
    sample = fams[0].samples[0]
    _check_value_and_timestamp(line, lineno, source)
    if not _LEGAL_NAME.match(sample.name):
        # A quoted UTF-8 name: Prometheus 3 reads it, promtool and older servers refuse it.
        raise _bad(source, lineno, f"metric name {sample.name!r} is not a legal classic Prometheus name")
    return sample.name, dict(sample.labels)


_TIMESTAMP = re.compile(r"[-+]?\d+")


def _check_value_and_timestamp(line: str, lineno: int, source: str) -> None:
    """prometheus-client takes ``a 2 3 4 5`` and ``a 2 3.5`` (reading a
    timestamp out of what follows the value); the Go parser promtool uses,
    and Prometheus' scrape, refuse both: after the value only one integer
    (milliseconds) may follow."""
    rest = _after_name_and_labels(line).split()
    if len(rest) > 2:
        raise _bad(source, lineno, f"malformed sample line (spurious text after the timestamp): {line}")
    if len(rest) == 2 and not _TIMESTAMP.fullmatch(rest[1]):
        raise _bad(source, lineno, f"malformed sample line (the timestamp {rest[1][:40]!r} is not an integer of "
                                   f"milliseconds): {line}")


def _after_name_and_labels(line: str) -> str:
    """What follows the metric name and its ``{...}`` (quoted values may hold
    ``}`` and escaped quotes)."""
    i = 0
    while i < len(line) and line[i] not in "{ \t":
        i += 1
    j = i
    while j < len(line) and line[j] in " \t":
        j += 1
    if j < len(line) and line[j] == "{":
        i = j
        quoted = False
        i += 1
        while i < len(line):
            c = line[i]
            if quoted and c == "\\":
                i += 2
                continue
            if c == '"':
                quoted = not quoted
            elif c == "}" and not quoted:
                return line[i + 1:]
            i += 1
        return ""
    return line[i:]


def _comment(line: str, lineno: int, families: dict[str, Family], source: str) -> None:
    parts = line.split(None, 3)
    if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
        return  # an ordinary comment
    kind, name = parts[1], parts[2]
    if not _LEGAL_NAME.match(name):
        raise _bad(source, lineno, f"{kind} line names {name!r}, not a legal metric name")
    fam = families.get(name)
    if kind == "HELP":
        if fam is None:
            fam = families[name] = Family(name, "untyped", lineno)
        elif fam.help is not None:
            raise _bad(source, lineno, f"second HELP line for metric name {name!r}")
        fam.help = parts[3] if len(parts) > 3 else ""
        return
    mtype = parts[3].strip() if len(parts) > 3 else ""
    if mtype not in TEXT_TYPES:
        raise _bad(source, lineno, f"unknown metric type {mtype!r} for {name!r} (expected one of "
                                   f"{', '.join(TEXT_TYPES)})")
    if fam is None:
        fam = families[name] = Family(name, mtype, lineno)
    elif fam.has_samples or fam.typed:
        raise _bad(source, lineno, f"second TYPE line for metric name {name!r}, or TYPE after its samples")
    fam.type, fam.typed = mtype, True


def _family_of(name: str, families: dict[str, Family], lineno: int) -> Family:
    """The family a sample belongs to, as the Go text parser decides it."""
    fam = families.get(name)
    if fam is not None:
        return fam
    for suffix, types in (("_bucket", ("histogram",)), ("_count", ("histogram", "summary")),
                          ("_sum", ("histogram", "summary"))):
        if name.endswith(suffix):
            base = families.get(name[: -len(suffix)])
            if base is not None and base.type in types:
                return base
    fam = families[name] = Family(name, "untyped", lineno)
    return fam


# --------------------------------------------------------------------------- OpenMetrics


class _CountedLines:
    """The input's lines for prometheus-client, counting them so an error
    can name its line."""

    def __init__(self, text: str):
        self._text = text
        self.n = 0

    def __iter__(self):
        for line in io.StringIO(self._text):
            self.n += 1
            yield line


def _parse_openmetrics(text: str, source: str) -> Exposition:
    from prometheus_client.openmetrics.parser import text_fd_to_metric_families

    lines = _CountedLines(text)
    families: list[Family] = []
    start = 1
    try:
        for metric in text_fd_to_metric_families(lines):
            families.append(_om_family(metric, start))
            start = lines.n  # the line that ended this family opens the next one
    except (ValueError, IndexError, TypeError, KeyError) as exc:
        detail = escape_control(str(exc)) or "malformed line"
        raise _bad(source, lines.n, f"not valid OpenMetrics ({detail})") from None
    if not families:
        raise UserError(f"{source}: no metric families (only '# EOF')")
    return Exposition(source, "openmetrics", [f for f in families if f.series], lines.n)


def _om_family(metric, line: int) -> Family:
    mtype = _OM_TYPES.get(metric.type, "untyped")
    fam = Family(metric.name + _OM_EXPOSED_SUFFIX.get(metric.type, ""), mtype, line,
                 help=metric.documentation or None, unit=metric.unit or "")
    for s in metric.samples:
        fam.add(s.labels)
    return fam


def finite_buckets(fam: Family) -> list[float]:
    return sorted(b for b in fam.buckets if math.isfinite(b))
