"""Property-based tests (hypothesis) over every runtime, SLO, evidence and
baseline parser and loader: whatever the input, the answer is a result or a
one-line UserError naming the input, never another exception, never a hang,
and the human output carries no raw terminal control characters.

Inputs are real artifacts mutated (dumps, profiles, gctrace, expvar, the SLO
example, runtime evidence, a baseline) plus inputs generated from each
format's grammar.  Example counts are bounded, every example has a deadline,
and the run is derandomized so CI is deterministic; the whole module takes
well under a minute on the 2-core machine."""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import tempfile
from datetime import timedelta

import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from steadygo import baseline, cli
from steadygo.errors import UserError
from steadygo.report import evidence, html
from steadygo.runtime import fetch, gctrace, goroutines, heapcheck, leaks, memstats, options, pprof, profile_pb2
from steadygo.slo import explain, rules, spec
from steadygo.textsafe import escape_control

from conftest import FIXTURES, ROOT

FUZZ = settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=30)

_RAW_CONTROLS = set(chr(c) for c in range(0x20) if chr(c) not in "\n") | {"\x7f"} | set(chr(c) for c in range(0x80, 0xa0))


def _read(*parts: str, limit: int | None = None) -> bytes:
    with open(os.path.join(FIXTURES, *parts), "rb") as fh:
        data = fh.read()
    return data if limit is None else data[:limit]


def _seed_debug2() -> str:
    text = _read("dumps", "leaky-t1.debug2.txt").decode()
    return text[: text.index("\n\n", 6000) + 2]  # the first ~6 KB, whole goroutines


SEED_DEBUG2 = _seed_debug2()
SEED_DEBUG1 = _read("dumps", "leaky-t1.debug1.txt", limit=8000).decode(errors="replace")
SEED_GCTRACE = _read("gc", "leaky.gctrace.log", limit=6000).decode(errors="replace")
SEED_VARS = json.loads(_read("gc", "leaky-t1.vars.json"))
SEED_HEAP = gzip.decompress(_read("profiles", "leaky-t1.heap.pb.gz"))
SEED_SPEC = open(os.path.join(ROOT, "examples", "slo", "order-service.yaml")).read()
SEED_EVIDENCE = json.loads(_read("reports", "goroutines.json"))

# Pieces the trial found trouble with, mixed into mutations.
HOSTILE = ["9" * 5000, "9" * 400, "1.2.3", "\x1b]0;PWNED\x07", "\x1b[2J", "\x9b", "\ufeff", "\r\n", "\x00", "²",
           "goroutine ", ", 7 minutes", "[", "]", "(", ")", "created by ", "\t", " +0x1f", "\n\n", "\n",
           "WARNING: DATA RACE\n", "==================\n", "panic: boom\n", "...additional frames elided...\n",
           " @ 0x1", "#\t0x1\tmain.f+0x1\t/x.go:1\n", "-", "e400", "NaN", " MB", "->", "%", "@"]
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


@st.composite
def mutated(draw, seed: str, max_ops: int = 6) -> str:
    text = seed
    for _ in range(draw(st.integers(0, max_ops))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(("insert", "delete", "replace")))
        if op == "insert":
            text = text[:pos] + draw(pieces) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(0, 200)):]
        else:
            text = text[:pos] + draw(pieces) + text[pos + draw(st.integers(1, 20)):]
    return text


def _framing(draw, data: bytes) -> bytes:
    """Maybe a BOM, maybe one or two gzip layers."""
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    for _ in range(draw(st.integers(0, 2))):
        data = gzip.compress(data, 1)
    return data


