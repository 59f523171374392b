"""steadygo: finds the engineering breakpoints that take Go web services down in production."""

__version__ = "0.1.0"
