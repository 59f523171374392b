"""Runtime-evidence tests (issue 7)."""
