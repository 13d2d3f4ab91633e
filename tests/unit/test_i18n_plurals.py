"""Counts read as English and Chinese at every number: "1 field needs attention", not
"1 fields"; Chinese has one form (the catalog's plural entries carry it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hospital_osh import i18n
from hospital_osh.i18n import ngettext
from hospital_osh.services.audit import ChainReport


@pytest.fixture
def language() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("language_code", "count", "expected"),
    [
        ("en", 1, "Audit trail intact: 1 event verified."),
        ("en", 2, "Audit trail intact: 2 events verified."),
        ("zh_CN", 1, "审计记录完整：已校验 1 条事件。"),
        ("zh_CN", 2, "审计记录完整：已校验 2 条事件。"),
    ],
)
def test_a_count_agrees_with_its_noun(
    language: None, language_code: str, count: int, expected: str
) -> None:
    i18n.set_language(language_code)
    assert ChainReport(ok=True, checked=count).message() == expected


def test_every_plural_message_has_its_chinese() -> None:
    """The tool's ``missing`` treats a plural entry without Chinese as missing (tools/i18n.py)."""
    i18n.set_language("zh_CN")
    field = ngettext(
        "{count} field needs attention; see the message beside it.",
        "{count} fields need attention; see the messages beside them.",
        1,
    )
    assert field == "有 {count} 项需要处理，请看各项旁边的提示。"
