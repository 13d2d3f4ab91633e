"""No clipped labels or buttons at 1280x800 in either language: every page of the registry,
each state the tour pictures (Settings sections) and each dialog the pages offer the tour.
(200 % scaling cannot be switched inside one process; ``QT_SCALE_FACTOR=2 hospital-osh tour``
is the check for it.)"""

from __future__ import annotations

import pytest

from hospital_osh.ui.language import apply_language
from tests.ui.helpers import clipped_texts


def _settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(1)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_clipped_text_at_1280_by_800(qtbot, make_window, language) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    window = make_window("admin")
    window.resize(1280, 800)
    found: list[str] = []
    for key in window.page_keys():
        page = window.show_page(key)
        _settle(qtbot)
        found += [f"[{key}] {text}" for text in clipped_texts(window)]
        for name, show in page.tour_states():
            show()
            _settle(qtbot)
            found += [f"[{key}-{name}] {text}" for text in clipped_texts(window)]
        for name, view in page.tour_views():
            view.show()
            _settle(qtbot)
            found += [f"[{key}/{name}] {text}" for text in clipped_texts(view)]
            view.close()
    assert (window.width(), window.height()) == (1280, 800)  # nothing forced it wider
    assert found == [], "\n".join(found)


def test_the_checker_finds_a_clipped_button(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    button = QPushButton("A button far too long for its width")
    qtbot.addWidget(button)
    button.setFixedWidth(40)
    button.show()
    assert clipped_texts(button)
