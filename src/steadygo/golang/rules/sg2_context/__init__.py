from steadygo.golang.rules.sg2_context.sg201_context_background_in_request_path import ContextChainBroken
from steadygo.golang.rules.sg2_context.sg202_context_cancel_not_called import LostCancel
from steadygo.golang.rules.sg2_context.sg203_goroutine_outlives_request import GoroutineOutlivesRequest
from steadygo.golang.rules.sg2_context.sg204_goroutine_send_without_receiver import GoroutineBlockedOnAbandonedChannel
from steadygo.golang.rules.sg2_context.sg205_select_forever_outside_main import SelectForeverOutsideMain
from steadygo.golang.rules.sg2_context.sg206_goroutine_loop_without_exit import GoroutineLoopWithoutExit
from steadygo.golang.rules.sg2_context.sg207_time_after_in_loop import TimeAfterInLoop
from steadygo.golang.rules.sg2_context.sg208_ticker_never_stopped import TickerNeverStopped
from steadygo.golang.rules.sg2_context.sg209_waitgroup_add_inside_goroutine import WaitGroupAddInsideGoroutine
from steadygo.golang.rules.sg2_context.sg210_errgroup_without_context import ErrgroupWithoutContext
from steadygo.golang.rules.sg2_context.sg211_unbounded_goroutine_fan_out import UnboundedFanOut
from steadygo.golang.rules.sg2_context.sg212_context_key_builtin_type import ContextKeyBuiltinType
from steadygo.golang.rules.sg2_context.sg213_loop_ignores_context import LoopIgnoresContext
from steadygo.golang.rules.sg2_context.sg214_send_ignores_cancellation import SendIgnoresCancellation

RULES = [
    ContextChainBroken(),
    LostCancel(),
    GoroutineOutlivesRequest(),
    GoroutineBlockedOnAbandonedChannel(),
    SelectForeverOutsideMain(),
    GoroutineLoopWithoutExit(),
    TimeAfterInLoop(),
    TickerNeverStopped(),
    WaitGroupAddInsideGoroutine(),
    ErrgroupWithoutContext(),
    UnboundedFanOut(),
    ContextKeyBuiltinType(),
    LoopIgnoresContext(),
    SendIgnoresCancellation(),
]
