"""Path classifiers: is this file part of a service, a CLI, an example or test
support?  Kept together here, unchanged in behaviour, until a package role
judged once per package replaces them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


TEST_SUPPORT_DIR = re.compile(r"(^|/)(testutils?|testhelpers?|testing|mocks?|fakes?|testdata|integration|e2e|examples?|_examples?)(/|$)")


def under_cmd(relpath: str) -> bool:
    return "cmd" in relpath.replace("\\", "/").split("/")[:-1]


# Directories of command-line tools: cmd/..., etcdctl/..., kubectl/...
CLI_DIR = re.compile(r"/(?:cmd|cli|tools?|hack|scripts?|examples?|_examples|demos?|\w*demo|\w+ctl|\w+-cli|runner)/")


def is_cli(ctx: FileContext) -> bool:
    """A main package, or a file under a command-line/example directory."""
    if ctx.file.package_name == "main":
        return True
    d = ctx.file.relpath.rsplit("/", 1)[0] if "/" in ctx.file.relpath else ""
    return CLI_DIR.search("/" + d + "/") is not None


# Programs that are not deployed services: examples and demos, and test
# harnesses (end-to-end, integration and functional-test servers and proxies).
_NOT_A_SERVICE_DIR = re.compile(r"/(?:examples?|_examples|demos?|\w*demo|samples?"
                                r"|tests?|testutils?|testhelpers?|testing|e2e|integration|functional|mocks?|fakes?)/")
# Go's naming convention for test-support packages: httptest, iotest, fstest,
# acmetest ("package footest provides utilities for testing foo").  English
# words that happen to end in "test" are not that.
_TEST_SUFFIX = re.compile(r"(?<=/)[a-z0-9_]+test(?=/)")
_TEST_SUFFIX_WORDS = frozenset({"latest", "contest", "attest", "protest", "detest", "fastest", "greatest",
                                "shortest", "hottest", "softest", "smartest"})


def not_a_service(ctx: FileContext) -> bool:
    """The file sits in an example, demo or test-support folder of its module."""
    path = "/" + ctx.module_dir + "/"
    if _NOT_A_SERVICE_DIR.search(path) is not None:
        return True
    return any(m.group(0) not in _TEST_SUFFIX_WORDS for m in _TEST_SUFFIX.finditer(path))
