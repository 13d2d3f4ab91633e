"""Untranslated texts and findings that the post-exposure domain hands to services and the UI.

The domain may not import ``hospital_osh.i18n`` (import-linter), so it never translates: a
:class:`Text` is an English source string marked with ``N_`` plus named parameters, and the caller
renders it with its own ``_``: ``text.render(_)``. Parameters are numbers, dates or codes, never
English words, so a rendered sentence is wholly in one language (STYLE.md, Translations).

:class:`Issue` has the same shape as ``exposure_rules.Issue`` (field, severity, message, params),
so a service turns both into per-field messages the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

ParamValue = str | int | float
Params = tuple[tuple[str, ParamValue], ...]


def _identity(message: str) -> str:
    return message


def freeze(params: Mapping[str, ParamValue] | None) -> Params:
    """Parameters as a sorted tuple of pairs: hashable, so the values holding them stay frozen."""
    return tuple(sorted((params or {}).items()))


@dataclass(frozen=True)
class Text:
    """An English source string with named placeholders, rendered in the caller's language."""

    message: str
    params: Params = ()

    @classmethod
    def of(cls, message: str, **params: ParamValue) -> Text:
        return cls(message, freeze(params))

    @property
    def kwargs(self) -> dict[str, ParamValue]:
        return dict(self.params)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """``translate`` is ``hospital_osh.i18n._`` in the application; English by default."""
        return translate(self.message).format(**self.kwargs)

    def __str__(self) -> str:
        return self.render()


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding on one field. ``message`` is an untranslated source with ``params``."""

    field: str
    severity: Severity
    message: str
    params: Params = ()

    @property
    def text(self) -> Text:
        return Text(self.message, self.params)


def issue(field: str, severity: Severity, message: str, **params: ParamValue) -> Issue:
    return Issue(field, severity, message, freeze(params))


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


class DomainError(ValueError):
    """Input the rules cannot work with. ``issues`` say which fields and why (untranslated)."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{i.field}: {i.text.render()}" for i in self.issues))


def raise_errors(issues: Iterable[Issue]) -> None:
    """Raise :class:`DomainError` if any issue is an error; warnings pass."""
    found = errors(issues)
    if found:
        raise DomainError(found)
