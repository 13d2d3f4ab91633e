"""HealthWISE rounds: the workflow and its guards, merging, plans, progress, template import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hospital_osh.domain import healthwise as hw
from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, ChecklistTemplate, Checkpoint
from hospital_osh.services import actions
from hospital_osh.services import healthwise as hws
from hospital_osh.services.actions import ActionInfo
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from hospital_osh.services.healthwise import AnswerInput
from tests.conftest import actor
from tests.integration.healthwise_data import (
    COMMITTEE,
    OFFICER,
    TODAY,
    Setup,
    fill,
    move,
    new_round,
    prioritised_round,
    setup,
)


@pytest.fixture
def place(database: Database) -> Setup:
    return setup(database)


def test_shipped_templates_install_once_and_are_labelled_working(
    database: Database, place: Setup
) -> None:
    with database.transaction() as session:
        assert hws.install_shipped_templates(session, OFFICER) == []
        templates = hws.list_templates(session, OFFICER)
        detail = hws.get_template(session, OFFICER, place.template_id)
    assert {t.code for t in templates} == {"healthwise-working", "ipc-walkround"}
    assert all(t.working_version and t.origin == "shipped" for t in templates)
    assert len(detail.modules) == 8 and detail.summary.checkpoint_count == 49
    assert all(c.verification == "U" and "NOT the official" in c.source for c in detail.checkpoints)
    assert "not verified" in detail.summary.source_note_en
    assert all(c.title_zh and c.title_en for c in detail.checkpoints)


def test_submission_lists_the_unanswered_items(database: Database, place: Setup) -> None:
    info = new_round(database, place)
    assert info.id is not None and info.members[0].id is not None
    move(database, info.id, "in_progress")
    with pytest.raises(ValidationError) as error:
        move(database, info.id, "submitted")
    assert "No team member has filled a sheet yet" in error.value.fields["sheets"]
    fill(database, place, info.id, info.members[0].id, {}, leave_out=place.codes[3:5])
    with pytest.raises(ValidationError) as error:
        move(database, info.id, "submitted")
    message = error.value.fields["sheets"]
    assert "王护士长: 2 items are not answered" in message
    assert place.codes[3] in message and place.codes[4] in message


def test_priority_only_with_proposed_action(database: Database, place: Setup) -> None:
    info = new_round(database, place)
    assert info.id is not None
    move(database, info.id, "in_progress")
    code = place.codes[0]
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.save_answers(
            session, OFFICER, info.id, info.members[0].id, [AnswerInput(code, "no_action", True)]
        )
    assert "Only an item where action is proposed" in error.value.fields[code]


def test_members_sheets_merge_into_a_consensus(database: Database, place: Setup) -> None:
    info = new_round(database, place, members=3)
    assert info.id is not None
    move(database, info.id, "in_progress")
    a, b, c = place.codes[:3]
    ids = [m.id for m in info.members]
    fill(database, place, info.id, ids[0], {a: True, b: False})  # type: ignore[arg-type]
    fill(database, place, info.id, ids[1], {a: True})  # type: ignore[arg-type]
    fill(database, place, info.id, ids[2], {a: False, b: True, c: False})  # type: ignore[arg-type]
    move(database, info.id, "submitted")
    moved = move(database, info.id, "in_group_review")
    assert moved.has_consensus
    with database.session() as session:
        sheet = hws.get_sheet(session, OFFICER, info.id)
    by_code = {v.checkpoint.code: v for v in sheet.answers}
    assert by_code[a].answer == "action_proposed" and by_code[a].priority  # 2 of 3 priority
    assert by_code[a].disputed  # one member did not mark priority
    assert by_code[b].answer == "action_proposed" and by_code[b].priority and by_code[b].disputed
    assert by_code[c].answer == "no_action" and not by_code[c].priority
    assert "王护士长: remark " + a in by_code[a].remarks
    assert not by_code[place.codes[5]].disputed
    assert sheet.editable and not sheet.unanswered


def test_every_priority_needs_an_action_or_a_reason(database: Database, place: Setup) -> None:
    a, b, c = place.codes[:3]
    info = prioritised_round(database, place, {a: True, b: True, c: False})
    assert info.id is not None
    with pytest.raises(ValidationError) as error:
        move(database, info.id, "plan_submitted")
    assert a in error.value.fields["plan"] and b in error.value.fields["plan"]
    with database.transaction() as session:
        made = hws.create_actions_from_priorities(session, OFFICER, info.id)
        hws.set_no_action_reason(
            session, OFFICER, info.id, b, "Already funded by the logistics plan"
        )
    assert [m.source_item for m in made] == [a, b]
    assert made[0].source_kind == "healthwise" and made[0].source_id == info.id
    assert made[0].department_id == place.department_id and made[0].location == "3楼东区"
    with database.transaction() as session:  # b has both now; cancel its item, the reason holds
        actions.transition_action(session, OFFICER, made[1].id or 0, "cancelled", reason="dup")
    submitted = move(database, info.id, "plan_submitted")
    assert submitted.state == "plan_submitted"
    with database.session() as session:
        plan = hws.get_plan(session, OFFICER, info.id, today=TODAY)
    assert [line.checkpoint.code for line in plan.lines] == [a, b, c]
    assert plan.lines[1].no_action_reason.startswith("Already funded")


def test_plan_approval_is_a_committee_decision(database: Database, place: Setup) -> None:
    a = place.codes[0]
    info = prioritised_round(database, place, {a: True})
    assert info.id is not None
    with database.transaction() as session:
        hws.create_actions_from_priorities(session, OFFICER, info.id)
    move(database, info.id, "plan_submitted")
    with pytest.raises(PermissionDenied):
        move(database, info.id, "plan_approved", who=OFFICER)
    with pytest.raises(ValidationError) as error:
        move(database, info.id, "in_group_review", who=COMMITTEE)
    assert "reason" in error.value.fields
    move(database, info.id, "in_group_review", who=COMMITTEE, reason="Add costs")
    move(database, info.id, "prioritized")
    move(database, info.id, "plan_submitted")
    approved = move(database, info.id, "plan_approved", who=COMMITTEE)
    assert approved.state == "plan_approved" and approved.returned_reason == "Add costs"
    with database.session() as session:
        items = actions.actions_for_source(session, OFFICER, "healthwise", info.id)
    assert [i.status for i in items] == ["approved"]


def test_closing_a_plan_with_open_items_is_refused(database: Database, place: Setup) -> None:
    a = place.codes[0]
    info = prioritised_round(database, place, {a: True})
    assert info.id is not None
    with database.transaction() as session:
        item = hws.create_actions_from_priorities(session, OFFICER, info.id)[0]
    move(database, info.id, "plan_submitted")
    move(database, info.id, "plan_approved", who=COMMITTEE)
    move(database, info.id, "follow_up")
    with pytest.raises(ValidationError) as error:
        move(database, info.id, "closed")
    assert item.reference in error.value.fields["plan"]
    with database.transaction() as session:
        actions.transition_action(session, OFFICER, item.id or 0, "cancelled", reason="Moved")
    assert move(database, info.id, "closed").state == "closed"


def test_every_state_move_is_allowed_or_refused_as_the_table_says() -> None:
    for source in hw.State:
        for target in hw.State:
            move_ = hw.state_move(source, target)
            issues = hw.check_move(
                source, target, codes=(), reason="r", member_sheets=[hw.SheetFacts("m", {})]
            )
            if move_ is None:
                assert [i.field for i in issues] == ["state"], (source, target)
            else:
                assert all(i.field != "state" for i in issues), (source, target)


def test_answers_are_locked_outside_their_stage(database: Database, place: Setup) -> None:
    info = prioritised_round(database, place, {place.codes[0]: True})
    assert info.id is not None
    with database.transaction() as session, pytest.raises(ValidationError):
        hws.save_answers(
            session, OFFICER, info.id, info.members[0].id, [AnswerInput(place.codes[1])]
        )
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.save_answers(
            session, OFFICER, info.id, None, [AnswerInput(place.codes[1], "action_proposed")]
        )
    assert "only the reason" in error.value.fields[place.codes[1]]


def test_a_second_round_links_and_shows_progress(database: Database, place: Setup) -> None:
    a, b, c, d = place.codes[:4]
    first = prioritised_round(
        database, place, {a: True, b: False, c: False}, day=TODAY - dt.timedelta(days=365)
    )
    second = prioritised_round(database, place, {c: True, d: False})
    assert second.previous_id == first.id and second.id is not None
    with database.session() as session:
        progress = hws.get_progress(session, OFFICER, second.id)
    assert progress.proposed_before == 3 and progress.proposed_after == 2
    changes = {p.code: p.change for p in progress.changes}
    assert changes[a] == "improved" and changes[b] == "improved"
    assert changes[c] == "still_needed" and changes[d] == "worsened"
    module = progress.modules[0]
    assert (module.improved, module.worsened) == (2, 1)


def test_rights_reporters_cannot_run_rounds(database: Database, place: Setup) -> None:
    reporter = actor(Role.REPORTER)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hws.create_assessment(session, reporter, hws.AssessmentInfo())
    with database.session() as session, pytest.raises(PermissionDenied):
        hws.list_assessments(session, reporter)
    with database.session() as session:
        assert hws.count_assessments(session, actor(Role.VIEWER)) == 0


def test_round_validation(database: Database, place: Setup) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.create_assessment(
            session,
            OFFICER,
            hws.AssessmentInfo(
                template_id=place.template_id, members=(hws.MemberInfo("A"), hws.MemberInfo("A"))
            ),
        )
    assert set(error.value.fields) == {"area", "assessed_on", "members"}


def test_list_and_count_rounds(database: Database, place: Setup) -> None:
    new_round(database, place, TODAY - dt.timedelta(days=30))
    new_round(database, place, TODAY)
    with database.session() as session:
        rows = hws.list_assessments(session, OFFICER)
        assert [r.assessed_on for r in rows] == [TODAY, TODAY - dt.timedelta(days=30)]
        assert rows[0].member_count == 2 and rows[0].previous_id == rows[1].id
        found = hws.count_assessments(session, OFFICER, hws.AssessmentFilter(search="内科"))
    assert found == 2


# -- template import ----------------------------------------------------------------------------

HEADER = (
    "module_code,module_title_en,module_title_zh,checkpoint_code,title_en,title_zh,why_en,why_zh"
)


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "edition.csv"
    path.write_text("\n".join((HEADER, *lines)) + "\n", encoding="utf-8")
    return path


def _import(database: Database, path: Path) -> hws.TemplateSummary:
    with database.transaction() as session:
        return hws.import_template(
            session,
            OFFICER,
            path,
            code="healthwise-official",
            version="2015-zh",
            name_zh="HealthWISE 官方版",
            name_en="HealthWISE official",
        )


def _template_rows(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count(ChecklistTemplate.id))) or 0,
            session.scalar(select(func.count(Checkpoint.id))) or 0,
        )


def test_import_a_good_file(database: Database, place: Setup, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "1,Module one,模块一,1.1,Do this,做这个,Because,因为",
        "1,,,1.2,Do that,做那个,,",
        "2,Module two,模块二,2.1,Another,另一个,,",
    )
    summary = _import(database, path)
    assert (summary.module_count, summary.checkpoint_count) == (2, 3)
    assert summary.origin == "imported" and not summary.working_version
    with database.session() as session:
        detail = hws.get_template(session, OFFICER, summary.id)
        events = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "import")
        )
    assert (
        detail.checkpoints[0].why_zh == "因为" and detail.checkpoints[0].verification == "official"
    )
    assert events == 1


def test_import_an_xlsx_file(database: Database, place: Setup, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["1", "Module one", "模块一", "1.1", "Do this", "做这个", "", ""])
    path = tmp_path / "edition.xlsx"
    book.save(path)
    assert _import(database, path).checkpoint_count == 1


def test_import_with_a_duplicate_code_names_the_rows_and_imports_nothing(
    database: Database, place: Setup, tmp_path: Path
) -> None:
    before = _template_rows(database)
    path = _csv(
        tmp_path,
        "1,Module one,模块一,1.1,Do this,做这个,,",
        "1,,,1.2,Do that,做那个,,",
        "1,,,1.1,Again,又一个,,",
    )
    with pytest.raises(hws.TemplateImportError) as error:
        _import(database, path)
    assert [p.row for p in error.value.problems] == [4]
    assert "Row 4: The checkpoint code 1.1 is already used in row 2." in str(error.value)
    assert _template_rows(database) == before


def test_import_with_a_missing_language_names_the_row_and_imports_nothing(
    database: Database, place: Setup, tmp_path: Path
) -> None:
    before = _template_rows(database)
    path = _csv(
        tmp_path,
        "1,Module one,模块一,1.1,Do this,做这个,,",
        "1,,,1.2,Do that,,,",
        "2,Module two,,2.1,Other,其他,,",
    )
    with pytest.raises(hws.TemplateImportError) as error:
        _import(database, path)
    text = str(error.value)
    assert "Row 3: The Chinese title (title_zh) is missing." in text
    assert "Row 4: The first row of module 2 needs its title in both languages" in text
    assert _template_rows(database) == before


def test_import_refuses_a_file_without_the_columns_and_a_repeated_version(
    database: Database, place: Setup, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,title\n1,x\n", encoding="utf-8")
    with pytest.raises(hws.TemplateImportError) as error:
        _import(database, path)
    assert "Required columns are missing: module_code" in str(error.value)
    good = _csv(tmp_path, "1,Module one,模块一,1.1,Do this,做这个,,")
    _import(database, good)
    with pytest.raises(hws.TemplateImportError) as error:
        _import(database, good)
    assert "already exists" in str(error.value)


def test_plan_action_for_one_checkpoint(database: Database, place: Setup) -> None:
    a = place.codes[0]
    info = prioritised_round(database, place, {a: True})
    assert info.id is not None
    with database.transaction() as session:
        made = hws.add_plan_action(
            session, OFFICER, info.id, a, ActionInfo(title="Buy slide sheets", resources="¥800")
        )
    assert made.title == "Buy slide sheets" and made.source_item == a
    assert made.source_label.startswith("IM 2026-06-01")


def _events(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.entity).order_by(AuditEvent.id)
        ).all()
    return [(a, e) for a, e in rows]


def test_every_write_of_a_round_is_one_audit_event(database: Database, place: Setup) -> None:
    start = len(_events(database))
    info = new_round(database, place)
    assert info.id is not None and info.members[0].id is not None
    move(database, info.id, "in_progress")
    fill(database, place, info.id, info.members[0].id, {place.codes[0]: True})
    move(database, info.id, "submitted")
    move(database, info.id, "in_group_review")
    move(database, info.id, "prioritized")
    with database.transaction() as session:
        hws.create_actions_from_priorities(session, OFFICER, info.id)
    with database.transaction() as session:  # nothing left to create: no event
        assert hws.create_actions_from_priorities(session, OFFICER, info.id) == []
    with database.transaction() as session:  # the same answers again: no event
        hws.save_answers(session, OFFICER, info.id, None, [])
    assert _events(database)[start:] == [
        ("create", "hw_assessment"),
        ("move", "hw_assessment"),
        ("answers", "hw_assessment"),
        ("move", "hw_assessment"),
        ("move", "hw_assessment"),
        ("move", "hw_assessment"),
        ("plan_actions", "hw_assessment"),
    ]


def test_the_team_changes_until_submission(database: Database, place: Setup) -> None:
    from dataclasses import replace

    info = new_round(database, place)
    assert info.id is not None and info.members[1].id is not None
    move(database, info.id, "in_progress")
    fill(database, place, info.id, info.members[1].id, {})
    changed = replace(
        info,
        members=(replace(info.members[0], name="王芳"), hws.MemberInfo("保洁员张", "staff")),
        version=None,
    )
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.update_assessment(session, OFFICER, changed)
    assert "filled a sheet" in error.value.fields["members"]
    kept = replace(changed, members=(*changed.members, info.members[1]))
    with database.transaction() as session:
        saved = hws.update_assessment(session, OFFICER, kept)
    assert [m.name for m in saved.members] == ["王芳", "护士1", "保洁员张"]
    move(database, info.id, "submitted")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.update_assessment(session, OFFICER, replace(saved, area="B", version=None))
    assert "no longer be edited" in error.value.fields["state"]


@pytest.mark.parametrize("target", [s.value for s in hw.State if s != "in_progress"])
def test_a_draft_round_takes_only_its_next_step(
    database: Database, place: Setup, target: str
) -> None:
    info = new_round(database, place)
    assert info.id is not None
    with pytest.raises((ValidationError, PermissionDenied)) as error:
        move(database, info.id, target, who=actor(Role.ADMIN, "admin"))
    assert "This step is not possible now." in str(error.value)
    assert move(database, info.id, "in_progress").state == "in_progress"
