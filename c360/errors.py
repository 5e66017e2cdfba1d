"""Mistakes a user can fix, told in one line: the CLI prints them without a traceback and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input, configuration or choice; the message names what to fix (and the valid choices)."""
