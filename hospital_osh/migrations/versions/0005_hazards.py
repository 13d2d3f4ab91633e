"""the hazard register and risk assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 04:00:00

``hazard`` (one row per register entry; levels are computed from the matrix in force, not
stored), ``hazard_control`` (existing controls with their hierarchy level) and
``hazard_assessment`` (every assessment's initial and residual scores, with date and assessor).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hazard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref_seq', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('agent', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('statutory_factor_code', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('potential_harm', sa.Text(), nullable=False),
    sa.Column('identification_method', sa.String(length=40), nullable=True),
    sa.Column('legal_reference', sa.String(length=400), nullable=False),
    sa.Column('job_categories', sa.String(length=400), nullable=False),
    sa.Column('exposed_female', sa.Integer(), nullable=True),
    sa.Column('exposed_male', sa.Integer(), nullable=True),
    sa.Column('vulnerable_groups', sa.String(length=200), nullable=False),
    sa.Column('reproductive_hazard', sa.Boolean(), nullable=False),
    sa.Column('monitoring_value', sa.Float(), nullable=True),
    sa.Column('monitoring_unit', sa.String(length=40), nullable=False),
    sa.Column('monitoring_limit', sa.Float(), nullable=True),
    sa.Column('monitoring_date', sa.Date(), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('assessors', sa.String(length=400), nullable=False),
    sa.Column('approver', sa.String(length=120), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('initial_likelihood', sa.Integer(), nullable=False),
    sa.Column('initial_severity', sa.Integer(), nullable=False),
    sa.Column('residual_likelihood', sa.Integer(), nullable=True),
    sa.Column('residual_severity', sa.Integer(), nullable=True),
    sa.Column('residual_reason', sa.Text(), nullable=False),
    sa.Column('current_likelihood', sa.Integer(), nullable=False),
    sa.Column('current_severity', sa.Integer(), nullable=False),
    sa.Column('next_review_on', sa.Date(), nullable=False),
    sa.Column('review_trigger', sa.String(length=40), nullable=True),
    sa.Column('review_trigger_on', sa.Date(), nullable=True),
    sa.Column('review_trigger_note', sa.Text(), nullable=False),
    sa.Column('accepted_by', sa.String(length=120), nullable=False),
    sa.Column('accepted_role', sa.String(length=40), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('acceptance_note', sa.Text(), nullable=False),
    sa.Column('retired_reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_hazard_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard')),
    sa.UniqueConstraint('ref_seq', name=op.f('uq_hazard_ref_seq')),
    sa.UniqueConstraint('reference', name=op.f('uq_hazard_reference')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hazard_uuid'))
    )
    op.create_index('ix_hazard_category', 'hazard', ['category'], unique=False)
    op.create_index('ix_hazard_cell', 'hazard', ['current_likelihood', 'current_severity'], unique=False)
    op.create_index('ix_hazard_department_status', 'hazard', ['department_id', 'status'], unique=False)
    op.create_index('ix_hazard_owner', 'hazard', ['owner'], unique=False)
    op.create_index('ix_hazard_status_review', 'hazard', ['status', 'next_review_on'], unique=False)
    op.create_table('hazard_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessors', sa.String(length=400), nullable=False),
    sa.Column('matrix_id', sa.String(length=40), nullable=False),
    sa.Column('initial_likelihood', sa.Integer(), nullable=False),
    sa.Column('initial_severity', sa.Integer(), nullable=False),
    sa.Column('initial_level', sa.String(length=40), nullable=False),
    sa.Column('residual_likelihood', sa.Integer(), nullable=True),
    sa.Column('residual_severity', sa.Integer(), nullable=True),
    sa.Column('residual_level', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], name=op.f('fk_hazard_assessment_hazard_id_hazard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_assessment'))
    )
    op.create_index(op.f('ix_hazard_assessment_hazard_id'), 'hazard_assessment', ['hazard_id'], unique=False)
    op.create_table('hazard_control',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=400), nullable=False),
    sa.Column('hierarchy_level', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], name=op.f('fk_hazard_control_hazard_id_hazard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_control'))
    )
    op.create_index(op.f('ix_hazard_control_hazard_id'), 'hazard_control', ['hazard_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_hazard_control_hazard_id'), table_name='hazard_control')
    op.drop_table('hazard_control')
    op.drop_index(op.f('ix_hazard_assessment_hazard_id'), table_name='hazard_assessment')
    op.drop_table('hazard_assessment')
    op.drop_index('ix_hazard_status_review', table_name='hazard')
    op.drop_index('ix_hazard_owner', table_name='hazard')
    op.drop_index('ix_hazard_department_status', table_name='hazard')
    op.drop_index('ix_hazard_cell', table_name='hazard')
    op.drop_index('ix_hazard_category', table_name='hazard')
    op.drop_table('hazard')
