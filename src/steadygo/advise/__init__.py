"""Advice computed from numbers the user gives (load, limits), not from code."""
