"""redact() skips a pattern when the text lacks a character the pattern
cannot match without; the result must be what every pattern applied in
turn gives, on text built from the pieces secrets are written with."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from steadygo import redact as r

PIECES = ["password", "Token", "api_key", "secret", "dsn", "=", ":=", ": ", ",", '"', '"hunter2"', "`raw`", "\\",
          "://", "user:p@ss@", "host:8080/", "@tcp(db)", "?key=", "&sig=", "hooks.slack.com/services/", "T0/B1/x",
          "// ", "/* ", "is ", "AKIA" + "A" * 16, "ghp_" + "a" * 30, " ", "x", "_", "-", "\n"]


def every_pattern(text: str) -> str:
    out = r._ASSIGNED.sub(lambda m: m.group(1) + r._mask_literal(m.group(2)), text)
    out = r._mask_url_userinfo(out)
    out = r._mask_mysql(out)
    out = r._KV.sub(lambda m: m.group(1) + r.MASK, out)
    out = r._QUERY.sub(lambda m: m.group(1) + r.MASK, out)
    out = r._SLACK_WEBHOOK.sub(lambda m: m.group(1) + r.MASK, out)
    out = r._mask_comment(out)
    return r._TOKENS.sub(r.MASK, out)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_guards_change_nothing(text):
    assert r.redact(text) == every_pattern(text)


def test_guarded_patterns_still_mask():
    assert r.redact('password := "hunter2"') == 'password := "****"'
    assert r.redact("https://x.test/?api_key=abc123") == "https://x.test/?api_key=****"
    assert r.redact("https://hooks.slack.com/services/T0/B1/xyz") == "https://hooks.slack.com/services/****"
