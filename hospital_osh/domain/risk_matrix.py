"""Risk matrices as data: a 5 x 5 likelihood x severity table, cell by cell, with bilingual labels.

Published matrices differ, and some assign a level per cell rather than by the product L x S
(domain/healthwise.md c.3), so a matrix is stored as 25 cells -> level, never as score thresholds.
One JSON file per matrix in ``resources/risk_matrices/``; ``china_4_colour`` (red/orange/yellow/
blue, the vocabulary of China's dual prevention mechanism) is the default and a hospital may switch.
Each file carries its ``source`` and evidence tag ``verified`` (V/P/U) so the UI can show them.

Each level says what it asks of the hospital: its review interval in months, whether a residual
risk at that level must be accepted by a named person (``named``) or a named senior person
(``senior``), and whether relying only on administrative controls and PPE deserves a warning.

The domain only imports the standard library: the caller reads the file and passes its text.
Error messages are English; they are for whoever maintains the matrix files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MATRIX_FILES: dict[str, str] = {
    "china_4_colour": "china_4_colour.json",
    "three_band": "three_band.json",
}
DEFAULT_MATRIX = "china_4_colour"
FORMAT_VERSION = 1
SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)
EVIDENCE = ("V", "P", "U")
ACCEPTANCE = ("none", "named", "senior")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class MatrixError(ValueError):
    """A matrix file the application refuses to use; the message names the file and the problem."""

    def __init__(self, file: str, problem: str):
        self.file, self.problem = file, problem
        super().__init__(f"{file}: {problem}")


@dataclass(frozen=True)
class Bilingual:
    """A text shipped in both languages (data files are not in the gettext catalogue)."""

    en: str
    zh: str

    def text(self, language: str) -> str:
        return (self.zh or self.en) if language.startswith("zh") else (self.en or self.zh)


@dataclass(frozen=True)
class ScaleStep:
    """One step of the likelihood or severity scale, with an example to guide the assessor."""

    value: int
    name: Bilingual
    hint: Bilingual


@dataclass(frozen=True)
class RiskLevel:
    code: str
    rank: int  # higher is worse; ranks order levels across the matrix
    colour: str
    text_colour: str
    name: Bilingual
    short: Bilingual
    response: Bilingual
    review_months: int
    acceptance: str  # none | named | senior
    warn_weak_controls: bool
    response_source: str
    response_verified: str

    @property
    def needs_acceptance(self) -> bool:
        return self.acceptance != "none"

    @property
    def needs_senior(self) -> bool:
        return self.acceptance == "senior"


@dataclass(frozen=True)
class RiskMatrix:
    id: str
    name: Bilingual
    description: Bilingual
    source: str
    verified: str
    scale_source: str
    scale_verified: str
    likelihood: tuple[ScaleStep, ...]
    severity: tuple[ScaleStep, ...]
    levels: tuple[RiskLevel, ...]  # worst first
    cells: Mapping[tuple[int, int], str]  # (likelihood, severity) -> level code

    def level(self, likelihood: int, severity: int) -> RiskLevel:
        """The level of a cell; ValueError outside 1-5."""
        code = self.cells.get((likelihood, severity))
        if code is None:
            raise ValueError(f"likelihood and severity must be 1-5, not {likelihood}, {severity}")
        return self.level_by_code(code)

    def level_by_code(self, code: str) -> RiskLevel:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    def has_level(self, code: str) -> bool:
        return any(level.code == code for level in self.levels)

    def cells_of(self, code: str) -> list[tuple[int, int]]:
        """The cells at level ``code`` (for filtering in SQL), in row order."""
        return [cell for cell, level in sorted(self.cells.items()) if level == code]

    @property
    def top_level(self) -> RiskLevel:
        return self.levels[0]


def score(likelihood: int, severity: int) -> int:
    """R = L x S, shown beside the level; the level itself comes from the cell, not the score."""
    return likelihood * severity


def in_scale(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in SCALE


# -- loading ----------------------------------------------------------------------------------


def _text(file: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MatrixError(file, f"'{key}' must be a non-empty text")
    return value


def _pair(file: str, data: Any, key: str) -> Bilingual:
    if not isinstance(data, Mapping):
        raise MatrixError(file, f"'{key}' must be an object with 'en' and 'zh'")
    return Bilingual(_text(file, data, "en"), _text(file, data, "zh"))


def _evidence(file: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value not in EVIDENCE:
        raise MatrixError(file, f"'{key}' must be one of {', '.join(EVIDENCE)}, not {value!r}")
    return str(value)


def _scale(file: str, data: Any, key: str) -> tuple[ScaleStep, ...]:
    if not isinstance(data, list) or len(data) != len(SCALE):
        raise MatrixError(file, f"'{key}' must list the {len(SCALE)} steps 1-5")
    steps = []
    for expected, step in zip(SCALE, data, strict=True):
        if not isinstance(step, Mapping) or step.get("value") != expected:
            raise MatrixError(file, f"'{key}' step {expected} is missing or out of order")
        steps.append(
            ScaleStep(
                expected,
                Bilingual(_text(file, step, "en"), _text(file, step, "zh")),
                Bilingual(str(step.get("hint_en", "")), str(step.get("hint_zh", ""))),
            )
        )
    return tuple(steps)


def _level(file: str, data: Any) -> RiskLevel:
    if not isinstance(data, Mapping):
        raise MatrixError(file, "each level must be an object")
    code = _text(file, data, "code")
    where = f"level '{code}'"
    for key in ("colour", "text_colour"):
        if not _COLOUR.match(str(data.get(key, ""))):
            raise MatrixError(file, f"{where}: '{key}' must look like #rrggbb")
    months = data.get("review_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 60:
        raise MatrixError(file, f"{where}: 'review_months' must be a whole number 1-60")
    if data.get("acceptance") not in ACCEPTANCE:
        raise MatrixError(file, f"{where}: 'acceptance' must be one of {', '.join(ACCEPTANCE)}")
    rank = data.get("rank")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise MatrixError(file, f"{where}: 'rank' must be a whole number from 1")
    if not isinstance(data.get("warn_weak_controls"), bool):
        raise MatrixError(file, f"{where}: 'warn_weak_controls' must be true or false")
    return RiskLevel(
        code=code,
        rank=rank,
        colour=str(data["colour"]),
        text_colour=str(data["text_colour"]),
        name=Bilingual(_text(file, data, "en"), _text(file, data, "zh")),
        short=Bilingual(_text(file, data, "short_en"), _text(file, data, "short_zh")),
        response=Bilingual(_text(file, data, "response_en"), _text(file, data, "response_zh")),
        review_months=months,
        acceptance=str(data["acceptance"]),
        warn_weak_controls=bool(data["warn_weak_controls"]),
        response_source=_text(file, data, "response_source"),
        response_verified=_evidence(file, data, "response_verified"),
    )


def parse_matrix(data: Mapping[str, Any], file: str = "matrix") -> RiskMatrix:
    """Validate a matrix given as parsed JSON; every one of the 25 cells must name a level."""
    if data.get("format") != FORMAT_VERSION:
        raise MatrixError(file, f"'format' must be {FORMAT_VERSION}")
    levels = tuple(_level(file, level) for level in data.get("levels") or ())
    if len(levels) < 2:
        raise MatrixError(file, "a matrix needs at least two levels")
    codes = [level.code for level in levels]
    if len(set(codes)) != len(codes):
        raise MatrixError(file, "two levels share a code")
    ranks = [level.rank for level in levels]
    if len(set(ranks)) != len(ranks):
        raise MatrixError(file, "two levels share a rank")
    levels = tuple(sorted(levels, key=lambda level: level.rank, reverse=True))
    rows = data.get("cells")
    if not isinstance(rows, Mapping) or set(rows) != {f"L{value}" for value in SCALE}:
        raise MatrixError(file, "'cells' must have the rows L1 to L5")
    cells: dict[tuple[int, int], str] = {}
    for likelihood in SCALE:
        row = rows[f"L{likelihood}"]
        if not isinstance(row, list) or len(row) != len(SCALE):
            raise MatrixError(file, f"row L{likelihood} must list 5 levels, for S1 to S5")
        for severity, code in zip(SCALE, row, strict=True):
            if code not in codes:
                raise MatrixError(file, f"cell L{likelihood} S{severity}: unknown level {code!r}")
            cells[(likelihood, severity)] = code
    unused = set(codes) - set(cells.values())
    if unused:
        raise MatrixError(file, f"levels used by no cell: {', '.join(sorted(unused))}")
    return RiskMatrix(
        id=_text(file, data, "id"),
        name=_pair(file, data.get("name"), "name"),
        description=_pair(file, data.get("description"), "description"),
        source=_text(file, data, "source"),
        verified=_evidence(file, data, "verified"),
        scale_source=_text(file, data, "scale_source"),
        scale_verified=_evidence(file, data, "scale_verified"),
        likelihood=_scale(file, data.get("likelihood"), "likelihood"),
        severity=_scale(file, data.get("severity"), "severity"),
        levels=levels,
        cells=cells,
    )


def load_matrix(text: str, file: str = "matrix") -> RiskMatrix:
    """Parse and validate a matrix file's text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise MatrixError(file, f"not valid JSON ({error})") from None
    if not isinstance(data, Mapping):
        raise MatrixError(file, "the file must hold one JSON object")
    return parse_matrix(data, file)
