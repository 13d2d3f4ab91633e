"""Errors a user can act on. Each carries a message already in the user's language.

The command line prints ``str(error)`` on one line and exits 2; the UI shows it (and, for a
ValidationError, each field's message beside its field). Anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping


class UserError(Exception):
    """Bad input or a refused operation; nothing was changed."""


class ValidationError(UserError):
    """One or more fields are invalid. ``fields`` maps field name -> message."""

    def __init__(self, fields: Mapping[str, str]):
        self.fields = dict(fields)
        super().__init__("; ".join(self.fields.values()))


class PermissionDenied(UserError):
    pass


class NotFound(UserError):
    pass


class Conflict(UserError):
    """Someone else changed the record since it was opened."""


class DatabaseProblem(UserError):
    """The database cannot be opened or used as it is (damaged, too new, behind, read-only)."""
