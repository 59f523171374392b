"""Standard-library error texts that code matches by string, and what to
match instead.

SG403 reports ``strings.Contains(err.Error(), "...")``; how loud depends on
whether the standard library gives a better handle.  Where it exports a
sentinel (``net.ErrClosed`` for "use of closed network connection") the text
match is a real mistake; where it exports only a type (``*net.AddrError`` for
"missing port in address") or nothing at all (database/sql's unexported
errDBClosed), matching the text is what the library leaves, and the rule says
which type to use, at info.  Fragments are matched as substrings of the
literal the code compares with, first entry first.
"""

from __future__ import annotations

# (fragment of the message, advice, has an exported sentinel)
_TABLE: tuple[tuple[str, str, bool], ...] = (
    ("use of closed network connection", "errors.Is(err, net.ErrClosed)", True),
    ("i/o timeout", "errors.Is(err, os.ErrDeadlineExceeded), or errors.As to net.Error and Timeout()", True),
    ("context deadline exceeded", "errors.Is(err, context.DeadlineExceeded)", True),
    ("context canceled", "errors.Is(err, context.Canceled)", True),
    ("operation was canceled", "errors.Is(err, context.Canceled) (net's cancel error matches it)", True),
    ("connection reset by peer", "errors.Is(err, syscall.ECONNRESET)", True),
    ("connection refused", "errors.Is(err, syscall.ECONNREFUSED)", True),
    ("broken pipe", "errors.Is(err, syscall.EPIPE)", True),
    ("no such file or directory", "errors.Is(err, fs.ErrNotExist)", True),
    ("file does not exist", "errors.Is(err, fs.ErrNotExist)", True),
    ("file already exists", "errors.Is(err, fs.ErrExist)", True),
    ("permission denied", "errors.Is(err, fs.ErrPermission)", True),
    ("http: Server closed", "errors.Is(err, http.ErrServerClosed)", True),
    ("sql: no rows in result set", "errors.Is(err, sql.ErrNoRows)", True),
    ("sql: transaction has already been committed or rolled back", "errors.Is(err, sql.ErrTxDone)", True),
    ("unexpected EOF", "errors.Is(err, io.ErrUnexpectedEOF)", True),
    ("missing port in address", "errors.As to *net.AddrError (net.SplitHostPort's error) and compare its Err field", False),
    ("too many colons in address", "errors.As to *net.AddrError and compare its Err field", False),
    ("no such host", "errors.As to *net.DNSError and its IsNotFound field", False),
    ("exit status", "errors.As to *exec.ExitError and its ExitCode()", False),
    ("invalid port", "errors.As to *url.Error or *net.AddrError (the parser's error type)", False),
    ("json: cannot unmarshal", "errors.As to *json.UnmarshalTypeError", False),
    ("invalid character", "errors.As to *json.SyntaxError", False),
    ("sql: database is closed", "nothing better: database/sql does not export this error", False),
    ("sql: statement is closed", "nothing better: database/sql does not export this error", False),
    ("server closed idle connection", "nothing better: net/http does not export this error (the Transport retries it when it can)", False),
    ("request declared a Content-Length", "nothing better: net/http does not export this error", False),
)


def stdlib_message(literal: str) -> tuple[str, bool] | None:
    """(what to use instead, whether a sentinel exists) for a standard-library
    error text the literal contains, or None for texts it does not know."""
    for fragment, advice, sentinel in _TABLE:
        if fragment in literal:
            return advice, sentinel
    return None
