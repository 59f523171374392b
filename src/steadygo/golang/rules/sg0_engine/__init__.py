from steadygo.golang.rules.sg0_engine.sg000_go_syntax_error import SYNTAX_ERROR
from steadygo.golang.rules.sg0_engine.sg001_unused_suppression import UNUSED_SUPPRESSION
from steadygo.golang.rules.sg0_engine.sg002_suppression_without_reason import SUPPRESSION_WITHOUT_REASON

RULES = [
    SYNTAX_ERROR,
    UNUSED_SUPPRESSION,
    SUPPRESSION_WITHOUT_REASON,
]
