"""The exposition reader: the canonical-line fast path and prometheus-client's
text parser give the same families (property test), OpenMetrics goes through
prometheus-client's OpenMetrics parser, and families group as in Go."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadygo.errors import UserError
from steadygo.runtime import exposition


def _view(expo):
    return sorted((f.name, f.type, f.line, f.help, f.series, {k: sorted(v) for k, v in f.labels.items()},
                   sorted(f.buckets)) for f in expo.families)


def _both(text: str):
    """Parse with and without the canonical reader: same families, or the same error."""
    out = []
    for fast in (True, False):
        try:
            out.append(_view(exposition.parse(text.encode(), "in", canonical_reader=fast)))
        except UserError as exc:
            out.append(("error", str(exc).split(":")[1]))  # the line number; wording may differ
    return out


names = st.sampled_from(["app_x", "app_x_total", "app_x_bucket", "app_x_sum", "app_x_count", "b", "http_requests_total"])
label_names = st.sampled_from(["a", "code", "le", "quantile", "path", "__x", "jobKind"])
label_values = st.text(alphabet='ab1 /,="\\{}n.\u00e9', max_size=6)
values = st.sampled_from(["1", "0", "-2.5", "1e3", "+Inf", "-Inf", "NaN", "1_0", "x", ".5", "2.", "0x1"])


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@st.composite
def sample_lines(draw):
    name = draw(names)
    labels = draw(st.lists(st.tuples(label_names, label_values), max_size=3))
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    if draw(st.booleans()) and labels:
        body += ","
    space = draw(st.sampled_from([" ", " ", "  ", "\t"]))
    ts = draw(st.sampled_from(["", "", " 1700000000000", " -5", " 1.5"]))
    lab = "{" + body + "}" if labels or draw(st.booleans()) else ""
    return f"{name}{lab}{space}{draw(values)}{ts}"


@st.composite
def expositions(draw):
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["sample", "sample", "sample", "type", "help", "comment", "blank"]))
        if kind == "sample":
            lines.append(draw(sample_lines()))
        elif kind == "type":
            lines.append(f"# TYPE {draw(names)} {draw(st.sampled_from(['counter', 'gauge', 'histogram', 'summary']))}")
        elif kind == "help":
            lines.append(f"# HELP {draw(names)} some help")
        elif kind == "comment":
            lines.append("# just a comment")
        else:
            lines.append("")
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expositions())
def test_canonical_reader_agrees_with_prometheus_client(text):
    fast, slow = _both(text)
    assert fast == slow, text


def test_canonical_reader_takes_the_common_lines_and_prometheus_client_the_rest(monkeypatch):
    from prometheus_client import parser

    seen = []
    real = parser.text_string_to_metric_families
    monkeypatch.setattr(parser, "text_string_to_metric_families", lambda t: (seen.append(t), real(t))[1])
    text = ('# TYPE a_total counter\na_total{x="1"} 1\na_total{x="2",} 2 1700000000000\n'
            'a_total{x="say \\"hi\\""} 3\na_total { x="4" } 4\n')
    expo = exposition.parse(text.encode(), "in")
    assert seen == ['a_total{x="say \\"hi\\""} 3', 'a_total { x="4" } 4']
    assert _view(expo) == [("a_total", "counter", 1, None, 4, {"x": ['1', '2', '4', 'say "hi"']}, [])]


def test_families_group_as_in_go():
    text = ("# HELP h Latency.\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n"
            "h_count 2\n# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\n"
            "u_bucket{le=\"1\"} 1\nu 1\nu 2\n# TYPE g gauge\ng_sum 1\n")
    fams = {f.name: f for f in exposition.parse(text.encode(), "in").families}
    assert sorted(fams) == ["g_sum", "h", "s", "u", "u_bucket"]  # g: a TYPE with no samples is dropped, as in Go
    assert fams["h"].series == 4 and sorted(fams["h"].buckets) == [0.1, float("inf")] and fams["h"].labels == {}
    assert fams["s"].series == 3 and fams["s"].labels == {}  # quantile is not a label of a summary
    assert fams["u_bucket"].type == "untyped" and fams["u_bucket"].labels == {"le": {"1"}}
    assert fams["u"].series == 2 and fams["g_sum"].type == "untyped"


def test_openmetrics_goes_through_prometheus_clients_parser():
    text = ('# TYPE rpc_seconds histogram\n# UNIT rpc_seconds seconds\n# HELP rpc_seconds Latency.\n'
            'rpc_seconds_bucket{le="0.1"} 1\nrpc_seconds_bucket{le="+Inf"} 3\nrpc_seconds_count 3\nrpc_seconds_sum 1.5\n'
            '# TYPE jobs counter\njobs_total{user="a@b.com"} 1\n# EOF\n')
    expo = exposition.parse(text.encode(), "om")
    assert expo.format == "openmetrics"
    fams = {f.name: f for f in expo.families}
    assert fams["rpc_seconds"].unit == "seconds" and fams["rpc_seconds"].line == 1
    assert fams["jobs_total"].type == "counter" and fams["jobs_total"].line == 8  # stored as jobs_total
    # The content type decides too: a text body announced as OpenMetrics must be OpenMetrics.
    with pytest.raises(UserError, match=r"^om: line 2: not valid OpenMetrics \(Missing # EOF at end\)"):
        exposition.parse(b"# TYPE a gauge\na 1\n", "om", "application/openmetrics-text; version=1.0.0")


@pytest.mark.parametrize("text, line, needle", [
    (b"a 1\n\nfoo bar\n", 3, "malformed sample line"),
    (b'a{x="1",x="2"} 1\n', 1, "malformed sample line"),
    (b'ok 1\na{__name__="b"} 1\n', 2, "malformed sample line"),
    (b"# TYPE a widget\n", 1, "unknown metric type 'widget'"),
    (b"a 1\n# TYPE a gauge\n", 2, "second TYPE line"),
    (b"# HELP a x\n# HELP a y\n", 2, "second HELP line"),
    (b'# TYPE a gauge\n# TYPE a-b gauge\n', 2, "not a legal metric name"),
    (b"a 1\nb 2\nc\xff 3\n", 3, "not UTF-8"),
    (b"a 1\n\x00\x01\x02", 2, "binary data"),
    (b"# TYPE a counter\na_total 1\n# EOF\nb 1\n# EOF\n", 4, "not valid OpenMetrics"),
])
def test_a_bad_line_is_named(text, line, needle):
    with pytest.raises(UserError) as exc:
        exposition.parse(text, "in.prom")
    msg = str(exc.value)
    assert msg.startswith(f"in.prom: line {line}: ") and needle in msg and "\n" not in msg, msg


@pytest.mark.parametrize("text", [
    'a{x=",y=",y="2"} 1\n',  # a value that looks like the start of a pair
    'a{x=",x="} 1\na{x="b"} 2\n',
    'a{y="1",x="2"} 1\na{x="3"} 1\na{z="4"} 1\n',  # label names the first and last line do not have
    '  # TYPE a counter\na 1\n',  # an indented comment
    'a{path="/a#b"} 1\n#x\n# TYPE b gauge\nb 1',  # '#' inside a value; no final newline
    'a 1\r\n# HELP a x\r\n',
    # The split-on-quotes reader of a sample name whose lines share one label order; each of these must fall
    # back to the pair walker (different order, fewer or more labels, a trailing comma, an empty body between).
    'a{x="1",y="2"} 1\na{y="3",x="4"} 1\n',
    'a{x="1",y="2"} 1\na{x="3"} 1\na{x="5",y="6",z="7"} 1\n',
    'a{x="1",y="2"} 1\na{x="3",y="4",} 1\n',
    'a{x="1"} 1\na 2\na{x="3"} 3\n',
    'a{x=""} 1\na{x="\\n"} 2\na{x="y=,x="} 3\n',
    '# TYPE h histogram\nh_bucket{m="a",le="1"} 1\nh_bucket{m="a",le="+Inf"} 2\nh_sum{m="a"} 3\nh_count{m="a"} 2\n'
    'h_bucket{m="b",le="1"} 1\nh_bucket{le="+Inf",m="b"} 2\n',
])
def test_tricky_canonical_lines(text):
    fast, slow = _both(text)
    assert fast == slow and fast[0] != "error", (fast, slow)


def test_one_label_order_per_sample_name_is_read_by_position():
    text = "".join(f'a{{x="{i % 3}",y="v{i}"}} 1\n' for i in range(50)) + 'a_other{x="9"} 1\n'
    fam = exposition.parse(text.encode(), "in").families[0]
    assert (fam.series, fam.labels) == (50, {"x": {"0", "1", "2"}, "y": {f"v{i}" for i in range(50)}})
    assert exposition._values_by_position(['x="1",y="2"', 'y="3",x="4"']) is None
    assert exposition._values_by_position(['x="1"', 'x="1",y="2"']) is None
    assert exposition._values_by_position(['x="1",x="2"']) is None  # refused by the pair walker, which names the line


def test_values_that_look_like_pairs_are_values():
    fam = exposition.parse(b'a{x=",y=",y="2"} 1\n', "in").families[0]
    assert fam.labels == {"x": {",y="}, "y": {"2"}}
