"""The series selectors `slo check --src` finds in sloth/OpenSLO PromQL."""

from __future__ import annotations

import pytest

from steadygo.slo import promql_selectors


def texts(query: str) -> list[str]:
    return [s.text() for s in promql_selectors.selectors(query)]


@pytest.mark.parametrize("query, expected", [
    ('sum(rate(http_requests_total{job="a",code=~"5.."}[{{.window}}]))', ['http_requests_total{job="a",code=~"5.."}']),
    ("1 - (sum(rate(h_bucket{le=\"0.5\"}[{{ .window }}])) / sum(rate(h_count[{{ .window }}])))", ['h_bucket{le="0.5"}', "h_count"]),
    # aggregation modifiers before and after, vector matching label lists, subqueries, offset, bool
    ('sum by (cluster) (rate(a[5m] offset 1h)) / on(cluster) group_left(team) sum(rate(b{x="}"}[1h:5m])) > bool 0.5e-3',
     ["a", 'b{x="}"}']),
    ("histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le)) and up == 1", ["x_bucket", "up"]),
    # strings as function arguments, hex numbers, recorded series and nameless selectors
    ('label_replace(foo, "dst", "$1", "src", "(.*)") * 0x1F + job:req:rate5m + {__name__="z"}', ["foo", "job:req:rate5m"]),
    ("sum without(pod)(a) unless ignoring (x) b # c is a comment\n", ["a", "b"]),
])
def test_selectors(query, expected):
    assert texts(query) == expected


@pytest.mark.parametrize("query", ['sum(rate(a{x="1}[5m]))', "sum(rate(a[5m)", "a{x~1}"])
def test_unreadable_is_said_not_guessed(query):
    with pytest.raises(promql_selectors.Unreadable):
        promql_selectors.selectors(query)
