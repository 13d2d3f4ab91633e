"""Risk matrices as data: every cell of every shipped matrix, the loader's refusals."""

from __future__ import annotations

import json

import pytest

from hospital_osh.domain.risk_matrix import (
    DEFAULT_MATRIX,
    MATRIX_FILES,
    SCALE,
    MatrixError,
    load_matrix,
    parse_matrix,
    score,
)
from hospital_osh.paths import resource


def _matrix(matrix_id: str):  # type: ignore[no-untyped-def]
    name = MATRIX_FILES[matrix_id]
    return load_matrix(resource("risk_matrices", name).read_text(encoding="utf-8"), name)


def _china_band(value: int) -> str:
    """domain/healthwise.md c.3 option A: 20-25 red, 9-16 orange, 4-8 yellow, 1-3 blue."""
    if value >= 20:
        return "red"
    if value >= 9:
        return "orange"
    if value >= 4:
        return "yellow"
    return "blue"


def _three_band(value: int) -> str:
    if value >= 15:
        return "high"
    if value >= 5:
        return "medium"
    return "low"


EXPECTED = {"china_4_colour": _china_band, "three_band": _three_band}


def test_every_shipped_matrix_has_an_expectation() -> None:
    assert set(EXPECTED) == set(MATRIX_FILES)
    assert DEFAULT_MATRIX == "china_4_colour"


@pytest.mark.parametrize("matrix_id", sorted(MATRIX_FILES))
@pytest.mark.parametrize("likelihood", SCALE)
@pytest.mark.parametrize("severity", SCALE)
def test_every_cell_of_every_matrix(matrix_id: str, likelihood: int, severity: int) -> None:
    matrix = _matrix(matrix_id)
    expected = EXPECTED[matrix_id](score(likelihood, severity))
    assert matrix.level(likelihood, severity).code == expected
    assert (likelihood, severity) in matrix.cells_of(expected)


@pytest.mark.parametrize("matrix_id", sorted(MATRIX_FILES))
def test_shipped_matrices_are_complete_and_cite_their_source(matrix_id: str) -> None:
    matrix = _matrix(matrix_id)
    assert matrix.id == matrix_id
    assert len(matrix.cells) == 25
    assert matrix.source and matrix.verified in ("V", "P", "U")
    assert [level.rank for level in matrix.levels] == sorted(
        (level.rank for level in matrix.levels), reverse=True
    )
    for level in matrix.levels:
        assert level.name.en and level.name.zh and level.short.zh
        assert level.response_verified in ("V", "P", "U")
    for step in (*matrix.likelihood, *matrix.severity):
        assert step.name.en and step.name.zh
    # the worst level asks for a senior person and warns on weak controls
    assert matrix.top_level.needs_senior and matrix.top_level.warn_weak_controls
    assert sum(len(matrix.cells_of(level.code)) for level in matrix.levels) == 25


def test_china_matrix_bilingual_labels_and_intervals() -> None:
    matrix = _matrix("china_4_colour")
    assert matrix.level(5, 5).name.text("zh_CN") == "重大风险（I 级，红）"
    assert matrix.level(1, 1).name.text("en") == "Low risk (IV, blue)"
    assert matrix.likelihood[4].name.zh == "极有可能发生"
    assert matrix.severity[0].name.en == "Insignificant"
    months = {level.code: level.review_months for level in matrix.levels}
    assert months == {"red": 1, "orange": 3, "yellow": 6, "blue": 12}
    acceptance = {level.code: level.acceptance for level in matrix.levels}
    assert acceptance == {"red": "senior", "orange": "named", "yellow": "none", "blue": "none"}


@pytest.mark.parametrize("bad", [(0, 3), (6, 1), (3, 0), (2, 6)])
def test_lookup_outside_the_scale_is_refused(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="1-5"):
        _matrix("china_4_colour").level(*bad)


def _data() -> dict:  # type: ignore[type-arg]
    return json.loads(resource("risk_matrices", "china_4_colour.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["cells"].pop("L3"), "rows L1 to L5"),
        (lambda d: d["cells"]["L2"].pop(), "row L2 must list 5 levels"),
        (lambda d: d["cells"]["L4"].__setitem__(1, "purple"), "cell L4 S2: unknown level"),
        (lambda d: d["levels"][0].__setitem__("colour", "red"), "#rrggbb"),
        (lambda d: d["levels"][1].__setitem__("review_months", 0), "review_months"),
        (lambda d: d["levels"][1].__setitem__("acceptance", "maybe"), "acceptance"),
        (lambda d: d.__setitem__("verified", "X"), "'verified'"),
        (lambda d: d["likelihood"].pop(), "likelihood"),
        (lambda d: d["levels"][3].__setitem__("rank", 4), "share a rank"),
        (lambda d: d.__setitem__("format", 2), "format"),
    ],
)
def test_the_loader_refuses_a_broken_matrix(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _data()
    change(data)
    with pytest.raises(MatrixError, match=message):
        parse_matrix(data, "broken.json")


def test_a_level_no_cell_uses_is_refused() -> None:
    data = _data()
    data["cells"] = {f"L{n}": ["blue"] * 5 for n in SCALE}
    with pytest.raises(MatrixError, match="used by no cell"):
        parse_matrix(data, "broken.json")


def test_not_json_is_refused() -> None:
    with pytest.raises(MatrixError, match="not valid JSON"):
        load_matrix("{", "x.json")
