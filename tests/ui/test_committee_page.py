"""The committee page: items come up for review by themselves, decisions offered per item and
applied as status changes, only by roles that decide; meetings, members and the minutes PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hospital_osh.services import actions, committee
from hospital_osh.services.committee import CommitteeMemberInfo, MeetingInfo
from hospital_osh.ui.dialogs.reason_dialog import ReasonAnswer
from hospital_osh.ui.pages.committee_page import CommitteePage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_actions import TODAY, admin, make_item, move, prioritised_round


def _meeting(database) -> int:  # type: ignore[no-untyped-def]
    who = admin(database)
    with database.transaction() as session:
        for name, role, side in (
            ("李院长", "chair", "management"),
            ("赵护士", "co_chair", "worker"),
            ("孙秘书", "secretary", "management"),
        ):
            committee.save_member(session, who, CommitteeMemberInfo(name, role, side))
        made = committee.create_meeting(
            session, who, MeetingInfo(held_on=TODAY, start_time="14:30", place="行政楼301")
        )
    assert made.id is not None
    return made.id


def _page(qtbot, context, opened: list[Path] | None = None) -> CommitteePage:  # type: ignore[no-untyped-def]
    page = CommitteePage(context, open_file=(opened.append if opened is not None else print))
    qtbot.addWidget(page)
    page.resize(1080, 740)
    page.show()
    page.activated()  # as the main window does when it shows the page
    return page


def _status(database, action_id: int) -> str:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return actions.get_action(session, admin(database), action_id).status


def test_the_business_comes_up_and_a_decision_is_applied(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    meeting = _meeting(hospital_db)
    proposed = make_item(hospital_db, title="Buy a hoist")
    done = make_item(hospital_db, "done", title="Sharps bins fitted")
    late = make_item(hospital_db, "planned", title="Rails", due=TODAY - dt.timedelta(days=5))
    page = _page(qtbot, make_ui_context("admin"))
    assert page.selected_meeting_id() == meeting
    groups = [page.review_tree.topLevelItem(i).text(0) for i in range(5)]
    assert groups == [
        "New plan to approve (0)",
        "Proposed item (1)",
        "Overdue item (1)",
        "Done, awaiting verification (1)",
        "Verified, awaiting closure (0)",
    ]
    assert page.select_review_item("ACT-")
    references = {
        page.review_tree.topLevelItem(g).child(c).data(0, Qt.ItemDataRole.UserRole + 1).id
        for g in range(5)
        for c in range(page.review_tree.topLevelItem(g).childCount())
    }
    assert references == {proposed, done, late}
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(1).child(0))
    assert page.offered_decisions() == ["approve", "reject", "note"]
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(3).child(0))
    assert page.offered_decisions() == ["verify", "reopen", "note"]
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(2).child(0))
    assert page.offered_decisions() == ["defer", "note"]
    assert page.decision_form.field_widget("new_due_date").isVisibleTo(page)  # defer needs it
    select_data(page.decision, "note")
    assert not page.decision_form.field_widget("new_due_date").isVisibleTo(page)

    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(1).child(0))
    select_data(page.decision, "approve")
    with qtbot.waitSignal(page.decisions_recorded):
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    assert _status(hospital_db, proposed) == "approved"
    assert page.decision_table.rowCount() == 1
    assert page.decision_table.item(0, 2).text() == "Approve"
    assert page.decision_table.item(0, 3).text() == "Proposed → Approved"
    assert page.review_tree.topLevelItem(1).text(0) == "Proposed item (0)"
    page.ask_title = lambda *a, **k: ReasonAnswer("Add a second hand-wash sink", None)
    qtbot.mouseClick(page.new_action_button, Qt.MouseButton.LeftButton)
    assert page.decision_table.rowCount() == 2
    assert page.decision_table.item(1, 2).text() == "New action item"
    assert page.review_tree.topLevelItem(1).text(0) == "Proposed item (1)"
    made = page.review_tree.topLevelItem(1).child(0).data(0, Qt.ItemDataRole.UserRole + 1)
    assert (made.title, made.source_kind) == ("Add a second hand-wash sink", "committee")


def test_a_decision_that_needs_a_reason_says_so_beside_the_note(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    _meeting(hospital_db)
    proposed = make_item(hospital_db)
    page = _page(qtbot, make_ui_context("admin"))
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(1).child(0))
    select_data(page.decision, "reject")
    assert not page.record_decision()
    assert page.decision_form.error_text("note") == "Give the reason."
    assert _status(hospital_db, proposed) == "proposed"
    page.note.setText("Duplicate of the ward plan")
    qtbot.keyClick(page.note, Qt.Key.Key_Return)
    assert _status(hospital_db, proposed) == "rejected"


def test_the_owner_cannot_verify_at_a_meeting_either(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    _meeting(hospital_db)
    context = make_ui_context("admin")
    done = make_item(hospital_db, "done", owner="Wang Admin", owner_user_id=context.actor.user_id)
    page = _page(qtbot, context)
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(3).child(0))
    select_data(page.decision, "verify")
    assert not page.record_decision()
    assert "cannot verify their own item" in page.decision_message.text()
    assert _status(hospital_db, done) == "done"


@pytest.mark.parametrize("user", ["officer", "viewer"])
def test_roles_without_the_right_to_decide_cannot_record(
    qtbot, hospital_db, make_ui_context, user
) -> None:  # type: ignore[no-untyped-def]
    _meeting(hospital_db)
    proposed = make_item(hospital_db)
    page = _page(qtbot, make_ui_context(user))
    page.review_tree.setCurrentItem(page.review_tree.topLevelItem(1).child(0))
    assert not page.record_button.isEnabled() and not page.decision.isEnabled()
    assert page.decide_hint.isVisibleTo(page)
    assert page.decide_hint.text().startswith("Only committee members with the right to decide")
    assert not page.record_decision()  # the service refuses too
    assert _status(hospital_db, proposed) == "proposed"
    assert page.new_meeting_button.isVisibleTo(page) == (user == "officer")


def test_a_plan_is_approved_at_a_meeting(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    _meeting(hospital_db)
    info = prioritised_round(hospital_db, {"HW-M1-02": True})
    assert info.id is not None
    page_context = make_ui_context("admin")
    from hospital_osh.services import healthwise

    with hospital_db.transaction() as session:
        healthwise.create_actions_from_priorities(session, page_context.actor, info.id)
    move(hospital_db, info.id, "plan_submitted")
    page = _page(qtbot, page_context)
    plans = page.review_tree.topLevelItem(0)
    assert plans.text(0) == "New plan to approve (1)"
    page.review_tree.setCurrentItem(plans.child(0))
    assert page.offered_decisions() == ["approve_plan", "return_plan"]
    assert page.record_decision()
    with hospital_db.session() as session:
        assert healthwise.get_assessment(session, page_context.actor, info.id).state == (
            "plan_approved"
        )
    assert page.decision_table.item(0, 3).text() == "Plan submitted → Plan approved"


def test_meetings_members_and_minutes(qtbot, tmp_path, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    _meeting(hospital_db)
    make_item(hospital_db)
    opened: list[Path] = []
    page = _page(qtbot, make_ui_context("officer"), opened)
    dialog = page.new_meeting()
    assert dialog is not None
    assert [p.name for p in dialog.people()] == ["李院长", "赵护士", "孙秘书"]
    assert "2. Business carried forward: 1 item to review" in dialog.agenda.toPlainText()
    dialog.place.setText("门诊楼会议室")
    select_data(dialog.status, "held")
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    assert page.meeting_table.rowCount() == 2
    member = page.edit_member(CommitteeMemberInfo())
    assert member is not None
    member.name.setText("钱工会主席")
    select_data(member.side, "worker")
    assert member.save()
    assert page.member_table.rowCount() == 4
    for language in ("zh_CN", "en"):
        target = tmp_path / f"minutes-{language}.pdf"
        page.print_minutes(target, language)
        assert target.read_bytes().startswith(b"%PDF")
    assert len(opened) == 2 and page.minutes_button.isEnabled()
