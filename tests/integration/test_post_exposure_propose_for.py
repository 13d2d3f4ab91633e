"""``propose_for``: the protocol's proposal for a form's values, saved or not, through the same
path as ``propose`` (worker immunity from the records, the hospital's protocol and offsets);
it writes nothing, refuses what the tables cannot use with the field named, and needs the
post-exposure permission. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hospital_osh.models import AuditEvent, Exposure, FollowUp, PostExposureAssessment
from hospital_osh.services import exposures
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.exposure_data import complete_sharps
from tests.integration.pe_data import ASSESSED, Place, add_exposure, hospital, replace, source


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return hospital(database, admin)


def counts(database: Database) -> tuple[int, ...]:
    with database.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (AuditEvent, Exposure, FollowUp, PostExposureAssessment)
        )


def test_an_unsaved_form_gets_the_same_proposal_as_the_saved_record(
    database: Database, admin: Actor, place: Place
) -> None:
    info = complete_sharps(place, **source(source_hbsag="positive", source_hiv="negative"))
    before = counts(database)
    with database.session() as session:
        draft = pe.propose_for(session, admin, info, now=ASSESSED)
        assert not session.new and not session.dirty
    assert counts(database) == before
    assert not draft.saved
    hbv = [line.action for line in draft.lines if line.pathogen == "hbv"]
    assert hbv == ["hbv_china_hbig_vaccinate"]
    exposure_id = add_exposure(
        database, admin, place, **source(source_hbsag="positive", source_hiv="negative")
    )
    with database.session() as session:
        saved = pe.propose(session, admin, exposure_id, now=ASSESSED)
        record = exposures.get_exposure(session, admin, exposure_id)
        again = pe.propose_for(session, admin, record, now=ASSESSED)
    assert [line.rule_id for line in draft.lines] == [line.rule_id for line in saved.lines]
    assert draft.planned == saved.planned
    assert again.lines == saved.lines and again.exposure_id == exposure_id


def test_a_changed_value_changes_the_proposal_without_touching_the_record(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure_id = add_exposure(database, admin, place, **source(source_hiv="negative"))
    with database.session() as session:
        record = exposures.get_exposure(session, admin, exposure_id)
        before = pe.propose_for(session, admin, record, now=ASSESSED)
        after = pe.propose_for(session, admin, replace(record, source_hiv="positive"), now=ASSESSED)
    assert before.pep_level == "not_indicated"
    assert after.pep_level in ("recommended", "offer")
    with database.session() as session:
        assert exposures.get_exposure(session, admin, exposure_id).source_hiv == "negative"


def test_missing_inputs_are_named(database: Database, admin: Actor, place: Place) -> None:
    info = replace(complete_sharps(place), occurred_at=None, exposure_type=None)
    with database.session() as session, pytest.raises(ValidationError) as error:
        pe.propose_for(session, admin, info)
    assert error.value.fields == {
        "occurred_at": "Enter when the exposure happened.",
        "exposure_type": "Choose the type of exposure.",
    }


def test_only_roles_managing_post_exposure_care_may_ask(database: Database, place: Place) -> None:
    info = complete_sharps(place)
    for role in ("viewer", "committee_member", "reporter"):
        with database.session() as session, pytest.raises(PermissionDenied):
            pe.propose_for(session, actor(role), info)
    with database.session() as session:
        assert pe.propose_for(session, actor("osh_officer"), info).lines
