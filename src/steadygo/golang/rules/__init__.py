"""Go code rules: one folder per family (sg1_http, sg2_context, ...), one file per rule."""
