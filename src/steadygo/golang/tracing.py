"""OpenTelemetry tracing set-up in a file.
"""

from __future__ import annotations

from steadygo.golang.facts import extract_facts


def file_tracing(ctx, kind):
    return [m for m in extract_facts(ctx.pkg).tracing if m.location.path == ctx.file.relpath and m.kind == kind]