@st.composite
def framed(draw, text_strategy) -> bytes:
    return _framing(draw, draw(text_strategy).encode("utf-8", "surrogatepass"))


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """cli.main in-process (UserError is handled as in production; any other
    exception escapes and fails the property)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def input_file(data: bytes, name: str = "fuzz-input"):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "wb") as fh:
            fh.write(data)
        yield path


def assert_clean(code: int, out: str, err: str, path: str) -> None:
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("steadygo: error: ") and path in err, err
    assert "Traceback" not in err
    assert not _RAW_CONTROLS & set(out), repr([c for c in out if c in _RAW_CONTROLS][:5])


def command_property(cmd: str, data: bytes, *extra: str) -> None:
    with input_file(data) as path:
        assert_clean(*run_cli([cmd, path, "--max-bytes", "4M", *extra]), path)


# --------------------------------------------------------------------------- goroutine dumps


def debug1_lines():
    count = st.one_of(st.integers(0, 10**6).map(str), st.integers(0, 2**80).map(str), st.sampled_from(["9" * 5000, "", "x"]))
    frame = st.builds(lambda f, p, n: f"#\t0x4a5b6c\t{f}+0x1f\t{p}:{n}",
                      st.sampled_from(["main.worker", "runtime.gopark", "main.\x1b[2Jx", "sync.(*Mutex).Lock"]),
                      st.sampled_from(["/src/main.go", "/x y.go", ""]), count)
    block = st.builds(lambda c, fs: f"{c} @ 0x1 0x2\n" + "\n".join(fs), count, st.lists(frame, max_size=4))
    return st.builds(lambda total, blocks: f"goroutine profile: total {total}\n" + "\n\n".join(blocks) + "\n",
                     count, st.lists(block, max_size=5))


@FUZZ
@given(framed(st.one_of(mutated(SEED_DEBUG2), mutated(SEED_DEBUG1), debug1_lines())))
def test_goroutines_command_on_mutated_dumps(data):
    command_property("goroutines", data)


@FUZZ
@given(st.one_of(mutated(SEED_DEBUG2, max_ops=10), debug1_lines()))
def test_dump_parsers_in_process(text):
    for parse in (goroutines.parse_debug2, goroutines.parse_debug1):
        try:
            d = parse(text, "fuzz.txt")
        except UserError as exc:
            assert str(exc).startswith("fuzz.txt") and "\n" not in str(exc)
            continue
        a = leaks.analyse(d)
        leaks.findings(a)
        json.dumps(goroutines.report_data(a, leaks.diff(d, d)))
        assert d.total == sum(b.count for b in d.buckets) <= goroutines.MAX_GOROUTINES
        for b in d.buckets:
            assert sum(b.wait_minutes.values()) == b.count  # one wait per goroutine, counted not listed


# --------------------------------------------------------------------------- pprof profiles

_NAMES = ["", "goroutine", "count", "inuse_space", "bytes", "alloc_space", "inuse_objects", "cpu", "main.f",
          "\x1b]0;x\x07", "/src/a.go", "runtime.mapassign"]
i64 = st.integers(-(2**63), 2**63 - 1)
u64 = st.integers(0, 2**64 - 1)
small_idx = st.integers(-2, len(_NAMES) + 2)


@st.composite
def profiles(draw) -> bytes:
    pb = profile_pb2.Profile()
    pb.string_table.extend(draw(st.one_of(st.just(_NAMES), st.lists(st.sampled_from(_NAMES), max_size=6))))
    for t, u in draw(st.lists(st.tuples(small_idx, small_idx), max_size=4)):
        st_ = pb.sample_type.add()
        st_.type, st_.unit = t, u
    for fid, name, fname in draw(st.lists(st.tuples(st.integers(0, 6), small_idx, small_idx), max_size=5)):
        f = pb.function.add()
        f.id, f.name, f.filename = fid, name, fname
    for lid, addr, lines in draw(st.lists(st.tuples(st.integers(0, 6), u64, st.lists(st.tuples(st.integers(0, 7), i64), max_size=3)),
                                          max_size=5)):
        loc = pb.location.add()
        loc.id, loc.address = lid, addr
        for fid, line in lines:
            ln = loc.line.add()
            ln.function_id, ln.line = fid, line
    for locs, values, labels in draw(st.lists(st.tuples(st.lists(st.integers(0, 8), max_size=4),
                                                         st.lists(st.one_of(st.integers(-10, 10**9), i64), max_size=4),
                                                         st.lists(st.tuples(small_idx, small_idx, i64), max_size=2)),
                                               max_size=6)):
        s = pb.sample.add()
        s.location_id.extend(locs)
        s.value.extend(values)
        for k, v, n in labels:
            lb = s.label.add()
            lb.key, lb.str, lb.num = k, v, n
    if draw(st.booleans()):
        pb.period_type.type, pb.period_type.unit = draw(small_idx), draw(small_idx)
    pb.default_sample_type = draw(small_idx)
    data = pb.SerializeToString()
    if data and draw(st.booleans()):  # and sometimes a byte flipped
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


@st.composite
def mutated_bytes(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    return bytes(data)


def _profile_pipeline(data: bytes) -> None:
    try:
        prof = pprof.parse_profile(data, "fuzz.pb", max_bytes=4 << 20)
    except UserError as exc:
        assert str(exc).startswith("fuzz.pb") and "\n" not in str(exc)
        return
    for t, _ in prof.sample_types:
        try:
            pprof.top(prof, t)
            pprof.total(prof, t)
            heapcheck.findings("fuzz.pb", prof, None, t)
            heapcheck.findings("fuzz.pb", prof, prof, t, d=pprof.diff(prof, prof, t))
        except UserError as exc:
            assert str(exc).startswith("fuzz.pb")
    try:
        d = goroutines.from_profile(prof, "fuzz.pb")
        leaks.findings(leaks.analyse(d))
    except UserError as exc:
        assert str(exc).startswith("fuzz.pb")


@FUZZ
@given(st.one_of(profiles(), mutated_bytes(SEED_HEAP)))
def test_profile_parser_and_aggregation(data):
    _profile_pipeline(data)


@FEW
@given(st.one_of(profiles(), mutated_bytes(SEED_HEAP)), st.integers(0, 2))
def test_heap_and_goroutines_commands_on_profiles(data, layers):
    for _ in range(layers):
        data = gzip.compress(data, 1)
    command_property("heap", data)
    command_property("goroutines", data)


# --------------------------------------------------------------------------- gctrace

num = st.one_of(st.integers(0, 10**6).map(str), st.sampled_from(["9" * 400, "1.2.3", "", ".", "0.5", "-1", "1e9", "٣"]))
gc_line = st.builds(
    lambda n, at, p, a, b, c, g, x: f"gc {n} @{at}s {p}%: {x}+0.5+0.02 ms clock, 0.04+0.1/0.2/0.3+0.08 ms cpu, "
                                    f"{a}->{b}->{c} MB, {g} MB goal, 0 MB stacks, 0 MB globals, 4 P\n",
    num, num, num, num, num, num, num, num)


@FUZZ
@given(st.one_of(mutated(SEED_GCTRACE), st.lists(gc_line, max_size=12).map("".join)))
def test_gctrace_parser(text):
    try:
        tr = gctrace.parse(text, "gc.log")
    except UserError as exc:
        assert str(exc).startswith("gc.log")
        return
    gctrace.summarise(tr)
    gctrace.findings(tr, gctrace.Thresholds(memory_limit_mb=64.0))


@FEW
@given(framed(st.one_of(mutated(SEED_GCTRACE), st.lists(gc_line, max_size=12).map("".join))))
def test_gctrace_command(data):
    command_property("gctrace", data, "--memory-limit", "64M")


# --------------------------------------------------------------------------- memstats

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12)
memstats_keys = st.sampled_from(["HeapAlloc", "HeapInuse", "Sys", "HeapReleased", "NumGC", "NumForcedGC", "NextGC",
                                 "GCCPUFraction", "PauseNs", "PauseTotalNs", "HeapObjects", "StackInuse"])


@st.composite
def memstats_docs(draw) -> bytes:
    ms = dict(SEED_VARS["memstats"])
    for key in draw(st.lists(memstats_keys, max_size=4)):
        if draw(st.booleans()):
            ms.pop(key, None)
        else:
            ms[key] = draw(json_values)
    doc = {"cmdline": draw(st.one_of(st.just(SEED_VARS.get("cmdline", [])), json_values)), "memstats": ms}
    if draw(st.booleans()):
        doc = ms
    text = json.dumps(doc, allow_nan=True)
    return draw(st.one_of(st.just(text), mutated(text, max_ops=3))).encode("utf-8", "surrogatepass")


@FUZZ
@given(memstats_docs(), st.one_of(st.none(), st.integers(1, 2**40)))
def test_memstats_parser(data, limit):
    try:
        ms = memstats.parse(data, "vars.json")
    except UserError as exc:
        assert str(exc).startswith("vars.json") and "\n" not in str(exc)
        return
    memstats.summary(ms)
    memstats.findings(ms, memory_limit=limit, container_limit=limit)


@FEW
@given(memstats_docs())
def test_memstats_command(data):
    command_property("memstats", data, "--memory-limit", "1G")


# --------------------------------------------------------------------------- SLO specs

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12),
                         st.sampled_from(["99.9", "30d", "4w", "9" * 5000 + "d", "L1", "off", "0.35", ".inf"]))
yaml_values = st.recursive(yaml_scalars, lambda c: st.one_of(st.lists(c, max_size=3),
                                                             st.dictionaries(st.text(max_size=8), c, max_size=3)),
                           max_leaves=10)


@st.composite
def spec_texts(draw) -> str:
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return draw(mutated(SEED_SPEC))
    doc = yaml.safe_load(SEED_SPEC)
    for _ in range(draw(st.integers(1, 4))):
        slo = doc["slos"][draw(st.integers(0, len(doc["slos"]) - 1))]
        key = draw(st.sampled_from(["objective", "window", "sli", "labels", "alerts", "tiers", "name", "runbook_url"]))
        slo[key] = draw(yaml_values)
    if choice == 2:
        doc = draw(yaml_values)
    return yaml.safe_dump(doc, allow_unicode=True)


@FUZZ
@given(spec_texts())
def test_slo_spec_loader(text):
    try:
        s = spec.loads(text, "spec.yaml")
    except UserError as exc:
        assert str(exc).startswith("spec.yaml") and "\n" not in str(exc)
        return
    yaml.safe_load(rules.render(s, "spec.yaml"))
    explain.render_text(s)
    json.dumps(explain.render_json(s))


# --------------------------------------------------------------------------- runtime evidence and baselines


@st.composite
def mutated_json(draw, seed) -> str:
    """seed with a few leaves or containers swapped for arbitrary JSON."""
    doc = json.loads(json.dumps(seed))
    for _ in range(draw(st.integers(1, 5))):
        node = doc
        for _ in range(draw(st.integers(0, 4))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
                if not isinstance(node[key], (dict, list)):
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                nxt = node[draw(st.integers(0, len(node) - 1))]
                if not isinstance(nxt, (dict, list)):
                    break
                node = nxt
        if isinstance(node, dict) and node:
            node[draw(st.sampled_from(sorted(node)))] = draw(json_values)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(json_values)
    return json.dumps(doc, allow_nan=True)


def _load_file(loader, text: str):
    with input_file(text.encode("utf-8", "surrogatepass"), "doc.json") as path:
        try:
            return loader(path), path
        except UserError as exc:
            assert str(exc).startswith(path) and "\n" not in str(exc), str(exc)
            return None, path


@FUZZ
@given(st.one_of(mutated_json(SEED_EVIDENCE), json_values.map(json.dumps)))
def test_runtime_evidence_loader_and_html(text):
    doc, path = _load_file(evidence.load, text)
    if doc is None:
        return
    try:
        evidence.findings(doc)
    except UserError as exc:
        assert str(exc).startswith(path)
    evidence.checked_rules(doc)
    html.HtmlReporter()._runtime(doc, 1)


GOOD_BASELINE = {"schema": baseline.SCHEMA, "version": baseline.VERSION,
                 "entries": [{"fingerprint": "abc", "rule_id": "SG101", "path": "main.go", "line": 3, "message": "m"},
                             {"fingerprint": "def", "rule_id": "SG202", "path": "x.go", "line": 9, "message": "n"}]}


@FUZZ
@given(st.one_of(mutated_json(GOOD_BASELINE), json_values.map(json.dumps)))
def test_baseline_loader(text):
    bl, _ = _load_file(baseline.load, text)
    if bl is not None:
        bl.apply([])
        bl.summary()
        assert all(isinstance(e.line, int) for e in bl.entries)


# --------------------------------------------------------------------------- fetch layers, option values, escaping


@FUZZ
@given(st.binary(max_size=3000), st.integers(0, 4), st.integers(1, 4000), st.integers(1, 700))
def test_gzip_layers_each_capped(data, layers, max_bytes, chunk):
    assume(not data.startswith(b"\x1f\x8b"))
    sizes = [len(data)]
    raw = data
    for _ in range(layers):
        raw = gzip.compress(raw, 1)
        sizes.append(len(raw))
    chunks = [raw[i:i + chunk] for i in range(0, len(raw), chunk)]
    try:
        out, peeled = fetch.collect(iter(chunks), max_bytes, "x")
    except UserError as exc:
        msg = str(exc)
        assert msg.startswith("x: ")
        assert max(sizes) > max_bytes or layers > fetch.MAX_GZIP_LAYERS, msg
        return
    assert layers <= fetch.MAX_GZIP_LAYERS and max(sizes) <= max_bytes
    assert (bytes(out), peeled) == (data, layers)


@FUZZ
@given(st.binary(max_size=400))
def test_corrupt_gzip_is_a_user_error(tail):
    try:
        fetch.gunzip(b"\x1f\x8b" + tail, 1 << 16, "x")
    except UserError as exc:
        assert str(exc).startswith("x: ")


@FUZZ
@given(st.one_of(st.text(max_size=30), st.sampled_from(["inf", "nan", "-1", "0", "1e400", "1e30", "1K", "256M", "1.5G",
                                                          "9" * 5000, "0.0001"])))
def test_option_value_parsers(text):
    for parse, lo, hi in ((options.size, 1, options.MAX_SIZE), (options.seconds, 0, options.MAX_SECONDS),
                          (options.finite, 0, float("inf")), (options.count, 0, 10**18)):
        try:
            v = parse(text)
        except argparse.ArgumentTypeError:
            continue
        assert lo <= v <= hi and v == v, (parse.__name__, text, v)


@FUZZ
@given(st.text(max_size=60))
def test_escape_control(text):
    out = escape_control(text)
    assert not _RAW_CONTROLS & set(out) and "\n" not in out
    assert escape_control(out) == out
    if not (_RAW_CONTROLS | {"\n"}) & set(text):
        assert out == text
