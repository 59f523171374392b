from steadygo.golang.rules.sg3_resources.sg301_response_body_not_closed import ResponseBodyNotClosed
from steadygo.golang.rules.sg3_resources.sg302_sql_rows_or_stmt_not_closed import RowsOrStmtNotClosed
from steadygo.golang.rules.sg3_resources.sg303_sql_rows_err_not_checked import RowsErrNotChecked
from steadygo.golang.rules.sg3_resources.sg304_sql_tx_without_rollback import TxWithoutRollback
from steadygo.golang.rules.sg3_resources.sg305_db_pool_opened_per_request import PoolOpenedPerRequest
from steadygo.golang.rules.sg3_resources.sg306_sql_pool_not_sized import SqlPoolNotSized
from steadygo.golang.rules.sg3_resources.sg307_redis_timeout_disabled import RedisTimeoutDisabled
from steadygo.golang.rules.sg3_resources.sg308_query_inside_rows_loop import QueryInsideRowsLoop
from steadygo.golang.rules.sg3_resources.sg309_defer_in_loop import DeferInLoop
from steadygo.golang.rules.sg3_resources.sg310_mutex_held_across_blocking_call import MutexHeldAcrossBlockingCall
from steadygo.golang.rules.sg3_resources.sg311_mutex_not_unlocked_on_return import MutexNotUnlockedOnReturn
from steadygo.golang.rules.sg3_resources.sg312_unbounded_request_body_read import UnboundedRequestBodyRead
from steadygo.golang.rules.sg3_resources.sg313_unbounded_cache_map import UnboundedPackageMap
from steadygo.golang.rules.sg3_resources.sg314_sync_pool_misuse import SyncPoolMisuse
from steadygo.golang.rules.sg3_resources.sg315_subslice_retains_large_buffer import SubsliceRetainsBuffer
from steadygo.golang.rules.sg3_resources.sg316_response_body_closed_unread import ResponseBodyClosedUnread
from steadygo.golang.rules.sg3_resources.sg317_lock_order_inversion import LockOrderInversion
from steadygo.golang.rules.sg3_resources.sg318_wait_holding_lock_workers_need import WaitHoldingLockWorkersNeed
from steadygo.golang.rules.sg3_resources.sg319_mutex_relocked_while_held import MutexRelockedWhileHeld

RULES = [
    ResponseBodyNotClosed(),
    RowsOrStmtNotClosed(),
    RowsErrNotChecked(),
    TxWithoutRollback(),
    PoolOpenedPerRequest(),
    SqlPoolNotSized(),
    RedisTimeoutDisabled(),
    QueryInsideRowsLoop(),
    DeferInLoop(),
    MutexHeldAcrossBlockingCall(),
    MutexNotUnlockedOnReturn(),
    UnboundedRequestBodyRead(),
    UnboundedPackageMap(),
    SyncPoolMisuse(),
    SubsliceRetainsBuffer(),
    ResponseBodyClosedUnread(),
    LockOrderInversion(),
    WaitHoldingLockWorkersNeed(),
    MutexRelockedWhileHeld(),
]
