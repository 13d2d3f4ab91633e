"""The committee page's minutes sign-off and the approval of a revised HealthWISE plan."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from hospital_osh.services import actions, committee, healthwise
from hospital_osh.services.committee import CommitteeMemberInfo, MeetingInfo
from hospital_osh.ui.dialogs.reason_dialog import ReasonAnswer
from hospital_osh.ui.dialogs.round_dialog import RoundDialog
from hospital_osh.ui.pages.committee_page import CommitteePage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_actions import TODAY, admin, move, prioritised_round


def _held_meeting(database) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    who = admin(database)
    with database.transaction() as session:
        members = {}
        for name, role, side in (
            ("李院长", "chair", "management"),
            ("赵护士", "co_chair", "worker"),
            ("孙秘书", "secretary", "management"),
        ):
            made = committee.save_member(session, who, CommitteeMemberInfo(name, role, side))
            members[role] = made.id or 0
        meeting = committee.create_meeting(
            session,
            who,
            MeetingInfo(held_on=TODAY, place="行政楼301", minutes="纪要正文", status="held"),
        )
    return meeting.id or 0, members


def _page(qtbot, context) -> CommitteePage:  # type: ignore[no-untyped-def]
    page = CommitteePage(context, open_file=print)
    qtbot.addWidget(page)
    page.resize(1080, 740)
    page.show()
    page.activated()  # as the main window does when it shows the page
    return page


def _grab(page: CommitteePage, name: str) -> None:
    folder = os.environ.get("HW_SCREENSHOTS")
    if folder:
        page.grab().save(str(Path(folder) / f"{name}.png"))


def test_minutes_go_from_draft_to_locked_through_the_menu(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    meeting, members = _held_meeting(hospital_db)
    page = _page(qtbot, make_ui_context("admin"))
    assert page.select_meeting(meeting)
    assert page.meeting_table.item(0, 5).text() == "Draft"
    assert page.signoff_steps() == [("move", "circulated", True)]
    assert page.edit_meeting_button.isEnabled()
    assert page.move_minutes("circulated")
    assert page.meeting is not None and page.meeting.minutes_state == "circulated"
    assert not page.edit_meeting_button.isEnabled()  # only draft minutes change
    assert not page.new_action_button.isEnabled()
    assert page.signoff_steps() == [
        ("move", "draft", True),
        ("sign", members["chair"], True),
        ("sign", members["co_chair"], True),
    ]
    assert page.sign_minutes(members["chair"])
    assert ("sign", members["chair"], False) in page.signoff_steps()
    assert "Approved by 李院长 (Chair)" in page.minutes_status.text()
    _grab(page, "minutes_circulated")
    assert page.sign_minutes(members["co_chair"])
    assert page.meeting is not None and page.meeting.minutes_state == "approved"
    assert page.signoff_steps() == [("move", "locked", True), ("move", "draft", True)]
    assert page.move_minutes("locked")
    assert page.signoff_steps() == []
    assert not page.signoff_button.isEnabled()
    assert page.meeting_table.item(0, 5).text() == "Locked"


def test_correcting_asks_the_reason_and_cancel_changes_nothing(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    meeting, members = _held_meeting(hospital_db)
    page = _page(qtbot, make_ui_context("admin"))
    page.select_meeting(meeting)
    page.move_minutes("circulated")
    page.sign_minutes(members["chair"])
    page.sign_minutes(members["co_chair"])
    page.ask_reason = lambda *args, **kw: None
    assert not page.move_minutes("draft")
    assert page.meeting is not None and page.meeting.minutes_state == "approved"
    page.ask_reason = lambda *args, **kw: ReasonAnswer("Wrong room number", None)
    assert page.move_minutes("draft")
    assert page.meeting is not None
    assert (page.meeting.minutes_state, page.meeting.minutes_version) == ("draft", 2)
    assert "Corrected: Wrong room number" in page.minutes_status.text()
    assert page.edit_meeting_button.isEnabled()


def test_a_refused_step_shows_the_reason(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    who = admin(hospital_db)
    with hospital_db.transaction() as session:
        planned = committee.create_meeting(session, who, MeetingInfo(held_on=TODAY))
    page = _page(qtbot, make_ui_context("admin"))
    page.select_meeting(planned.id or 0)
    assert not page.move_minutes("circulated")
    assert page.decision_message.isVisibleTo(page)
    assert "held" in page.decision_message.text()


def test_a_viewer_sees_the_state_but_no_sign_off(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    _held_meeting(hospital_db)
    page = _page(qtbot, make_ui_context("viewer"))
    assert not page.signoff_button.isVisibleTo(page)
    assert "Draft" in page.minutes_status.text()


def test_a_changed_plan_comes_up_and_its_revision_is_approved(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    who = admin(hospital_db)
    meeting, _members = _held_meeting(hospital_db)
    round_ = prioritised_round(hospital_db, {"HW-M1-01": True})
    assert round_.id is not None
    with hospital_db.transaction() as session:
        made = healthwise.create_actions_from_priorities(session, who, round_.id, due_date=TODAY)
    move(hospital_db, round_.id, "plan_submitted")
    move(hospital_db, round_.id, "plan_approved")
    with hospital_db.transaction() as session:
        item = actions.get_action(session, who, made[0].id or 0)
        actions.update_action(session, who, dataclasses.replace(item, owner_name="李工程师"))
    page = _page(qtbot, make_ui_context("admin"))
    page.select_meeting(meeting)
    group = page.review_tree.topLevelItem(5)
    assert group.text(0) == "Plan changed since approval (1)"
    page.review_tree.setCurrentItem(group.child(0))
    assert group.child(0).toolTip(0) == f"{item.reference}: Who — → 李工程师"
    assert page.offered_decisions() == ["approve_revision"]
    select_data(page.decision, "approve_revision")
    _grab(page, "changed_plan")
    assert page.record_decision()
    assert page.review_tree.topLevelItem(5).childCount() == 0
    with hospital_db.session() as session:
        status = healthwise.plan_status(session, who, round_.id)
    assert [r.number for r in status.revisions] == [1, 2]
    assert status.revisions[1].meeting_id == meeting


def test_the_round_dialog_shows_the_revision_and_prints_it(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    who = admin(hospital_db)
    round_ = prioritised_round(hospital_db, {"HW-M1-01": True})
    assert round_.id is not None
    opened: list[Path] = []
    window = RoundDialog(make_ui_context("admin"), round_.id, open_file=opened.append)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    window.tabs.setCurrentIndex(1)
    assert "revision 1" in window.revision_label.text()
    assert not window.revisions_button.isEnabled()
    window.create_priority_items()
    assert window.take_move("plan_submitted") and window.take_move("plan_approved")
    assert window.revision_label.text().endswith("Unchanged since.")
    assert window.revisions_button.isEnabled()
    with hospital_db.transaction() as session:
        plan = healthwise.get_plan(session, who, round_.id)
        item = actions.get_action(session, who, plan.all_actions[0].id)
        actions.update_action(session, who, dataclasses.replace(item, owner_name="李工程师"))
    window.reload()
    text = window.revision_label.text()
    assert "to be approved by the committee as revision 2" in text
    assert f"{item.reference}: Who — → 李工程师" in text
    folder = os.environ.get("HW_SCREENSHOTS")
    if folder:
        window.grab().save(str(Path(folder) / "round_revision.png"))
    [action] = window.revisions_menu.actions()
    assert action.data() == 1
    target = tmp_path / "revision.pdf"
    window.print_revision(1, target, "zh_CN")
    assert opened == [target] and target.read_bytes().startswith(b"%PDF")


def test_sign_off_and_revision_speak_chinese(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh import i18n
    from tests.ui.helpers import untranslated

    who = admin(hospital_db)
    meeting, members = _held_meeting(hospital_db)
    round_ = prioritised_round(hospital_db, {"HW-M1-01": True})
    assert round_.id is not None
    with hospital_db.transaction() as session:
        made = healthwise.create_actions_from_priorities(session, who, round_.id, due_date=TODAY)
    move(hospital_db, round_.id, "plan_submitted")
    move(hospital_db, round_.id, "plan_approved")
    with hospital_db.transaction() as session:
        item = actions.get_action(session, who, made[0].id or 0)
        actions.update_action(session, who, dataclasses.replace(item, owner_name="李工程师"))
        committee.move_minutes(session, who, meeting, "circulated")
        committee.sign_minutes(session, who, meeting, members["chair"])
    i18n.set_language("zh_CN")
    try:
        page = _page(qtbot, make_ui_context("admin"))
        page.select_meeting(meeting)
        assert "会议纪要第1版：已分发待批准" in page.minutes_status.text()
        assert "李院长（主任委员）" in page.minutes_status.text()
        assert untranslated(page) == []
        _grab(page, "minutes_zh")
        window = RoundDialog(make_ui_context("admin"), round_.id)
        qtbot.addWidget(window)
        window.resize(1000, 700)
        window.show()
        window.tabs.setCurrentIndex(1)
        assert "需由委员会批准为第2版" in window.revision_label.text()
        assert untranslated(window) == []
        folder = os.environ.get("HW_SCREENSHOTS")
        if folder:
            window.grab().save(str(Path(folder) / "round_revision_zh.png"))
    finally:
        i18n.set_language("en")
