"""HTTP server, client and transport timeout rules (SG1xx)."""

RULES: list = []
