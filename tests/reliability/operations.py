"""Every service operation that takes an actor, as rows the access-matrix and audit tests share.

A row says which roles may call the operation (the table in ``test_access_matrix`` is written
out by hand, so a change of rights shows in review), how to call it on a small ``World``, and how
many audit events one call appends. ``service_functions()`` finds every public function of every
``hospital_osh.services`` module that takes an ``actor``; a test fails when one has no row, so a
new service (post-exposure, hazards, actions...) is covered as soon as it exists: add its row in
``CALLS`` and in the tables of ``test_access_matrix``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import hospital_osh.services
from hospital_osh.domain.risk_matrix import DEFAULT_MATRIX, MATRIX_FILES
from hospital_osh.domain.roles import Role
from hospital_osh.models import Exposure, ProtocolAdjustment
from hospital_osh.services import (
    actions,
    audit,
    committee,
    dashboard,
    exposures,
    followups,
    hazards,
    healthwise,
    hospital,
    immunisation,
    keys,
    local_codes,
    roster,
    settings,
    summary,
    users,
    workers,
)
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile, StaffingInfo
from hospital_osh.services.workers import WorkerInfo
from tests.integration.exposure_data import NOW, complete_sharps, setup_hospital

ROLES = (Role.ADMIN, Role.OSH_OFFICER, Role.COMMITTEE_MEMBER, Role.REPORTER, Role.VIEWER)

# Take an actor but are not operations of their own: ``audit.record`` serves services that have
# checked already; the others are parts of larger writes that their callers audit once, or
# pure helpers that read nothing.
UNCHECKED = frozenset(
    {
        "audit.record",
        "actions.insert_action",
        "actions.apply_transition",
        "actions.available_transitions",
        "healthwise.apply_move",
        "healthwise.apply_plan_revision",
        "healthwise.available_moves",
    }
)

# Identities and serostatus planted in the world; roles without the right must never see them.
RESULT_NOTE = "抗-HCV阴性，已告知本人"  # a clinician's note on a result: health data
SECRET_TEXTS = ("李小红", "Wang Qiang", "N001", "D001", "ZY123456", "置管时患者躁动", RESULT_NOTE)


TODAY = dt.date(2026, 11, 20)
# The exposures' day after (the world's exposure occurred on 9 March 2026, NOW is the 10th).
CASE_DAY = NOW.date()


def hazard_info(department_id: int) -> hazards.HazardInfo:
    return hazards.HazardInfo(
        department_id=department_id,
        location="Building 2, floor 1",
        activity="Preparing cytotoxic infusions",
        agent="Cyclophosphamide",
        category="chemical",
        potential_harm="Reproductive toxicity",
        identification_method="walk_through",
        job_categories=("pharmacist", "nurse"),
        exposed_female=12,
        exposed_male=3,
        owner="Head of pharmacy",
        assessors="Li Jing",
        approver="OSH office",
        assessed_on=dt.date(2026, 11, 2),
        initial_likelihood=4,
        initial_severity=4,
        residual_likelihood=3,
        residual_severity=4,
        controls=(hazards.ControlInfo("Biological safety cabinet", "engineering"),),
    )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def action_info() -> actions.ActionInfo:
    return actions.ActionInfo(
        title="Install a ceiling hoist in bay 3",
        location="Bay 3",
        owner_name="王护士长",
        due_date=TODAY + dt.timedelta(days=20),
        resources="Hoist from the equipment budget",
        source_kind="healthwise",
        source_id=1,
        source_item="M2-01",
    )


def service_functions() -> set[str]:
    """``module.function`` for every public service function that takes an ``actor``."""
    found: set[str] = set()
    package = hospital_osh.services
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if "actor" in inspect.signature(function).parameters:
                found.add(f"{info.name}.{name}")
    return found


class World:
    """What the calls act on: users, two departments, two workers, an exposure with a positive
    source reported by the OSH officer, a local code and a clean one-row roster preview."""

    def __init__(self, database: Database, admin: Actor, tmp_path: Path):
        self.database = database
        self.place = setup_hospital(database, admin)
        with database.transaction() as session:
            for username, role in (("target", Role.REPORTER), ("admin", Role.ADMIN)):
                users.create_user(
                    session,
                    admin,
                    username=username,
                    display_name=username.title(),
                    role=role,
                    password="a password 1",
                )
            officer = Actor("osh_officer_1", Role.OSH_OFFICER)
            self.exposure = exposures.record_exposure(
                session, officer, complete_sharps(self.place), now=NOW
            ).exposure
            local_codes.add_local_code(
                session, admin, local_codes.LocalCodeInfo("device_brand", "brand_x", "某牌", "X")
            )
            self.action = actions.create_action(session, officer, action_info(), today=TODAY)
            assert self.action.id is not None
            self.evidence = actions.add_evidence(
                session, officer, self.action.id, "before.png", PNG, kind="before"
            )
            self.action = actions.get_action(session, officer, self.action.id)  # new version
            self.hazard = hazards.create_hazard(
                session, officer, hazard_info(self.place.icu), today=TODAY
            ).hazard
        self._post_exposure(database)
        self._healthwise_and_committee(database, tmp_path)
        path = tmp_path / "roster.csv"
        path.write_text(
            ",".join(roster.REQUIRED_COLUMNS) + "\nR1,李强,male,,doctor,ICU,permanent,\n",
            encoding="utf-8",
        )
        with database.session() as session:
            self.preview = roster.read_roster(session, path)
        assert self.preview.ok, self.preview.messages()

    def _post_exposure(self, database: Database) -> None:
        """The exposure assessed (its follow-ups scheduled, one missed, one done with a note),
        a second exposure not yet assessed, the doctor's first vaccine dose and HBsAg result."""
        officer = Actor("osh_officer_1", Role.OSH_OFFICER)
        place = self.place
        assert self.exposure.id is not None
        with database.transaction() as session:
            pe.assess_exposure(session, officer, self.exposure.id, now=NOW)
            # now under follow-up, in a new version
            self.exposure = exposures.get_exposure(session, officer, self.exposure.id)
            items = followups.list_followups(
                session,
                officer,
                followups.FollowupFilter(scope="open", exposure_id=self.exposure.id),
                today=CASE_DAY,
            )
            self.open_item = next(i for i in items if i.code == "hbsag")
            closed = next(i for i in items if i.code == "alt")
            self.closed_item = followups.resolve(
                session, officer, closed.id, followups.MISSED, "Did not come"
            )
            tested = next(i for i in items if i.code == "anti_hcv")
            followups.enter_result(
                session,
                officer,
                tested.id,
                followups.ResultEntry(CASE_DAY, result="negative", note=RESULT_NOTE),
                today=CASE_DAY,
            )
            self.unassessed = exposures.record_exposure(
                session,
                officer,
                complete_sharps(
                    place,
                    worker_id=place.doctor,
                    occurred_at=dt.datetime(2026, 3, 8, 8, 0),
                    reported_at=dt.datetime(2026, 3, 8, 9, 0),
                ),
                now=NOW,
            ).exposure
            self.dose = immunisation.record_dose(
                session,
                officer,
                place.doctor,
                immunisation.DoseInput(dt.date(2019, 1, 10), 1),
                today=CASE_DAY,
            )
            self.serology = immunisation.record_serology(
                session,
                officer,
                place.doctor,
                immunisation.SerologyInput("hbsag", dt.date(2019, 1, 10), result="negative"),
                today=CASE_DAY,
            )

    def _healthwise_and_committee(self, database: Database, tmp_path: Path) -> None:
        """The hospital's own checklist (imported: the shipped ones stay to be installed), a
        draft round and a prioritised one (two priorities, no items yet), a committee member
        and a planned meeting."""
        officer = Actor("osh_officer_1", Role.OSH_OFFICER)
        self.checklist_file = tmp_path / "edition.csv"
        self.checklist_file.write_text(
            "module_code,module_title_en,module_title_zh,checkpoint_code,title_en,title_zh,"
            "why_en,why_zh\n"
            "1,Lifting,搬运,1.1,Use hoists,使用移位机,Back injuries,腰背损伤\n"
            "1,,,1.2,Train lifting,培训搬运,,\n"
            "2,Sharps,锐器,2.1,Containers at hand,锐器盒就近,,\n",
            encoding="utf-8",
        )
        with database.transaction() as session:
            self.template = healthwise.import_template(
                session,
                officer,
                self.checklist_file,
                code="ward-walkround",
                version="2026",
                name_zh="病区巡查",
                name_en="Ward walk-round",
            )
            self.draft = healthwise.create_assessment(session, officer, self.new_round())
            self.round = healthwise.create_assessment(session, officer, self.new_round())
            round_id = self.round.id or 0

            def move(target: str) -> healthwise.AssessmentInfo:
                return healthwise.move_assessment(session, officer, round_id, target, today=TODAY)

            move("in_progress")
            self.priorities = ("1.1", "2.1")
            answers = [
                healthwise.AnswerInput(code, "action_proposed", True, remarks="Needed")
                if code in self.priorities
                else healthwise.AnswerInput(code, "no_action")
                for code in ("1.1", "1.2", "2.1")
            ]
            for member in self.round.members:
                healthwise.save_answers(session, officer, round_id, member.id, answers)
            for target in ("submitted", "in_group_review"):
                move(target)
            self.round = move("prioritized")
            self.member = committee.save_member(
                session,
                officer,
                committee.CommitteeMemberInfo("刘主任", "chair", "management", sex="male"),
            )
            self.meeting = committee.create_meeting(
                session, officer, committee.MeetingInfo(held_on=TODAY, place="Meeting room 2")
            )
            # an approved plan changed since (a revision to approve) and circulated minutes
            self.approved = healthwise.create_assessment(session, officer, self.new_round("5楼"))
            approved_id = self.approved.id or 0
            move_approved = partial(healthwise.move_assessment, session, today=TODAY)
            move_approved(officer, approved_id, "in_progress")
            for member in self.approved.members:
                healthwise.save_answers(session, officer, approved_id, member.id, answers)
            for target in ("submitted", "in_group_review", "prioritized"):
                move_approved(officer, approved_id, target)
            made = healthwise.create_actions_from_priorities(session, officer, approved_id)
            move_approved(officer, approved_id, "plan_submitted")
            move_approved(Actor("admin_1", Role.ADMIN), approved_id, "plan_approved")
            item = actions.get_action(session, officer, made[0].id or 0)
            actions.update_action(session, officer, replace(item, owner_name="李工程师"))
            self.held = committee.create_meeting(
                session, officer, committee.MeetingInfo(held_on=TODAY, status="held")
            )
            committee.move_minutes(session, officer, self.held.id or 0, "circulated")

    def new_round(self, area: str = "3楼东区") -> healthwise.AssessmentInfo:
        return healthwise.AssessmentInfo(
            template_id=self.template.id,
            department_id=self.place.ward,
            area=area,
            assessed_on=TODAY,
            members=(
                healthwise.MemberInfo("王护士长", "manager", "nurse", "female"),
                healthwise.MemberInfo("护士1", "staff", "nurse", "female"),
            ),
        )

    def recovery_passphrase(self, session: Session, who: Actor) -> object:
        """Only an encrypted SQLite file has a recovery passphrase (PostgreSQL: the server's
        storage is encrypted), so the row is about SQLite alone."""
        if not self.database.encrypted:
            pytest.skip("a recovery passphrase belongs to an encrypted SQLite file")
        passphrase = "kept-on-paper-2026"
        return keys.set_recovery_passphrase(session, self.database, who, passphrase, passphrase)

    def calls(self, session: Session, who: Actor) -> dict[str, Callable[[], object]]:
        place, exposure = self.place, self.exposure
        assert exposure.id is not None
        quick = exposures.QuickReport(
            occurred_at=dt.datetime(2026, 3, 10, 9, 0),
            exposure_type="percutaneous",
            department_id=place.ward,
            description="Needle-stick while recapping.",
            source_identified="no",
            worker_id=place.doctor,
        )
        return {
            # users
            "users.create_user": lambda: users.create_user(
                session,
                who,
                username="new",
                display_name="N",
                role=Role.VIEWER,
                password="a password 1",
            ),
            "users.update_user": lambda: users.update_user(
                session, who, "target", display_name="Changed"
            ),
            "users.set_password": lambda: users.set_password(
                session, who, "target", "another password"
            ),
            "users.set_active": lambda: users.set_active(session, who, "target", False),
            "users.lock": lambda: users.lock(session, who, "target"),
            "users.unlock": lambda: users.unlock(session, who, "target"),
            "users.list_users": lambda: users.list_users(session, who),
            # hospital and settings
            "hospital.save_profile": lambda: hospital.save_profile(
                session, who, HospitalProfile("示范医院", "Demo", "F-1", grade="tertiary_a")
            ),
            "hospital.save_department": lambda: hospital.save_department(
                session, who, DepartmentInfo("NEW", "新科", "New", "ward")
            ),
            "hospital.save_staffing": lambda: hospital.save_staffing(
                session, who, StaffingInfo(2025, 300.0, {("nurse", "female"): 120.0})
            ),
            "settings.set_setting": lambda: settings.set_setting(session, who, "backup_keep", "5"),
            "keys.set_recovery_passphrase": lambda: self.recovery_passphrase(session, who),
            "local_codes.add_local_code": lambda: local_codes.add_local_code(
                session, who, local_codes.LocalCodeInfo("device_brand", "brand_y", "乙牌", "Y")
            ),
            "local_codes.update_local_code": lambda: local_codes.update_local_code(
                session, who, local_codes.LocalCodeInfo("device_brand", "brand_x", "某牌二", "X2")
            ),
            "local_codes.set_local_code_active": lambda: local_codes.set_local_code_active(
                session, who, "device_brand", "brand_x", False
            ),
            # workers and the roster
            "workers.create_worker": lambda: workers.create_worker(
                session, who, WorkerInfo("W2", "李强", "male", None, "doctor")
            ),
            "workers.update_worker": lambda: workers.update_worker(
                session,
                who,
                WorkerInfo("N001", "李小红红", "female", None, "nurse", id=place.nurse),
            ),
            "workers.set_worker_active": lambda: workers.set_worker_active(
                session, who, place.nurse, False
            ),
            "roster.apply_roster": lambda: roster.apply_roster(
                session, who, self.preview, existing="update"
            ),
            "workers.list_workers": lambda: workers.list_workers(session, who),
            "workers.count_workers": lambda: workers.count_workers(session, who),
            "workers.get_worker": lambda: workers.get_worker(session, who, place.nurse),
            # exposures
            "exposures.quick_report": lambda: exposures.quick_report(session, who, quick, NOW),
            "exposures.record_exposure": lambda: exposures.record_exposure(
                session, who, complete_sharps(place, worker_id=place.doctor), NOW
            ),
            "exposures.update_exposure": lambda: exposures.update_exposure(
                session, who, replace(exposure, device_brand="Changed"), NOW
            ),
            "exposures.complete_exposure": lambda: exposures.complete_exposure(
                session, who, exposure, NOW
            ),
            "exposures.find_workers": lambda: exposures.find_workers(session, who, "N001"),
            "exposures.check_exposure": lambda: exposures.check_exposure(
                session, who, complete_sharps(place), NOW
            ),
            "exposures.get_exposure": lambda: exposures.get_exposure(session, who, exposure.id),
            "exposures.list_exposures": lambda: exposures.list_exposures(session, who),
            "exposures.count_exposures": lambda: exposures.count_exposures(session, who),
            # the audit trail
            "audit.list_events": lambda: audit.list_events(session, who, audit.AuditFilter()),
            "audit.count_events": lambda: audit.count_events(session, who, audit.AuditFilter()),
            "audit.distinct_values": lambda: audit.distinct_values(session, who, "actor"),
        }

    def hazard_calls(self, session: Session, who: Actor) -> dict[str, Callable[[], object]]:
        hazard, action = self.hazard, self.action
        assert hazard.id is not None
        other_matrix = next(m for m in MATRIX_FILES if m != DEFAULT_MATRIX)
        return {
            "hazards.set_risk_matrix": lambda: hazards.set_risk_matrix(session, who, other_matrix),
            "hazards.create_hazard": lambda: hazards.create_hazard(
                session, who, hazard_info(self.place.ward), today=TODAY
            ),
            "hazards.update_hazard": lambda: hazards.update_hazard(
                session, who, replace(hazard, location="Building 3"), today=TODAY
            ),
            "hazards.reassess_hazard": lambda: hazards.reassess_hazard(
                session,
                who,
                hazard.id or 0,
                assessed_on=dt.date(2026, 11, 18),
                initial=(4, 4),
                residual=(2, 3),
                assessors="Li Jing",
                note="Closed-system transfer devices in use",
                version=hazard.version,
                today=TODAY,
            ),
            "hazards.accept_residual": lambda: hazards.accept_residual(
                session,
                who,
                hazard.id or 0,
                hazards.Acceptance("Vice-president Sun", "hospital_leader", TODAY, "Funded"),
                today=TODAY,
            ),
            "hazards.record_review_trigger": lambda: hazards.record_review_trigger(
                session, who, hazard.id or 0, "change", dt.date(2026, 11, 15), "New steriliser"
            ),
            "hazards.retire_hazard": lambda: hazards.retire_hazard(
                session, who, hazard.id or 0, "Activity stopped"
            ),
            "hazards.propose_further_control": lambda: hazards.propose_further_control(
                session,
                who,
                hazard.id or 0,
                hazards.FurtherControl(
                    "Closed-system transfer devices",
                    "engineering",
                    "Head of pharmacy",
                    TODAY + dt.timedelta(days=60),
                ),
                today=TODAY,
            ),
            "hazards.further_controls": lambda: hazards.further_controls(
                session, who, hazard.id or 0, TODAY
            ),
            "hazards.get_hazard": lambda: hazards.get_hazard(session, who, hazard.id or 0, TODAY),
            "hazards.list_hazards": lambda: hazards.list_hazards(session, who),
            "hazards.count_hazards": lambda: hazards.count_hazards(session, who),
            "hazards.cell_counts": lambda: hazards.cell_counts(session, who),
            "hazards.review_summary": lambda: hazards.review_summary(session, who, TODAY),
            "hazards.due_reviews": lambda: hazards.due_reviews(session, who, TODAY),
            "hazards.owners": lambda: hazards.owners(session, who),
            "hazards.register_data": lambda: hazards.register_data(session, who),
            # action items
            "actions.create_action": lambda: actions.create_action(
                session, who, action_info(), today=TODAY
            ),
            "actions.update_action": lambda: actions.update_action(
                session, who, replace(action, title="Install two hoists")
            ),
            "actions.transition_action": lambda: actions.transition_action(
                session, who, action.id or 0, "approved", today=TODAY
            ),
            "actions.add_note": lambda: actions.add_note(
                session, who, action.id or 0, "Quote received"
            ),
            "actions.add_evidence": lambda: actions.add_evidence(
                session, who, action.id or 0, "after.png", PNG, kind="after"
            ),
            "actions.get_action": lambda: actions.get_action(session, who, action.id or 0),
            "actions.list_evidence": lambda: actions.list_evidence(session, who, action.id or 0),
            "actions.evidence_data": lambda: actions.evidence_data(
                session, who, self.evidence.id or 0
            ),
            "actions.list_updates": lambda: actions.list_updates(session, who, action.id or 0),
            "actions.list_actions": lambda: actions.list_actions(session, who),
            "actions.count_actions": lambda: actions.count_actions(session, who),
            "actions.action_counts": lambda: actions.action_counts(session, who),
            "actions.actions_for_source": lambda: actions.actions_for_source(
                session, who, "healthwise", 1
            ),
            "actions.rows_by_ids": lambda: actions.rows_by_ids(session, who, [action.id or 0]),
            # reports: export_rows is a generator, its check runs when it is read
            "summary.build_summary": lambda: summary.build_summary(
                session, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
            ),
            "summary.export_rows": lambda: list(
                summary.export_rows(session, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            ),
            "summary.hazard_export_rows": lambda: summary.hazard_export_rows(
                session, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
            ),
            "summary.action_export_rows": lambda: summary.action_export_rows(
                session, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
            ),
            "dashboard.build_dashboard": lambda: dashboard.build_dashboard(session, who, "year"),
            "dashboard.immunity_figure": lambda: dashboard.immunity_figure(session, who),
            "dashboard.reporter_view": lambda: dashboard.reporter_view(session, who),
        }

    def post_exposure_calls(self, session: Session, who: Actor) -> dict[str, Callable[[], object]]:
        case, other, doctor = self.exposure.id or 0, self.unassessed.id or 0, self.place.doctor
        item, closed = self.open_item, self.closed_item
        case_filter = followups.FollowupFilter(scope="all", exposure_id=case)
        return {
            # follow-ups
            "followups.list_followups": lambda: followups.list_followups(
                session, who, case_filter, today=CASE_DAY
            ),
            "followups.count_followups": lambda: followups.count_followups(
                session, who, case_filter, today=CASE_DAY
            ),
            "followups.overdue_count": lambda: followups.overdue_count(
                session, who, today=CASE_DAY
            ),
            "followups.counts": lambda: followups.counts(session, who, today=CASE_DAY),
            "followups.get_followup": lambda: followups.get_followup(
                session, who, item.id, today=CASE_DAY
            ),
            "followups.reschedule": lambda: followups.reschedule(
                session,
                who,
                item.id,
                followups.ScheduleChange(
                    item.due_date + dt.timedelta(days=2),
                    item.window_start,
                    item.window_end + dt.timedelta(days=7),
                    "Worker on night shifts",
                ),
            ),
            "followups.enter_result": lambda: followups.enter_result(
                session,
                who,
                item.id,
                followups.ResultEntry(CASE_DAY, result="negative"),
                today=CASE_DAY,
            ),
            "followups.resolve": lambda: followups.resolve(
                session, who, item.id, followups.CANCELLED, "Not needed: source re-tested"
            ),
            "followups.reopen": lambda: followups.reopen(
                session, who, closed.id, "Marked missed by mistake"
            ),
            # immunisation
            "immunisation.record_dose": lambda: immunisation.record_dose(
                session,
                who,
                doctor,
                immunisation.DoseInput(dt.date(2019, 2, 10), 2),
                today=CASE_DAY,
            ),
            "immunisation.record_serology": lambda: immunisation.record_serology(
                session,
                who,
                doctor,
                immunisation.SerologyInput("anti_hbs", dt.date(2019, 9, 1), value=120.0),
                today=CASE_DAY,
            ),
            "immunisation.delete_dose": lambda: immunisation.delete_dose(
                session, who, self.dose.id, "Entered twice"
            ),
            "immunisation.delete_serology": lambda: immunisation.delete_serology(
                session, who, self.serology.id, "Wrong worker"
            ),
            "immunisation.immunity_status": lambda: immunisation.immunity_status(
                session, who, doctor
            ),
            "immunisation.history": lambda: immunisation.history(session, who, doctor),
            "immunisation.coverage": lambda: immunisation.coverage(session, who, on=CASE_DAY),
            # post-exposure management
            "post_exposure.propose": lambda: pe.propose(session, who, case, now=NOW),
            "post_exposure.propose_for": lambda: pe.propose_for(
                session, who, self.exposure, now=NOW
            ),
            "post_exposure.reopenings": lambda: pe.reopenings(session, who, case),
            "post_exposure.case_sheet_info": lambda: pe.case_sheet_info(session, who, case, "en"),
            "post_exposure.reopen_case": lambda: pe.reopen_case(
                session, who, self._closed_case(session, other), "The worker came back"
            ),
            "post_exposure.set_adjustment": lambda: pe.set_adjustment(
                session,
                who,
                pe.AdjustmentInput(
                    "china", "china_hcv_follow_up", "hcv_rna_4w", 42, 42, 56, "Lab on Tuesdays"
                ),
            ),
            "post_exposure.reset_adjustment": lambda: pe.reset_adjustment(
                session, who, *self._adjusted_row(session)
            ),
            "post_exposure.assess_exposure": lambda: pe.assess_exposure(
                session, who, other, now=NOW
            ),
            "post_exposure.ensure_assessed": lambda: pe.ensure_assessed(
                session, who, other, now=NOW
            ),
            "post_exposure.record_prophylaxis": lambda: pe.record_prophylaxis(
                session,
                who,
                case,
                pe.ProphylaxisInput("hbig", "given", dt.datetime(2026, 3, 9, 12, 0), 1),
                now=NOW,
            ),
            "post_exposure.record_pep_course": lambda: pe.record_pep_course(
                session,
                who,
                case,
                pe.PepCourseInput(dt.datetime(2026, 3, 9, 12, 0), "TDF/FTC + DTG"),
                now=NOW,
            ),
            "post_exposure.record_notification": lambda: pe.record_notification(
                session,
                who,
                case,
                pe.NotificationInput("work_injury_claim", "hbv", "Labour bureau", CASE_DAY),
                today=CASE_DAY,
            ),
            "post_exposure.close_case": lambda: pe.close_case(
                session,
                who,
                case,
                pe.CloseInput("lost_to_follow_up", mark_open_missed=True),
                today=CASE_DAY,
            ),
            "post_exposure.get_case": lambda: pe.get_case(
                session, who, case, today=CASE_DAY, now=NOW
            ),
            "summary.followup_export_rows": lambda: summary.followup_export_rows(
                session, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31), now=NOW
            ),
        }

    def healthwise_calls(self, session: Session, who: Actor) -> dict[str, Callable[[], object]]:
        template, draft, ready = self.template.id, self.draft.id or 0, self.round.id or 0
        meeting, action = self.meeting.id or 0, self.action.id or 0
        held, approved = self.held.id or 0, self.approved.id or 0
        first, second = self.priorities
        member = self.draft.members[0].id
        period = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        return {
            # HealthWISE checklists
            "healthwise.install_shipped_templates": lambda: healthwise.install_shipped_templates(
                session, who
            ),
            "healthwise.import_template": lambda: healthwise.import_template(
                session,
                who,
                self.checklist_file,
                code="healthwise-official",
                version="2015-zh",
                name_zh="HealthWISE 官方版",
                name_en="HealthWISE official",
            ),
            "healthwise.set_template_active": lambda: healthwise.set_template_active(
                session, who, template, False
            ),
            "healthwise.create_assessment": lambda: healthwise.create_assessment(
                session, who, self.new_round("5楼西区")
            ),
            "healthwise.update_assessment": lambda: healthwise.update_assessment(
                session, who, replace(self.draft, notes="Night shift too")
            ),
            "healthwise.save_answers": lambda: healthwise.save_answers(
                session, who, draft, member, [healthwise.AnswerInput(first, "no_action")]
            ),
            "healthwise.set_no_action_reason": lambda: healthwise.set_no_action_reason(
                session, who, ready, second, "Already in this year's budget"
            ),
            "healthwise.move_assessment": lambda: healthwise.move_assessment(
                session, who, draft, "in_progress", today=TODAY
            ),
            "healthwise.add_plan_action": lambda: healthwise.add_plan_action(
                session, who, ready, first, actions.ActionInfo(due_date=TODAY)
            ),
            "healthwise.create_actions_from_priorities": lambda: (
                healthwise.create_actions_from_priorities(session, who, ready, due_date=TODAY)
            ),
            "healthwise.list_templates": lambda: healthwise.list_templates(session, who),
            "healthwise.get_template": lambda: healthwise.get_template(session, who, template),
            "healthwise.get_assessment": lambda: healthwise.get_assessment(session, who, ready),
            "healthwise.list_assessments": lambda: healthwise.list_assessments(session, who),
            "healthwise.count_assessments": lambda: healthwise.count_assessments(session, who),
            "healthwise.get_sheet": lambda: healthwise.get_sheet(session, who, ready),
            "healthwise.get_plan": lambda: healthwise.get_plan(session, who, ready, TODAY),
            "healthwise.get_progress": lambda: healthwise.get_progress(session, who, ready),
            "healthwise.period_summary": lambda: healthwise.period_summary(
                session, who, *period, today=TODAY
            ),
            # the committee
            "committee.save_member": lambda: committee.save_member(
                session, who, committee.CommitteeMemberInfo("赵代表", "member", "worker")
            ),
            "committee.create_meeting": lambda: committee.create_meeting(
                session,
                who,
                committee.MeetingInfo(held_on=TODAY + dt.timedelta(days=30), place="Room 3"),
            ),
            "committee.update_meeting": lambda: committee.update_meeting(
                session, who, replace(self.meeting, agenda="Hoists; sharps containers")
            ),
            "committee.record_decision": lambda: committee.record_decision(
                session, who, meeting, "approve", action_id=action, today=TODAY
            ),
            "committee.move_minutes": lambda: committee.move_minutes(
                session, who, held, "draft", reason="Add item 4"
            ),
            "committee.sign_minutes": lambda: committee.sign_minutes(
                session, who, held, self.member.id or 0
            ),
            "committee.minutes_history": lambda: committee.minutes_history(session, who, held),
            "healthwise.approve_plan_revision": lambda: healthwise.approve_plan_revision(
                session, who, approved
            ),
            "healthwise.plan_status": lambda: healthwise.plan_status(session, who, approved),
            "healthwise.get_plan_revision": lambda: healthwise.get_plan_revision(
                session, who, approved, 1
            ),
            "healthwise.changed_plans": lambda: healthwise.changed_plans(session, who),
            "committee.list_members": lambda: committee.list_members(session, who),
            "committee.get_meeting": lambda: committee.get_meeting(session, who, meeting),
            "committee.list_meetings": lambda: committee.list_meetings(session, who),
            "committee.count_meetings": lambda: committee.count_meetings(session, who),
            "committee.review_items": lambda: committee.review_items(session, who, TODAY),
            "committee.period_summary": lambda: committee.period_summary(session, who, *period),
        }

    @staticmethod
    def _closed_case(session: Session, exposure_id: int) -> int:
        """The exposure marked closed in the attempt's transaction (rolled back after it)."""
        row = session.get(Exposure, exposure_id)
        assert row is not None
        row.status, row.outcome = "closed", "no_seroconversion"
        session.flush()
        return exposure_id

    @staticmethod
    def _adjusted_row(session: Session) -> tuple[str, str, str]:
        """A hospital offset stored without a service (no audit), for the reset to remove."""
        key = ("china", "china_hcv_follow_up", "hcv_rna_4w")
        session.add(
            ProtocolAdjustment(
                protocol_id=key[0],
                schedule=key[1],
                item_id=key[2],
                due=42,
                window_start=42,
                window_end=56,
                reason="Lab on Tuesdays",
                changed_by="admin",
            )
        )
        session.flush()
        return key

    def call(self, name: str, session: Session, who: Actor) -> object:
        found = (
            self.calls(session, who)
            | self.hazard_calls(session, who)
            | self.post_exposure_calls(session, who)
            | self.healthwise_calls(session, who)
        )
        return found[name]()
