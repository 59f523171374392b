from steadygo.golang.rules.sg4_errors.sg401_error_discarded import ErrorDiscarded
from steadygo.golang.rules.sg4_errors.sg402_error_wrapped_without_w import ErrorWrappedWithoutW
from steadygo.golang.rules.sg4_errors.sg403_error_compared_without_errors_is import ErrorComparedWithoutErrorsIs
from steadygo.golang.rules.sg4_errors.sg404_panic_in_request_path import PanicInRequestPath
from steadygo.golang.rules.sg4_errors.sg405_goroutine_without_recover import GoroutineWithoutRecover
from steadygo.golang.rules.sg4_errors.sg406_process_exit_outside_main import ProcessExitOutsideMain
from steadygo.golang.rules.sg4_errors.sg407_missing_return_after_http_error import MissingReturnAfterHttpError

RULES = [
    ErrorDiscarded(),
    ErrorWrappedWithoutW(),
    ErrorComparedWithoutErrorsIs(),
    PanicInRequestPath(),
    GoroutineWithoutRecover(),
    ProcessExitOutsideMain(),
    MissingReturnAfterHttpError(),
]
