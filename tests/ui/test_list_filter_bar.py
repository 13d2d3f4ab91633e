"""The filter bar shared by the staff and exposures lists: one query per typing pause, at once
for a combo, a check box or Enter; rows laid out as asked."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hospital_osh.ui.widgets.list_filter_bar import ListFilterBar


def _bar(qtbot) -> ListFilterBar:  # type: ignore[no-untyped-def]
    bar = ListFilterBar(delay_ms=100)
    qtbot.addWidget(bar)
    return bar


def test_typing_asks_once_after_the_pause(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = _bar(qtbot)
    bar.show()
    calls: list[str] = []
    bar.filters_changed.connect(lambda: calls.append(bar.search_text()))
    with qtbot.waitSignal(bar.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(bar.search, "  Wang ")
        assert calls == [] and bar.search_timer.isActive()
    assert calls == ["Wang"]  # trimmed


def test_combos_checks_and_enter_ask_at_once(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = _bar(qtbot)
    combo = bar.add_combo(min_contents=6, max_visible=20)
    check = bar.add_check(row=1)
    combo.addItems(["All", "ICU"])
    bar.show()
    with qtbot.waitSignal(bar.filters_changed, timeout=500):
        combo.setCurrentIndex(1)
    with qtbot.waitSignal(bar.filters_changed, timeout=500):
        check.setChecked(True)
    qtbot.keyClicks(bar.search, "S00")
    assert bar.search_timer.isActive()
    with qtbot.waitSignal(bar.filters_changed, timeout=500):
        qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    assert not bar.search_timer.isActive()  # no second query after the pause
    assert combo.maxVisibleItems() == 20 and combo.minimumContentsLength() == 6
    assert bar.combos() == [combo]


def test_rows_and_focus(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = _bar(qtbot)
    first = bar.add_combo()
    second = bar.add_combo(row=1)
    bar.add_stretch(row=1)
    bar.resize(800, 100)
    bar.show()
    qtbot.waitExposed(bar)
    assert first.y() == bar.search.y() and first.x() > bar.search.x()
    assert second.y() > first.y()
    bar.search.setText("old")
    bar.activateWindow()
    bar.focus_search()
    assert bar.search.selectedText() == "old"
