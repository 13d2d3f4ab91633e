"""The case sheet PDF: content in both languages, masking, the embedded CJK font."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
import pytest

from hospital_osh.reports.case_sheet import case_sheet_bytes
from hospital_osh.reports.fonts import FONT
from hospital_osh.services import exposures as ex
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.conftest import actor
from tests.integration.exposure_data import NOW, complete_sharps, setup_hospital


@pytest.fixture
def exposure(database: Database, admin: Actor) -> ex.ExposureInfo:
    place = setup_hospital(database, admin)
    info = complete_sharps(
        place,
        source_hiv="positive",
        source_hiv_viral_load=25000,
        china_grade="level_2",
        china_source_grade="severe",
    )
    with database.transaction() as session:
        return ex.record_exposure(session, admin, info, now=NOW).exposure


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Cells wrap: compare with line breaks as spaces (English) and removed (Chinese).
    return text.replace("\n", " ") + "\n" + text.replace("\n", "")


def _fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


def test_english_case_sheet(exposure: ex.ExposureInfo) -> None:
    pdf = case_sheet_bytes(exposure, "en", invariant=True, printed_at=NOW)
    text = _text(pdf)
    for expected in (
        "Occupational exposure case sheet EXP-2026-0001",
        "Confidential medical record",
        "李小红",
        "N001",
        "Nurse",
        "Intensive care",
        "Percutaneous (needle-stick or cut)",
        "IV catheter stylet",
        "BD Insyte",
        "Yes, partially",
        "Starting an IV or setting up a heparin lock",
        "Moderate",
        "Level 2 exposure",
        "Severe (high viral load)",
        "Source HBsAg",
        "Positive",
        "25,000",
        "ZY123456",
        "置管时患者躁动",
    ):
        assert expected in text, expected
    assert "Blood or body fluid exposure" not in text  # no fluid section for a needle-stick


def test_chinese_case_sheet(exposure: ex.ExposureInfo) -> None:
    text = _text(case_sheet_bytes(exposure, "zh_CN", invariant=True, printed_at=NOW))
    for expected in (
        "职业暴露个案登记表 EXP-2026-0001",
        "保密医疗记录",
        "护士",
        "重症医学科",
        "锐器伤（针刺伤或割伤）",
        "静脉留置针针芯",
        "二级暴露",
        "暴露源乙肝表面抗原",
        "阳性",
        "2026年3月9日 10:30",
    ):
        assert expected in text, expected
    assert "Nurse" not in text and "Percutaneous" not in text


def test_cjk_font_is_embedded(exposure: ex.ExposureInfo) -> None:
    pdf = case_sheet_bytes(exposure, "zh_CN", invariant=True, printed_at=NOW)
    assert any(FONT in name for name in _fonts(pdf))


def test_invariant_output_is_reproducible(exposure: ex.ExposureInfo) -> None:
    first = case_sheet_bytes(exposure, "en", invariant=True, printed_at=NOW)
    assert first == case_sheet_bytes(exposure, "en", invariant=True, printed_at=NOW)


def test_masked_record_prints_no_identity(database: Database, exposure: ex.ExposureInfo) -> None:
    with database.session() as session:
        masked = ex.get_exposure(session, actor("committee_member"), exposure.id or 0)
    text = _text(case_sheet_bytes(masked, "en", invariant=True, printed_at=NOW))
    assert "李小红" not in text and "ZY123456" not in text and "25,000" not in text
    assert "置管时" not in text
    assert "not shown to your role" in text and ex.HIDDEN in text


def test_incomplete_record_says_what_is_missing(exposure: ex.ExposureInfo) -> None:
    partial = replace(exposure, missing=("depth", "gloves"))
    text = _text(case_sheet_bytes(partial, "en", invariant=True, printed_at=NOW))
    assert "Incomplete record; missing: Depth, Gloves" in text
