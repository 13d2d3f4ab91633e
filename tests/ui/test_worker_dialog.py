"""WorkerDialog: load/to_info round trip, per-field messages that keep the input, keyboard."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import update

from hospital_osh.models import Worker
from hospital_osh.services.workers import WorkerInfo, create_worker, get_worker
from hospital_osh.ui.dialogs.worker_dialog import WorkerDialog
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures

EXISTING = WorkerInfo(
    staff_no="N001",
    name="王芳",
    sex="female",
    job_category="nurse",
    employment_type="permanent",
    hire_date=dt.date(2015, 3, 1),
)


def _dialog(qtbot, context) -> WorkerDialog:  # type: ignore[no-untyped-def]
    dialog = WorkerDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _stored(context) -> WorkerInfo:  # type: ignore[no-untyped-def]
    with context.database.transaction() as session:
        return create_worker(session, context.actor, EXISTING)


def test_load_and_to_info_round_trip(qtbot, context, departments) -> None:  # type: ignore[no-untyped-def]
    info = WorkerInfo(
        staff_no="D7",
        name="Li Lei",
        sex="male",
        birth_date=dt.date(1980, 5, 6),
        job_category="doctor",
        department_id=departments["ICU"],
        employment_type="contract",
        hire_date=None,
        active=False,
        id=9,
        version=3,
    )
    dialog = _dialog(qtbot, context)
    dialog.load(info)
    assert dialog.to_info() == info
    assert not dialog.is_dirty()
    assert dialog.windowTitle() == "Edit worker D7"
    # the inactive department is offered only to a worker who is already in it
    labels = [dialog.department.itemText(i) for i in range(dialog.department.count())]
    assert "Old ward" not in " ".join(labels)


def test_new_worker_is_saved_and_reported(qtbot, context, departments) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.staff_no, "  N002 ")
    dialog.name.insert("李娜")  # keyClicks types ASCII only
    select_data(dialog.department, departments["LAB"])
    dialog.hire_date.known.setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Enter saves
    info = saved.args[0]
    assert info.id is not None and info.staff_no == "N002"
    assert dialog.result() == WorkerDialog.DialogCode.Accepted
    with context.database.session() as session:
        stored = get_worker(session, context.actor, info.id)
    assert stored.name == "李娜" and stored.department_id == departments["LAB"]
    assert stored.hire_date == dt.date.today()


def test_validation_marks_fields_and_keeps_input(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    _stored(context)
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.staff_no, "N001")  # taken
    dialog.name.insert("赵敏")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    dialog.hire_date.set_value(tomorrow)  # in the future
    typed = dialog.to_info()

    assert dialog.save() is False
    assert "N001 is already used" in dialog.form.error_text("staff_no")
    assert dialog.form.error_text("hire_date") == "The hire date is in the future."
    assert dialog.form.error_text("name") == ""
    assert dialog.staff_no.property("invalid") is True
    assert dialog.to_info() == typed  # everything typed is kept
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.staff_no  # the first invalid field

    dialog.staff_no.setText("N003")
    dialog.hire_date.set_value(dt.date(2020, 1, 1))
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save() is True
    assert dialog.form.errors() == {}


def test_conflict_shows_message_and_keeps_input(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    stored = _stored(context)
    dialog = _dialog(qtbot, context)
    dialog.load(stored)
    with context.database.transaction() as session:  # someone else saves meanwhile
        session.execute(update(Worker).where(Worker.id == stored.id).values(version=5))
    dialog.name.setText("王芳芳")
    assert dialog.save() is False
    assert "Someone else changed this record" in dialog.message.text()
    assert dialog.message.isVisible()
    assert dialog.name.text() == "王芳芳"


def test_escape_asks_when_dirty(qtbot, make_context) -> None:  # type: ignore[no-untyped-def]
    context = make_context(answers=[False, True])  # keep editing, then discard
    dialog = _dialog(qtbot, context)
    qtbot.keyClick(dialog.staff_no, Qt.Key.Key_Escape)  # clean: closes without asking
    assert not dialog.isVisible() and context.ask.asked == []

    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.name, "x")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert dialog.isVisible() and len(context.ask.asked) == 1
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and len(context.ask.asked) == 2
    assert dialog.result() == WorkerDialog.DialogCode.Rejected


def test_dates_are_optional(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert dialog.to_info().birth_date is None
    assert dialog.birth_date.edit.text() == "Not set"
    dialog.birth_date.known.setChecked(True)
    assert dialog.to_info().birth_date == dt.date(1990, 1, 1)
    dialog.birth_date.known.setChecked(False)
    assert dialog.to_info().birth_date is None
