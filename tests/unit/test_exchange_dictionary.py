"""The bilingual data dictionary (docs/exchange.md) stays in step with the exchange contract."""

from __future__ import annotations

from pathlib import Path

from hospital_osh.exchange import dictionary, layout

DOC = Path(__file__).resolve().parents[2] / "docs" / "exchange.md"


def test_every_exported_column_is_described_in_both_languages() -> None:
    for file, order, columns in dictionary.FILES:
        assert list(columns) == list(order), f"{file}: described columns differ from the layout"
        for name, column in columns.items():
            assert column.en and column.zh, f"{file} {name}"
            assert column.zh != column.en, f"{file} {name} has no Chinese text"


def test_every_referenced_code_list_exists() -> None:
    lists = dictionary.code_lists()
    known = set(lists) | {"statutory_factor", ""} | set(dictionary._VALUE_FORMATS)
    for file, _order, columns in dictionary.FILES:
        for name, column in columns.items():
            assert column.values in known, f"{file} {name}: unknown values {column.values!r}"


def test_the_exchange_contract_codes_are_documented() -> None:
    text = dictionary.render()
    for code in ("percutaneous", "non_responder", "hiv_ag_ab", "lost_to_follow_up", "55+", "10+"):
        assert f"`{code}`" in text
    assert f"format version {layout.FORMAT_VERSION}" in text


def test_committed_dictionary_matches_the_code() -> None:
    assert DOC.read_text(encoding="utf-8") == dictionary.render(), (
        "docs/exchange.md is stale: run python tools/exchange_dictionary.py"
    )
