"""post-exposure management: immunisation, assessments, prophylaxis, follow-ups, outcomes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:00:00

Worker HBV vaccine doses and serology; per exposure the assessment snapshot, the clinician's
prophylaxis decisions, the follow-up items (only their closing state is stored; due/overdue are
derived from the window), date changes with reasons, the PEP course, the outcome and disease
notifications.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('seroconversion_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('closed_by', sa.String(length=40), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_case_outcome_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_outcome')),
    sa.UniqueConstraint('exposure_id', name=op.f('uq_case_outcome_exposure_id'))
    )
    op.create_table('disease_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('notification_type', sa.String(length=40), nullable=False),
    sa.Column('pathogen', sa.String(length=40), nullable=False),
    sa.Column('notified_party', sa.String(length=200), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('case_number', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_disease_notification_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disease_notification'))
    )
    op.create_index(op.f('ix_disease_notification_exposure_id'), 'disease_notification', ['exposure_id'], unique=False)
    op.create_table('followup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=80), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('dose', sa.Integer(), nullable=True),
    sa.Column('pep_item', sa.Boolean(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('result', sa.String(length=40), nullable=True),
    sa.Column('result_value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_followup_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup')),
    sa.UniqueConstraint('exposure_id', 'plan_key', name=op.f('uq_followup_exposure_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_followup_uuid'))
    )
    op.create_index(op.f('ix_followup_exposure_id'), 'followup', ['exposure_id'], unique=False)
    op.create_index('ix_followup_state_window_end', 'followup', ['state', 'window_end'], unique=False)
    op.create_index('ix_followup_state_window_start', 'followup', ['state', 'window_start'], unique=False)
    op.create_table('hbv_vaccine_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('dose_number', sa.Integer(), nullable=False),
    sa.Column('doses_in_series', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('dose_ug', sa.Float(), nullable=True),
    sa.Column('exposure_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_hbv_vaccine_dose_exposure_id_exposure')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_hbv_vaccine_dose_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hbv_vaccine_dose'))
    )
    op.create_index(op.f('ix_hbv_vaccine_dose_worker_id'), 'hbv_vaccine_dose', ['worker_id'], unique=False)
    op.create_table('pep_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('regimen', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('course_days', sa.Integer(), nullable=False),
    sa.Column('days_taken', sa.Integer(), nullable=True),
    sa.Column('stop_reason', sa.String(length=40), nullable=True),
    sa.Column('side_effects', sa.Text(), nullable=False),
    sa.Column('late_reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_pep_course_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pep_course')),
    sa.UniqueConstraint('exposure_id', name=op.f('uq_pep_course_exposure_id'))
    )
    op.create_table('post_exposure_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.String(length=40), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('worker_hbv_status', sa.String(length=40), nullable=False),
    sa.Column('worker_anti_hbs', sa.Float(), nullable=True),
    sa.Column('pep_level', sa.String(length=40), nullable=True),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('assessed_by', sa.String(length=40), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_post_exposure_assessment_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_exposure_assessment')),
    sa.UniqueConstraint('exposure_id', name=op.f('uq_post_exposure_assessment_exposure_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_post_exposure_assessment_uuid'))
    )
    op.create_table('prophylaxis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exposure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=40), nullable=False),
    sa.Column('dose_number', sa.Integer(), nullable=True),
    sa.Column('given_at', sa.DateTime(), nullable=True),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exposure_id'], ['exposure.id'], name=op.f('fk_prophylaxis_exposure_id_exposure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prophylaxis'))
    )
    op.create_index(op.f('ix_prophylaxis_exposure_id'), 'prophylaxis', ['exposure_id'], unique=False)
    op.create_table('followup_date_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('old_window_start', sa.Date(), nullable=False),
    sa.Column('old_window_end', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('new_window_start', sa.Date(), nullable=False),
    sa.Column('new_window_end', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by', sa.String(length=40), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['followup_id'], ['followup.id'], name=op.f('fk_followup_date_change_followup_id_followup')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_date_change'))
    )
    op.create_index(op.f('ix_followup_date_change_followup_id'), 'followup_date_change', ['followup_id'], unique=False)
    op.create_table('serology_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('test', sa.String(length=40), nullable=False),
    sa.Column('tested_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=40), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('followup_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['followup_id'], ['followup.id'], name=op.f('fk_serology_result_followup_id_followup')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_serology_result_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_serology_result'))
    )
    op.create_index('ix_serology_result_worker_test', 'serology_result', ['worker_id', 'test', 'tested_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_serology_result_worker_test', table_name='serology_result')
    op.drop_table('serology_result')
    op.drop_index(op.f('ix_followup_date_change_followup_id'), table_name='followup_date_change')
    op.drop_table('followup_date_change')
    op.drop_index(op.f('ix_prophylaxis_exposure_id'), table_name='prophylaxis')
    op.drop_table('prophylaxis')
    op.drop_table('post_exposure_assessment')
    op.drop_table('pep_course')
    op.drop_index(op.f('ix_hbv_vaccine_dose_worker_id'), table_name='hbv_vaccine_dose')
    op.drop_table('hbv_vaccine_dose')
    op.drop_index('ix_followup_state_window_start', table_name='followup')
    op.drop_index('ix_followup_state_window_end', table_name='followup')
    op.drop_index(op.f('ix_followup_exposure_id'), table_name='followup')
    op.drop_table('followup')
    op.drop_index(op.f('ix_disease_notification_exposure_id'), table_name='disease_notification')
    op.drop_table('disease_notification')
    op.drop_table('case_outcome')
