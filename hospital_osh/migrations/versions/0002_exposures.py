"""exposures: the exposure record (EPINet-compatible) and the hospital's local code entries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:53:59.847771

One wide ``exposure`` table (sharps and fluid sections as columns, worker attributes copied at the
time of the event) with indexes for the exposures page's filters and default order, and
``local_code`` for entries a hospital adds to the extensible code lists.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('local_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_zh', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_code')),
    sa.UniqueConstraint('list_name', 'code', name=op.f('uq_local_code_list_name'))
    )
    op.create_table('exposure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('ref_year', sa.Integer(), nullable=False),
    sa.Column('ref_seq', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('incomplete', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('worker_kind', sa.String(length=40), nullable=False),
    sa.Column('worker_name', sa.String(length=120), nullable=False),
    sa.Column('job_category', sa.String(length=40), nullable=True),
    sa.Column('employment_type', sa.String(length=40), nullable=True),
    sa.Column('home_department_id', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('years_in_post', sa.Float(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('hours_to_report', sa.Float(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('location_type', sa.String(length=40), nullable=True),
    sa.Column('exposure_type', sa.String(length=40), nullable=False),
    sa.Column('device_type', sa.String(length=40), nullable=True),
    sa.Column('device_brand', sa.String(length=120), nullable=False),
    sa.Column('device_safety_engineered', sa.String(length=40), nullable=True),
    sa.Column('safety_activated', sa.String(length=40), nullable=True),
    sa.Column('purpose', sa.String(length=40), nullable=True),
    sa.Column('circumstance', sa.String(length=40), nullable=True),
    sa.Column('depth', sa.String(length=40), nullable=True),
    sa.Column('gloves', sa.String(length=40), nullable=True),
    sa.Column('device_contaminated', sa.String(length=40), nullable=True),
    sa.Column('body_site', sa.String(length=40), nullable=True),
    sa.Column('fluid_type', sa.String(length=40), nullable=True),
    sa.Column('fluid_visibly_bloody', sa.String(length=40), nullable=True),
    sa.Column('contact_duration', sa.String(length=40), nullable=True),
    sa.Column('contact_volume', sa.String(length=40), nullable=True),
    sa.Column('barrier_garments', sa.String(length=400), nullable=False),
    sa.Column('source_identified', sa.String(length=40), nullable=True),
    sa.Column('source_reference', sa.String(length=80), nullable=False),
    sa.Column('source_hbsag', sa.String(length=40), nullable=True),
    sa.Column('source_hbsag_date', sa.Date(), nullable=True),
    sa.Column('source_hbeag', sa.String(length=40), nullable=True),
    sa.Column('source_hbeag_date', sa.Date(), nullable=True),
    sa.Column('source_anti_hcv', sa.String(length=40), nullable=True),
    sa.Column('source_anti_hcv_date', sa.Date(), nullable=True),
    sa.Column('source_hcv_rna', sa.String(length=40), nullable=True),
    sa.Column('source_hcv_rna_date', sa.Date(), nullable=True),
    sa.Column('source_hiv', sa.String(length=40), nullable=True),
    sa.Column('source_hiv_date', sa.Date(), nullable=True),
    sa.Column('source_hiv_viral_load', sa.Integer(), nullable=True),
    sa.Column('source_hiv_viral_load_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('china_grade', sa.String(length=40), nullable=True),
    sa.Column('china_source_grade', sa.String(length=40), nullable=True),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_exposure_department_id_department')),
    sa.ForeignKeyConstraint(['home_department_id'], ['department.id'], name=op.f('fk_exposure_home_department_id_department')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_exposure_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exposure')),
    sa.UniqueConstraint('ref_year', 'ref_seq', name=op.f('uq_exposure_ref_year')),
    sa.UniqueConstraint('reference', name=op.f('uq_exposure_reference')),
    sa.UniqueConstraint('uuid', name=op.f('uq_exposure_uuid'))
    )
    # The period filter and newest-first order; each page filter; a reporter's own list.
    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.create_index('ix_exposure_department_occurred', ['department_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_exposure_device_type', ['device_type'], unique=False)
        batch_op.create_index('ix_exposure_incomplete', ['incomplete'], unique=False)
        batch_op.create_index('ix_exposure_job_category', ['job_category'], unique=False)
        batch_op.create_index('ix_exposure_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_exposure_reported_by', ['reported_by'], unique=False)
        batch_op.create_index('ix_exposure_status_occurred', ['status', 'occurred_at'], unique=False)
        batch_op.create_index('ix_exposure_type_occurred', ['exposure_type', 'occurred_at'], unique=False)
        batch_op.create_index('ix_exposure_worker_id', ['worker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.drop_index('ix_exposure_worker_id')
        batch_op.drop_index('ix_exposure_type_occurred')
        batch_op.drop_index('ix_exposure_status_occurred')
        batch_op.drop_index('ix_exposure_reported_by')
        batch_op.drop_index('ix_exposure_occurred_at')
        batch_op.drop_index('ix_exposure_job_category')
        batch_op.drop_index('ix_exposure_incomplete')
        batch_op.drop_index('ix_exposure_device_type')
        batch_op.drop_index('ix_exposure_department_occurred')

    op.drop_table('exposure')
    op.drop_table('local_code')
