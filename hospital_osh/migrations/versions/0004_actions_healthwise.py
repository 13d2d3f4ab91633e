"""action items (shared), HealthWISE templates and rounds, committee

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:00:00

``action_item`` (shared by HealthWISE, hazards and the committee; linked to its source by
``source_kind`` + ``source_id``, no foreign key), its ``action_update`` log and
``action_evidence`` blobs; HealthWISE ``checklist_template`` -> ``checklist_module`` ->
``checkpoint``, ``hw_assessment`` rounds with their team, sheets and answers; the committee's
members, meetings, attendance and decisions. Independent of 0003's tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklist_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('source_note_zh', sa.Text(), nullable=False),
    sa.Column('source_note_en', sa.Text(), nullable=False),
    sa.Column('working_version', sa.Boolean(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_template')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_checklist_template_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_checklist_template_uuid'))
    )
    op.create_table('committee_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('next_meeting_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_meeting')),
    sa.UniqueConstraint('uuid', name=op.f('uq_committee_meeting_uuid'))
    )
    op.create_index(op.f('ix_committee_meeting_held_on'), 'committee_meeting', ['held_on'], unique=False)
    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref_year', sa.Integer(), nullable=False),
    sa.Column('ref_seq', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sa.String(length=120), nullable=False),
    sa.Column('supporting', sa.String(length=300), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('resources', sa.Text(), nullable=False),
    sa.Column('cost_category', sa.String(length=40), nullable=True),
    sa.Column('cost_cny', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('hierarchy_level', sa.String(length=40), nullable=True),
    sa.Column('verification_method', sa.Text(), nullable=False),
    sa.Column('gender_relevant', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('reopened_count', sa.Integer(), nullable=False),
    sa.Column('verified_by', sa.String(length=120), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('source_item', sa.String(length=60), nullable=False),
    sa.Column('source_label', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_action_item_department_id_department')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['app_user.id'], name=op.f('fk_action_item_owner_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item')),
    sa.UniqueConstraint('ref_year', 'ref_seq', name=op.f('uq_action_item_ref_year')),
    sa.UniqueConstraint('reference', name=op.f('uq_action_item_reference')),
    sa.UniqueConstraint('uuid', name=op.f('uq_action_item_uuid'))
    )
    op.create_index(op.f('ix_action_item_department_id'), 'action_item', ['department_id'], unique=False)
    op.create_index('ix_action_item_source', 'action_item', ['source_kind', 'source_id'], unique=False)
    op.create_index('ix_action_item_status_due', 'action_item', ['status', 'due_date'], unique=False)
    op.create_table('checklist_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title_zh', sa.String(length=500), nullable=False),
    sa.Column('title_en', sa.String(length=500), nullable=False),
    sa.Column('verification', sa.String(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_checklist_module_template_id_checklist_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_module')),
    sa.UniqueConstraint('template_id', 'code', name=op.f('uq_checklist_module_template_id'))
    )
    op.create_index(op.f('ix_checklist_module_template_id'), 'checklist_module', ['template_id'], unique=False)
    op.create_table('committee_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('committee_role', sa.String(length=40), nullable=False),
    sa.Column('side', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_committee_member_department_id_department')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_committee_member_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_member'))
    )
    op.create_table('hw_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=200), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_hw_assessment_department_id_department')),
    sa.ForeignKeyConstraint(['previous_id'], ['hw_assessment.id'], name=op.f('fk_hw_assessment_previous_id_hw_assessment')),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_hw_assessment_template_id_checklist_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_assessment')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hw_assessment_uuid'))
    )
    op.create_index(op.f('ix_hw_assessment_department_id'), 'hw_assessment', ['department_id'], unique=False)
    op.create_index(op.f('ix_hw_assessment_state'), 'hw_assessment', ['state'], unique=False)
    op.create_index(op.f('ix_hw_assessment_template_id'), 'hw_assessment', ['template_id'], unique=False)
    op.create_table('action_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.Column('added_by', sa.String(length=40), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_action_evidence_action_id_action_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_evidence'))
    )
    op.create_index(op.f('ix_action_evidence_action_id'), 'action_evidence', ['action_id'], unique=False)
    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('old_status', sa.String(length=40), nullable=True),
    sa.Column('new_status', sa.String(length=40), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_action_update_action_id_action_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    op.create_index(op.f('ix_action_update_action_id'), 'action_update', ['action_id'], unique=False)
    op.create_table('checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title_zh', sa.String(length=500), nullable=False),
    sa.Column('title_en', sa.String(length=500), nullable=False),
    sa.Column('why_zh', sa.Text(), nullable=False),
    sa.Column('why_en', sa.Text(), nullable=False),
    sa.Column('how_zh', sa.Text(), nullable=False),
    sa.Column('how_en', sa.Text(), nullable=False),
    sa.Column('verification', sa.String(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['checklist_module.id'], name=op.f('fk_checkpoint_module_id_checklist_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_checkpoint_template_id_checklist_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint')),
    sa.UniqueConstraint('template_id', 'code', name=op.f('uq_checkpoint_template_id'))
    )
    op.create_index(op.f('ix_checkpoint_module_id'), 'checkpoint', ['module_id'], unique=False)
    op.create_index(op.f('ix_checkpoint_template_id'), 'checkpoint', ['template_id'], unique=False)
    op.create_table('committee_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('attendance', sa.String(length=40), nullable=False),
    sa.Column('side', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meeting.id'], name=op.f('fk_committee_attendance_meeting_id_committee_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['committee_member.id'], name=op.f('fk_committee_attendance_member_id_committee_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_attendance'))
    )
    op.create_index(op.f('ix_committee_attendance_meeting_id'), 'committee_attendance', ['meeting_id'], unique=False)
    op.create_table('committee_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=40), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('old_status', sa.String(length=40), nullable=True),
    sa.Column('new_status', sa.String(length=40), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_committee_decision_action_id_action_item')),
    sa.ForeignKeyConstraint(['assessment_id'], ['hw_assessment.id'], name=op.f('fk_committee_decision_assessment_id_hw_assessment')),
    sa.ForeignKeyConstraint(['meeting_id'], ['committee_meeting.id'], name=op.f('fk_committee_decision_meeting_id_committee_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_decision'))
    )
    op.create_index(op.f('ix_committee_decision_action_id'), 'committee_decision', ['action_id'], unique=False)
    op.create_index(op.f('ix_committee_decision_meeting_id'), 'committee_decision', ['meeting_id'], unique=False)
    op.create_table('hw_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team_role', sa.String(length=40), nullable=False),
    sa.Column('job_category', sa.String(length=40), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['hw_assessment.id'], name=op.f('fk_hw_member_assessment_id_hw_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_member'))
    )
    op.create_index(op.f('ix_hw_member_assessment_id'), 'hw_member', ['assessment_id'], unique=False)
    op.create_table('hw_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['hw_assessment.id'], name=op.f('fk_hw_sheet_assessment_id_hw_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['hw_member.id'], name=op.f('fk_hw_sheet_member_id_hw_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_sheet')),
    sa.UniqueConstraint('assessment_id', 'member_id', name=op.f('uq_hw_sheet_assessment_id'))
    )
    op.create_index(op.f('ix_hw_sheet_assessment_id'), 'hw_sheet', ['assessment_id'], unique=False)
    op.create_table('hw_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('good_practice', sa.Text(), nullable=False),
    sa.Column('location_detail', sa.String(length=200), nullable=False),
    sa.Column('no_action_reason', sa.Text(), nullable=False),
    sa.Column('disputed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], name=op.f('fk_hw_answer_checkpoint_id_checkpoint')),
    sa.ForeignKeyConstraint(['sheet_id'], ['hw_sheet.id'], name=op.f('fk_hw_answer_sheet_id_hw_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_answer')),
    sa.UniqueConstraint('sheet_id', 'checkpoint_id', name=op.f('uq_hw_answer_sheet_id'))
    )
    op.create_index(op.f('ix_hw_answer_checkpoint_id'), 'hw_answer', ['checkpoint_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_hw_answer_checkpoint_id'), table_name='hw_answer')
    op.drop_table('hw_answer')
    op.drop_index(op.f('ix_hw_sheet_assessment_id'), table_name='hw_sheet')
    op.drop_table('hw_sheet')
    op.drop_index(op.f('ix_hw_member_assessment_id'), table_name='hw_member')
    op.drop_table('hw_member')
    op.drop_index(op.f('ix_committee_decision_meeting_id'), table_name='committee_decision')
    op.drop_index(op.f('ix_committee_decision_action_id'), table_name='committee_decision')
    op.drop_table('committee_decision')
    op.drop_index(op.f('ix_committee_attendance_meeting_id'), table_name='committee_attendance')
    op.drop_table('committee_attendance')
    op.drop_index(op.f('ix_checkpoint_template_id'), table_name='checkpoint')
    op.drop_index(op.f('ix_checkpoint_module_id'), table_name='checkpoint')
    op.drop_table('checkpoint')
    op.drop_index(op.f('ix_action_update_action_id'), table_name='action_update')
    op.drop_table('action_update')
    op.drop_index(op.f('ix_action_evidence_action_id'), table_name='action_evidence')
    op.drop_table('action_evidence')
    op.drop_index(op.f('ix_hw_assessment_template_id'), table_name='hw_assessment')
    op.drop_index(op.f('ix_hw_assessment_state'), table_name='hw_assessment')
    op.drop_index(op.f('ix_hw_assessment_department_id'), table_name='hw_assessment')
    op.drop_table('hw_assessment')
    op.drop_table('committee_member')
    op.drop_index(op.f('ix_checklist_module_template_id'), table_name='checklist_module')
    op.drop_table('checklist_module')
    op.drop_index('ix_action_item_status_due', table_name='action_item')
    op.drop_index('ix_action_item_source', table_name='action_item')
    op.drop_index(op.f('ix_action_item_department_id'), table_name='action_item')
    op.drop_table('action_item')
    op.drop_index(op.f('ix_committee_meeting_held_on'), table_name='committee_meeting')
    op.drop_table('committee_meeting')
    op.drop_table('checklist_template')
