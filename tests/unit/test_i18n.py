"""The zh_CN catalogue is complete, not fuzzy, consistent in placeholders, and compiled."""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import i18n as catalogue_tool  # noqa: E402

from hospital_osh import i18n  # noqa: E402

PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return catalogue_tool.read_catalog("zh_CN")


def test_every_source_string_is_translated() -> None:
    missing = catalogue_tool.missing("zh_CN")
    assert missing == [], f"untranslated or fuzzy zh_CN entries: {missing[:20]}"


def test_no_fuzzy_entries(catalog) -> None:  # type: ignore[no-untyped-def]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_placeholders_match(catalog) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for message in catalog:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            wrong.append(message.id)
    assert wrong == []


def test_compiled_catalogue_is_not_stale(catalog) -> None:  # type: ignore[no-untyped-def]
    with catalogue_tool.mo_path("zh_CN").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected: dict[object, str] = {
        m.id: m.string
        for m in catalog
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }
    for m in catalog:  # plural entries: (singular, form) -> text
        if m.id and m.pluralizable and not m.fuzzy and all(m.string):
            expected.update({(m.id[0], form): text for form, text in enumerate(m.string)})
    actual = {k: v for k, v in compiled._catalog.items() if k}  # type: ignore[attr-defined]
    assert any(isinstance(key, tuple) for key in actual)  # the plural entries were compiled
    assert actual == expected, "run: python tools/i18n.py sync"


def test_set_language_switches_translations() -> None:
    i18n.set_language("zh_CN")
    assert i18n._("Nurse") == "护士"
    i18n.set_language("en")
    assert i18n._("Nurse") == "Nurse"


@pytest.mark.parametrize(
    "given,expected",
    [
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_CN.UTF-8", "zh_CN"),
        ("en_US", "en"),
        ("EN", "en"),
    ],
)
def test_language_codes_are_normalised(given: str, expected: str) -> None:
    assert i18n.normalise_language(given) == expected


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        i18n.normalise_language("fr")
