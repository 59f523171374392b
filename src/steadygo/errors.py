"""Errors that are the user's to fix: printed as one line, never a traceback."""


class UserError(Exception):
    """Bad usage, bad config, unreadable input.  ``exit_code`` defaults to 2."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
