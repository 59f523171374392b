"""Which Go releases are supported on a given day, from the release table in
``steadygo/data/go_releases.toml`` (dates live in data, not code)."""

from __future__ import annotations

import datetime
import functools
import os
import tomllib
from dataclasses import dataclass

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "go_releases.toml")
# Go supports the two newest major releases.
SUPPORTED_MAJORS = 2


@dataclass(frozen=True)
class Release:
    minor: int  # 22 for Go 1.22
    date: datetime.date

    @property
    def name(self) -> str:
        return f"1.{self.minor}"


@functools.cache
def releases() -> tuple[Release, ...]:
    with open(TABLE, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for item in data["release"]:
        major, minor = (int(p) for p in str(item["version"]).split("."))
        if major != 1 or not isinstance(item["date"], datetime.date):
            raise ValueError(f"{TABLE}: bad release entry {item!r}")
        out.append(Release(minor, item["date"]))
    return tuple(sorted(out, key=lambda r: r.minor))


@dataclass(frozen=True)
class Support:
    supported: bool
    # The releases supported on the day judged (newest first).
    current: tuple[Release, ...]
    # The release whose arrival ended support of the version judged (go1.(N+2)),
    # None when the table does not reach back that far.
    ended_by: Release | None = None


def support(major: int, minor: int, today: datetime.date) -> Support:
    """Whether Go ``major.minor`` gets security fixes on ``today``.  A release
    newer than every one out by then counts as supported (a go line may name
    a release candidate, or a release the table does not list yet)."""
    out = [r for r in releases() if r.date <= today]
    current = tuple(sorted(out, key=lambda r: -r.minor)[:SUPPORTED_MAJORS])
    if major != 1 or len(current) < SUPPORTED_MAJORS:
        return Support(True, current)
    oldest_supported = current[-1].minor
    if minor >= oldest_supported:
        return Support(True, current)
    ended = next((r for r in out if r.minor == minor + SUPPORTED_MAJORS), None)
    return Support(False, current, ended)


def parse_date(text: str) -> datetime.date:
    """YYYY-MM-DD, for the ``as-of`` option; ValueError names the problem."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None
