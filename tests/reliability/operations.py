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
from pathlib import Path

from sqlalchemy.orm import Session

import hospital_osh.services
from hospital_osh.domain.risk_matrix import DEFAULT_MATRIX, MATRIX_FILES
from hospital_osh.domain.roles import Role
from hospital_osh.services import (
    actions,
    audit,
    exposures,
    hazards,
    hospital,
    local_codes,
    roster,
    settings,
    summary,
    users,
    workers,
)
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
    }
)

# Identities and serostatus planted in the world; roles without the right must never see them.
SECRET_TEXTS = ("李小红", "Wang Qiang", "N001", "D001", "ZY123456", "置管时患者躁动")


TODAY = dt.date(2026, 11, 20)


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
        path = tmp_path / "roster.csv"
        path.write_text(
            ",".join(roster.REQUIRED_COLUMNS) + "\nR1,李强,male,,doctor,ICU,permanent,\n",
            encoding="utf-8",
        )
        with database.session() as session:
            self.preview = roster.read_roster(session, path)
        assert self.preview.ok, self.preview.messages()

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
        }

    def call(self, name: str, session: Session, who: Actor) -> object:
        return (self.calls(session, who) | self.hazard_calls(session, who))[name]()
