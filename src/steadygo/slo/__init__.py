"""SLO burn-rate alerting: from a small YAML spec to Prometheus recording and
alerting rules (SRE workbook multi-window, multi-burn-rate), an explanation of
when each alert fires, and validation by the real ``promtool``."""
