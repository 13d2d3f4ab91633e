"""``tour`` saves one non-blank PNG per registered view the user may see, plus the dialogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from hospital_osh.services.context import Actor
from hospital_osh.ui.pages import pages_for
from hospital_osh.ui.tour import run_tour
from tests.ui.conftest import actor_of
from tests.ui.helpers import is_blank

DIALOGS = (
    "about",
    "shortcuts",
    "settings-database",  # a section of the Settings page (``tour_states``)
    "settings-users",
    "staff-roster_import",
    "login",
    "login-locked",
    "setup-1-hospital",
    "setup-2-administrator",
    "setup-3-language",
    "setup-4-departments",
)


def _expected_names(actor: Actor) -> list[str]:
    """Pages in sidebar order; tour views follow their page (checked separately)."""
    return [cls.key for cls in pages_for(actor)]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_tour_writes_one_real_png_per_view(
    tmp_path: Path, hospital_db_path: Path, hospital_db, language: str, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "shots"
    status = run_tour(
        db=str(hospital_db_path),
        out=out,
        size="1024x700",
        user="admin",
        language=language,
        demo=False,
    )
    assert status == 0, capsys.readouterr().err
    files = sorted(out.glob("*.png"))
    names = [re.sub(r"^\d\d-", "", f.stem) for f in files]
    numbers = [int(f.stem[:2]) for f in files]
    assert numbers == list(range(1, len(files) + 1))
    pages = _expected_names(actor_of(hospital_db, "admin"))
    page_names = [n for n in names if n in pages]
    assert page_names == pages  # one per visible page, in sidebar order
    for dialog in DIALOGS:
        assert dialog in names
    for file in files:
        image = QImage(str(file))
        assert not is_blank(image), file.name
    first = QImage(str(files[0]))
    assert (first.width(), first.height()) == (1024, 700)


def test_tour_as_a_viewer_skips_pages_the_viewer_may_not_see(
    tmp_path: Path, hospital_db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    status = run_tour(
        db=str(hospital_db_path),
        out=tmp_path,
        size="1024x700",
        user="viewer",
        language="en",
        demo=False,
    )
    assert status == 0
    assert not list(tmp_path.glob("*-audit.png"))


def test_tour_refuses_bad_input_with_status_2(
    tmp_path: Path, hospital_db_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert (
        run_tour(
            db=str(hospital_db_path),
            out=tmp_path,
            size="huge",
            user="admin",
            language="en",
            demo=False,
        )
        == 2
    )
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
    assert (
        run_tour(
            db=str(hospital_db_path),
            out=tmp_path,
            size="1024x700",
            user="nobody",
            language="en",
            demo=False,
        )
        == 2
    )
    assert "No password is known for 'nobody'" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))


def test_tour_on_an_empty_database_says_what_to_do(
    tmp_path: Path, sqlite_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert (
        run_tour(
            db=str(sqlite_path),
            out=tmp_path / "x",
            size="1024x700",
            user="admin",
            language="en",
            demo=False,
        )
        == 2
    )
    assert "hospital-osh demo" in capsys.readouterr().err


def test_the_tour_shows_the_roster_import_with_the_sample_file(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    """Not an empty dialog: the shipped example roster, previewed (no errors on the default
    department codes)."""
    from hospital_osh.ui.pages.staff_page import StaffPage

    page = StaffPage(make_ui_context("admin"))
    qtbot.addWidget(page)
    views = dict(page.tour_views())
    roster = views["roster_import"]
    preview = roster.preview()
    assert preview is not None and preview.error_count == 0 and preview.new_count == 4
    assert roster.model.rowCount() == 4 and roster.import_button.isEnabled()
    for view in views.values():
        view.close()
